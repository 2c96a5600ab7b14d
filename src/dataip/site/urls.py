"""The platform's URLs. Each domain app adds its pages here and its router to ``dataip.api``."""

from django.contrib import admin
from django.urls import include, path

from dataip.evidence import views as evidence_views
from dataip.publication import views as publication_views
from dataip.site import views

urlpatterns = [
    path("", publication_views.home, name="home"),
    path("docs/<slug:name>/", views.document, name="document"),
    # Before the API: a plain view, see dataip/evidence/views.py.
    path("api/v1/evidence/upload", evidence_views.upload, name="evidence-upload"),
    path("api/v1/", include("dataip.api.urls")),
    path("log/", include("dataip.transparency.urls")),
    path("accounts/", include("dataip.accounts.urls")),
    path("applications/", include("dataip.registry.urls")),
    path("evidence/", include("dataip.evidence.urls")),
    path("review/", include("dataip.review.urls")),
    path("", include("dataip.publication.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
