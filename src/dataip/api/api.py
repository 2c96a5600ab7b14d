"""The one ``NinjaAPI`` of the platform, mounted at ``/api/``.

Each domain app exposes a ``router`` in its ``api.py``; it is added here, under the app's name.
OpenAPI: ``/api/openapi.json``; interactive documentation: ``/api/docs``.
"""

from ninja import NinjaAPI

import dataip
from dataip.api import health

api = NinjaAPI(
    title="dataip",
    version=dataip.__version__,
    description="数据知识产权存证登记平台 / Data intellectual-property registration platform",
    urls_namespace="api",
)
api.add_router("/", health.router)
