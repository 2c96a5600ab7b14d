"""Pages of the evidence app, included by the site (see dataip/site/urls.py)."""

from django.urls import URLPattern

app_name = "evidence"

urlpatterns: list[URLPattern] = []
