"""The HTTP API (django-ninja), assembled in ``api.py`` from each app's router."""
