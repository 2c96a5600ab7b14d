"""Pages of the registry app, included by the site at ``/applications/`` (dataip/site/urls.py)."""

from django.urls import URLPattern, path

from dataip.registry import views

app_name = "registry"

urlpatterns: list[URLPattern] = [
    path("", views.desk, name="desk"),
    path("new/", views.create, name="create"),
    path("name-advice/", views.advice, name="advice"),
    path("industries/", views.industry_options, name="industries"),
    path("<uuid:application_id>/", views.detail, name="detail"),
    path("<uuid:application_id>/edit/", views.edit, name="edit"),
    path("<uuid:application_id>/edit/<slug:section>/", views.section_save, name="section"),
    path(
        "<uuid:application_id>/samples/<slug:purpose>/",
        views.sample_upload,
        name="sample-upload",
    ),
    path("<uuid:application_id>/materials/", views.material_upload, name="material-upload"),
    path(
        "<uuid:application_id>/materials/<int:material_id>/",
        views.material_download,
        name="material",
    ),
    path(
        "<uuid:application_id>/materials/<int:material_id>/delete/",
        views.material_delete,
        name="material-delete",
    ),
    path("<uuid:application_id>/form.pdf", views.form_pdf, name="form-pdf"),
    path("<uuid:application_id>/submit/", views.submit, name="submit"),
    path("<uuid:application_id>/withdraw/", views.withdraw, name="withdraw"),
]
