"""The home page (publication.views.home), the documents of docs/, the admin."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from tests.registry.factories import World

from dataip.registry.models import Status

# Every page shows the jurisdiction's bodies (read from the database).
pytestmark = pytest.mark.django_db


def test_home_page_is_chinese_first(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "<h1>数据知识产权存证登记平台</h1>" in html
    # The five steps, in order: 存证 -> 申请 -> 审查 -> 公示 -> 登记.
    steps = re.findall(r"<li><strong>(.*?)</strong>", html)
    assert steps == ["存证", "申请", "审查", "公示", "登记"]


def test_home_page_in_english(client):
    response = client.get("/", headers={"accept-language": "en"})
    assert response["Content-Language"] == "en"
    html = response.content.decode()
    assert "<h1>Data intellectual-property registration platform</h1>" in html
    steps = re.findall(r"<li><strong>(.*?)</strong>", html)
    assert steps == ["Evidence", "Application", "Examination", "Publicity", "Registration"]
    assert "数据知识产权存证登记平台" not in html


def test_each_language_is_offered_in_its_own_name(client):
    html = client.get("/", headers={"accept-language": "en"}).content.decode()
    assert re.search(r'value="zh-hans"[^>]*>简体中文<', html)
    assert re.search(r'value="en"[^>]*>English<', html)


def test_home_page_links_to_the_api_and_the_offline_tool(client):
    html = client.get("/").content.decode()
    for href in ("/api/v1/docs", "/docs/offline-tool/", "/docs/hash-format-v1/"):
        assert f'href="{href}"' in html


def test_home_page_links_to_the_public_pages(client):
    html = client.get("/").content.decode()
    for href in (
        "/publicity/",
        "/announcements/",
        "/register/",
        "/verify/",
        "/register/statistics/",
    ):
        assert f'href="{href}"' in html
    assert "尚无登记公告。" in html  # no announcement yet


def test_home_page_shows_the_latest_announcements(client):
    registered = World().application_in(Status.REGISTERED)
    html = client.get("/").content.decode()
    assert f'href="/register/{registered.registration_number}/">{registered.data_name}</a>' in html
    assert "登记于 2025-03-11" in html


def test_choosing_english_sticks(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert "<h1>Data intellectual-property registration platform</h1>" in (
        client.get("/").content.decode()
    )


def test_documents_are_served_as_text(client, settings, tmp_path):
    settings.DATAIP_DOCS_DIR = tmp_path
    (tmp_path / "offline-tool.md").write_text("# 离线工具\n", encoding="utf-8")
    response = client.get("/docs/offline-tool/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert b"".join(response.streaming_content).decode() == "# 离线工具\n"


@pytest.mark.parametrize("path", ["/docs/missing/", "/docs/..%2Fpyproject/", "/docs/notes.txt/"])
def test_only_markdown_documents_of_the_folder_exist(client, settings, tmp_path, path):
    settings.DATAIP_DOCS_DIR = tmp_path / "docs"
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt.md").write_text("x")
    (tmp_path / "pyproject.md").write_text("outside")
    assert client.get(path).status_code == 404


def test_the_hash_format_document_ships_with_the_source():
    assert (django_settings.DATAIP_DOCS_DIR / "hash-format-v1.md").is_file()


def test_admin_asks_to_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
