"""The evidence pages at /evidence/: my records, three ways to create one, the offline tool."""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.core import reference
from tests.registry.factories import World

from dataip.core.manifest import create_manifest
from dataip.evidence.models import Evidence
from dataip.transparency.services import log_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    data = tmp_path / "停车记录"
    (data / "2024").mkdir(parents=True)
    (data / "2024" / "01.csv").write_text("plate,in,out\n粤A12345,08:00,09:30\n", encoding="utf-8")
    (data / "README.txt").write_text("parking records\n")
    return data


@pytest.fixture
def tool_dirs(settings, tmp_path):
    settings.REPO_DIR = tmp_path / "repo"  # no build/dataip-tool.pyz there
    settings.DATAIP_DATA_DIR = tmp_path / "data"
    return settings


def _digest(dataset: Path, alg: str = "sm3") -> dict[str, str]:
    d = reference.digest(dataset, alg)
    return {
        "alg": alg,
        "root": d.root.hex(),
        "check_code": reference.check_code(alg, d.root.hex(), d.file_count, d.total_bytes),
        "file_count": str(d.file_count),
        "total_bytes": str(d.total_bytes),
        "label": "停车数据",
    }


PAGES = ("list", "new", "detail", "tool", "tool-download")
# Evidence is the signed-in user's own: someone else's record does not exist for them (404).
EXPECTED = {
    "anonymous": {"list": 302, "new": 302, "detail": 302, "tool": 200, "tool-download": 200},
    "applicant": dict.fromkeys(PAGES, 200),
    "other": {"list": 200, "new": 200, "detail": 404, "tool": 200, "tool-download": 200},
    "public": {"list": 200, "new": 200, "detail": 404, "tool": 200, "tool-download": 200},
    "examiner": {"list": 200, "new": 200, "detail": 404, "tool": 200, "tool-download": 200},
    "administrator": {"list": 200, "new": 200, "detail": 404, "tool": 200, "tool-download": 200},
}


def _close_file(response) -> None:
    # Reading a download to its end closes its file (the test client closes it without
    # signalling the end of a request, which would close the test's database connection).
    if response.streaming:
        b"".join(response.streaming_content)


@pytest.mark.parametrize("role", list(EXPECTED))
def test_page_role_table(client, world, role, tool_dirs):
    from tests.registry.factories import evidence_make

    evidence = evidence_make(world.applicant)
    evidence.label = "私有标签"
    evidence.save()
    if role != "anonymous":
        client.force_login(getattr(world, role))
    urls = {
        "list": "/evidence/",
        "new": "/evidence/new/",
        "detail": f"/evidence/{evidence.uuid}/",
        "tool": "/evidence/tool/",
        "tool-download": "/evidence/tool/dataip-tool.pyz",
    }
    for page, url in urls.items():
        response = client.get(url)
        _close_file(response)
        assert response.status_code == EXPECTED[role][page], (role, page)
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/?next=")
        if role not in ("applicant",) and not page.startswith("tool"):
            body = response.content.decode() if not response.streaming else ""
            assert evidence.root not in body and "私有标签" not in body, (role, page)


def test_digest_form_records_and_shows_the_log_state(client, world, dataset):
    client.force_login(world.applicant)
    response = client.post("/evidence/new/digest/", _digest(dataset))
    evidence = Evidence.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/evidence/{evidence.uuid}/"
    html = client.get(response["Location"]).content.decode()
    assert "存证记录已创建" in html and evidence.root in html and evidence.check_code in html
    assert "正在写入日志" in html and "/receipt" not in html
    log_publish()
    html = client.get("/evidence/").content.decode()
    assert "叶子序号 0" in html and "已纳入检查点 1 并加盖时间戳" in html
    assert f'href="/api/v1/evidence/{evidence.uuid}/receipt"' in html
    html = client.get(f"/evidence/{evidence.uuid}/").content.decode()
    assert f'href="/api/v1/evidence/{evidence.uuid}/receipt"' in html
    # The same values again: the same record.
    response = client.post("/evidence/new/digest/", _digest(dataset), follow=True)
    assert "该哈希值此前已经存证" in response.content.decode()
    assert Evidence.objects.count() == 1


def test_a_wrong_check_code_gets_the_service_message(client, world, dataset):
    client.force_login(world.applicant)
    body = _digest(dataset) | {"check_code": "000000000000"}
    response = client.post("/evidence/new/digest/", body)
    assert response.status_code == 400
    assert (
        "哈希校验码不匹配：校验码 000000000000 与所填的哈希值、文件数、总字节数不符；"
        "请从工具输出（或清单）中重新复制这四项"
    ) in response.content.decode()
    good = _digest(dataset)
    swapped = good | {"file_count": good["total_bytes"], "total_bytes": good["file_count"]}
    response = client.post("/evidence/new/digest/", swapped)
    assert response.status_code == 400
    assert "文件数和总字节数似乎填反了" in response.content.decode()
    response = client.post("/evidence/new/digest/", good)
    assert response.status_code == 302
    assert not Evidence.objects.filter(root="0" * 64).exists()


def test_form_errors_are_shown_at_the_field(client, world, dataset):
    client.force_login(world.applicant)
    response = client.post("/evidence/new/digest/", _digest(dataset) | {"file_count": "0"})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<ul class="errorlist" role="alert">' in html
    assert not Evidence.objects.exists()


def test_manifest_upload(client, world, dataset, tmp_path):
    manifest = tmp_path / "清单.json"
    digest = create_manifest(dataset, manifest)
    client.force_login(world.applicant)
    response = client.post(
        "/evidence/new/manifest/",
        {"manifest": SimpleUploadedFile("清单.json", manifest.read_bytes()), "label": "停车"},
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.root == reference.digest(dataset, "sm3").root.hex() == digest.root_hex
    html = client.get("/evidence/").content.decode()
    assert f'href="/api/v1/evidence/{evidence.uuid}/manifest"' in html
    response = client.post(
        "/evidence/new/manifest/", {"manifest": SimpleUploadedFile("x.json", b"{not json")}
    )
    assert response.status_code == 400
    assert "不是有效的 JSON" in response.content.decode()


def test_the_new_page_offers_upload_with_progress_and_the_offline_tool(client, world):
    client.force_login(world.applicant)
    html = client.get("/evidence/new/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert 'action="/api/v1/evidence/upload"' in html and "<progress" in html
    assert 'src="/static/evidence/js/upload.js"' in html
    assert 'data-threshold="100000000"' in html and "100 MB" in html
    assert 'href="/evidence/tool/"' in html
    assert "style=" not in html and "<script>" not in html
    html = client.get("/evidence/new/", headers={"Accept-Language": "en"}).content.decode()
    assert "Paste the hash value and check code" in html


def test_the_offline_tool_is_built_once_and_served_as_an_attachment(client, tool_dirs):
    html = client.get("/evidence/tool/").content.decode()
    response = client.get("/evidence/tool/dataip-tool.pyz")
    body = b"".join(response.streaming_content)
    _close_file(response)
    assert response["Content-Disposition"] == 'attachment; filename="dataip-tool.pyz"'
    assert body.startswith(b"#!/usr/bin/env python3\n")
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert "dataip/tool.py" in archive.namelist()
    assert hashlib.sha256(body).hexdigest() in html
    assert 'href="/docs/offline-tool/"' in html
    cached = list((tool_dirs.DATAIP_DATA_DIR / "cache").iterdir())
    assert len(cached) == 1
    again = client.get("/evidence/tool/dataip-tool.pyz")
    assert b"".join(again.streaming_content) == body
    _close_file(again)
    assert list((tool_dirs.DATAIP_DATA_DIR / "cache").iterdir()) == cached


def test_a_built_tool_is_served_when_present(client, tool_dirs):
    built = Path(tool_dirs.REPO_DIR) / "build" / "dataip-tool.pyz"
    built.parent.mkdir(parents=True)
    built.write_bytes(b"#!/usr/bin/env python3\nbuilt by make tool")
    response = client.get("/evidence/tool/dataip-tool.pyz")
    assert b"".join(response.streaming_content) == built.read_bytes()
    _close_file(response)


def test_an_unknown_record_is_not_found(client, world):
    client.force_login(world.applicant)
    assert client.get(f"/evidence/{uuid.uuid4()}/").status_code == 404
