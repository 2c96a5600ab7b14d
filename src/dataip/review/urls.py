"""Pages of the review app, included by the site (see dataip/site/urls.py)."""

from django.urls import URLPattern

app_name = "review"

urlpatterns: list[URLPattern] = []
