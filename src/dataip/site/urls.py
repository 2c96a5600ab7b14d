"""The platform's URLs. Each domain app adds its pages here and its router to ``dataip.api``."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from dataip.site import views

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("docs/<slug:name>/", views.document, name="document"),
    path("api/", include("dataip.api.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
