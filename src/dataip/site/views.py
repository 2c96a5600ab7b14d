"""Pages of the project itself (not of a domain app)."""

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest


def document(request: HttpRequest, name: str) -> FileResponse:
    """A Markdown document of ``docs/`` (the offline tool's guide, the hash format) as plain text.

    ``name`` is a slug, so it cannot leave the directory; only ``<name>.md`` files are served.
    """
    path = settings.DATAIP_DOCS_DIR / f"{name}.md"
    if not path.is_file():
        raise Http404(name)
    return FileResponse(path.open("rb"), content_type="text/plain; charset=utf-8")
