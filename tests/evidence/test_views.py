"""The evidence pages at /evidence/: my records, three ways to create one, the offline tool."""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import uuid
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from tests.core import reference
from tests.registry.factories import World

from dataip.core.manifest import create_manifest
from dataip.evidence import services as upload_services
from dataip.evidence.models import Evidence, UploadFile, UploadSession
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
    assert 'data-api="/api/v1/evidence/uploads"' in html and "<progress" in html
    assert 'src="/static/evidence/js/upload.js"' in html
    assert 'data-threshold="100000000"' in html and "100 MB" in html
    assert 'data-limit="21474836480"' in html and 'data-max-files="100000"' in html
    assert 'data-max-body="2621440"' in html  # the list of files is one request body
    assert "一次上传列不下它们的文件名" in html
    assert 'href="/evidence/tool/"' in html
    assert "style=" not in html and "<script>" not in html
    # Resumable now: the page says so, and what the offline tool still does better.
    assert "无法续传" not in html and "网络中断后可以从中断处继续上传" in html
    assert "离线工具更快，而且不发送任何数据" in html
    assert "三、上传文件</h2>" in html
    assert '<span id="upload-resume-box" hidden><button type="button" class="button"' in html
    assert 'id="upload-resume">继续上传</button>' in html
    assert 'data-key="retrying">网络连接中断，%(seconds)s 秒后重试' in html
    # No unfinished uploads: no list.
    assert "unfinished-heading" not in html and "data-upload-url" not in html
    html = client.get("/evidence/new/", headers={"Accept-Language": "en"}).content.decode()
    assert "Paste the hash value and check code" in html
    assert "cannot be resumed" not in html and 'id="upload-resume">Resume</button>' in html


MIB = 1_048_576


def _upload(owner, label, files=(("停车/2024/01.csv", 2 * MIB, 1_700_000_000_000),)):
    return upload_services.upload_open(owner=owner, alg="sm3", label=label, files=list(files))


def _send(session, position, data):
    file = UploadFile.objects.get(session=session, position=position)
    upload_services.upload_piece(
        file=file, offset=file.offset, length=len(data), stream=io.BytesIO(data)
    )


def _card(html: str, session) -> str:
    """The list entry of one upload."""
    start = html.index(f'data-upload-url="/api/v1/evidence/uploads/{session.uuid}"')
    return html[start : html.index("</li>", start)]


def test_the_page_lists_only_my_unfinished_uploads(client, world):
    mine = _upload(
        world.applicant,
        "停车数据上传",
        [("停车/2024/01.csv", 2 * MIB, 1_700_000_000_000), ("停车/说明.txt", 48, None)],
    )
    _send(mine, 0, b"p" * MIB)
    unnamed = _upload(world.applicant, "", [("a.csv", 3 * MIB, None)])
    others = _upload(world.other, "别人的上传")
    expired = _upload(world.applicant, "过期的上传")
    UploadSession.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    recorded = _upload(world.applicant, "已存证的上传", [("x.csv", 5, None)])
    _send(recorded, 0, b"12345")
    upload_services.upload_complete(session=recorded)
    assert UploadSession.objects.filter(pk=recorded.pk, evidence__isnull=False).exists()

    client.force_login(world.applicant)
    html = client.get("/evidence/new/").content.decode()
    assert '<h3 id="unfinished-heading" tabindex="-1">未完成的上传</h3>' in html
    assert "您有 2 个未完成的上传，可以继续上传或放弃。" in html
    for absent in (others, expired, recorded):
        assert str(absent.uuid) not in html
    assert "别人的上传" not in html and "过期的上传" not in html and "已存证的上传" not in html
    # Newest first.
    assert html.index(str(unnamed.uuid)) < html.index(str(mine.uuid))
    card = _card(html, mine)
    assert ">停车数据上传</h4>" in card
    assert "<p>SM3 · 2 个文件</p>" in card
    started = timezone.localtime(mine.created_at).strftime("%Y-%m-%d %H:%M")
    expires = timezone.localtime(UploadSession.objects.get(pk=mine.pk).expires_at)
    assert f">{started}</time>" in card and f">{expires:%Y-%m-%d %H:%M}</time>" in card
    # 1 MiB of 2 MiB + 48 bytes, rounded down.
    assert "已收到 1.0\xa0MB / 2.0\xa0MB（49%）" in card
    assert '<progress max="100" value="49"' in card
    assert f'action="/evidence/uploads/{mine.uuid}/discard/"' in card
    assert 'name="csrfmiddlewaretoken"' in card and ">放弃</button>" in card
    assert 'for="resume-' in card and "webkitdirectory" in card and "继续这次上传" in card
    assert ">（未命名）</h4>" in _card(html, unnamed) and "（0%）" in _card(html, unnamed)
    html = client.get("/evidence/new/", headers={"Accept-Language": "en"}).content.decode()
    assert "Unfinished uploads" in html and ">Discard</button>" in html

    # The other user sees only their own.
    client.force_login(world.other)
    html = client.get("/evidence/new/").content.decode()
    assert "别人的上传" in html and str(others.uuid) in html
    assert "停车数据上传" not in html and str(mine.uuid) not in html
    assert str(unnamed.uuid) not in html


def test_discarding_an_unfinished_upload(client, world):
    session = _upload(world.applicant, "停车数据上传")
    url = f"/evidence/uploads/{session.uuid}/discard/"
    # Anonymous: to the sign-in page, nothing discarded.
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    # Someone else's upload does not exist for them.
    client.force_login(world.other)
    assert client.post(url).status_code == 404
    # Only by POST.
    client.force_login(world.applicant)
    assert client.get(url).status_code == 405
    assert UploadSession.objects.filter(pk=session.pk).exists()
    response = client.post(url, follow=True)
    assert response.redirect_chain == [("/evidence/new/", 302)]
    html = response.content.decode()
    assert "已放弃这次未完成的上传。" in html and str(session.uuid) not in html
    assert not UploadSession.objects.filter(pk=session.pk).exists()
    assert not UploadFile.objects.filter(session_id=session.pk).exists()
    # Gone now; and one that never was.
    assert client.post(url).status_code == 404
    assert client.post(f"/evidence/uploads/{uuid.uuid4()}/discard/").status_code == 404


def test_discard_needs_the_csrf_token_and_leaves_records_alone(world):
    session = _upload(world.applicant, "", [("x.csv", 5, None)])
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.applicant)
    url = f"/evidence/uploads/{session.uuid}/discard/"
    assert client.post(url).status_code == 403
    html = client.get("/evidence/new/").content.decode()
    token = re.search(
        rf'action="{url}">\s*<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"', html
    )
    assert token is not None
    # Recorded, it is no longer an unfinished upload to discard (its record stays either way).
    _send(session, 0, b"12345")
    evidence, _ = upload_services.upload_complete(session=session)
    assert client.post(url, {"csrfmiddlewaretoken": token[1]}).status_code == 404
    assert UploadSession.objects.filter(pk=session.pk).exists()
    # An expired one is gone for the page too.
    expired = _upload(world.applicant, "过期")
    UploadSession.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    expired_url = f"/evidence/uploads/{expired.uuid}/discard/"
    assert client.post(expired_url, {"csrfmiddlewaretoken": token[1]}).status_code == 404
    fresh = _upload(world.applicant, "新的")
    fresh_url = f"/evidence/uploads/{fresh.uuid}/discard/"
    assert client.post(fresh_url, {"csrfmiddlewaretoken": token[1]}).status_code == 302
    assert not UploadSession.objects.filter(pk=fresh.pk).exists()
    assert Evidence.objects.filter(pk=evidence.pk).exists()


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
