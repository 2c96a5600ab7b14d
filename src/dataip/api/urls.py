"""URLs of the API, included by the site at ``/api/v1/``."""

from django.urls import path

from dataip.api.api import api

urlpatterns = [
    path("", api.urls),
]
