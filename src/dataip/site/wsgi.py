"""WSGI entry point, served by gunicorn (``dataip serve``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dataip.site.settings")

application = get_wsgi_application()
