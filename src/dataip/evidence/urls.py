"""Pages of the evidence app, included by the site at ``/evidence/`` (dataip/site/urls.py)."""

from django.urls import URLPattern, path

from dataip.evidence import views

app_name = "evidence"

urlpatterns: list[URLPattern] = [
    path("", views.evidence_list, name="list"),
    path("new/", views.evidence_new, name="new"),
    path("new/digest/", views.evidence_new_digest, name="new-digest"),
    path("new/manifest/", views.evidence_new_manifest, name="new-manifest"),
    path("uploads/<uuid:upload_id>/discard/", views.upload_discard, name="upload-discard"),
    path("tool/", views.tool, name="tool"),
    path("tool/dataip-tool.pyz", views.tool_download, name="tool-download"),
    path("<uuid:evidence_id>/", views.evidence_detail, name="detail"),
]
