"""Pages of the review app, included by the site (see dataip/site/urls.py)."""

from django.urls import URLPattern, path

from dataip.review import views

app_name = "review"

urlpatterns: list[URLPattern] = [
    path("", views.queue, name="queue"),
    path("<uuid:application_id>/", views.detail, name="detail"),
    path("<uuid:application_id>/start/", views.start, name="start"),
    path("<uuid:application_id>/amendment/", views.amendment, name="amendment"),
    path("<uuid:application_id>/publicity/", views.publicity, name="publicity"),
    path("<uuid:application_id>/reject/", views.reject, name="reject"),
    path("<uuid:application_id>/materials/<int:material_id>/", views.material, name="material"),
    path("<uuid:application_id>/samples/<slug:purpose>/", views.sample, name="sample"),
    path("objections/<uuid:objection_id>/resolve/", views.resolve, name="resolve"),
    path(
        "objections/<uuid:objection_id>/files/<int:file_id>/",
        views.objection_file,
        name="objection-file",
    ),
]
