"""Each file of a resumable upload is a tus 1.0.0 upload resource: the tus project's own Python
client (tuspy) sends it, against a real server, in pieces of any size."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
import requests
from tests.core import reference
from tusclient.client import TusClient

from dataip.accounts import services as accounts_services

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MIB = 1_048_576


@pytest.mark.parametrize("chunk_size", [2 * MIB, 3 * MIB + 12345])
def test_tuspy_sends_the_files_of_an_upload(live_server, django_user_model, tmp_path, chunk_size):
    user = django_user_model.objects.create_user("applicant", password="x")
    _, token = accounts_services.api_token_create(actor=user, name="tus")
    auth = {"Authorization": f"Bearer {token}"}
    files = {"a/data.bin": os.urandom(5 * MIB + 77), "说明.txt": "船舶位置\n".encode()}
    opened = requests.post(
        f"{live_server.url}/api/v1/evidence/uploads",
        json={"files": [{"name": n, "size": len(d)} for n, d in files.items()]},
        headers=auth,
        timeout=30,
    )
    assert opened.status_code == 201, opened.text
    upload = opened.json()
    client = TusClient(f"{live_server.url}/api/v1/evidence/uploads", headers=auth)
    for f in upload["files"]:
        uploader = client.uploader(
            file_stream=io.BytesIO(files[f["name"]]),
            url=live_server.url + f["url"],
            chunk_size=chunk_size,
        )
        assert uploader.offset == 0  # asked with HEAD
        uploader.upload()
        assert uploader.offset == len(files[f["name"]])
    done = requests.post(
        f"{live_server.url}/api/v1/evidence/uploads/{upload['id']}/complete",
        headers=auth,
        timeout=30,
    )
    assert done.status_code == 201, done.text
    folder = tmp_path / "dataset"
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    assert done.json()["root"] == reference.digest(Path(folder), "sm3").root.hex()
