"""Pages of the publication app, included by the site (see dataip/site/urls.py)."""

from django.urls import URLPattern

app_name = "publication"

urlpatterns: list[URLPattern] = []
