"""``/log/``: the tlog-tiles read API, the log's key and the TSA certificates."""

from django.urls import path, re_path

from dataip.transparency import views

app_name = "log"
urlpatterns = [
    path("checkpoint", views.checkpoint, name="checkpoint"),
    path("key", views.key, name="key"),
    path("tsa.pem", views.tsa_certificates, name="tsa-certificates"),
    re_path(r"^tile/(?P<path>[0-9a-z./]+)$", views.tile, name="tile"),
]
