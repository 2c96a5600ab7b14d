"""Pages of the registry app, included by the site (see dataip/site/urls.py)."""

from django.urls import URLPattern

app_name = "registry"

urlpatterns: list[URLPattern] = []
