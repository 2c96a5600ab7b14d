"""The sections of the application wizard and how their posted fields become service changes.

Values are parsed as little as possible: ``services.application_update`` checks every field and
says, in both languages, what is wrong, so a page shows the same messages as the API.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dataip.registry.models import SOURCE_ROUTES, SourceType
from dataip.registry.services import FIELDS


@dataclass(frozen=True)
class Section:
    slug: str
    title: str | Promise
    #: Application fields saved by this section's form; empty for the upload sections.
    fields: tuple[str, ...] = ()


#: The wizard, in the order of FAQ 七(三) (and 七(四) for the materials).
SECTIONS: tuple[Section, ...] = (
    Section(
        "basic",
        _("Data name, summary and industry"),
        ("data_name", "summary", "industry_division"),
    ),
    Section(
        "source",
        _("Data source and its proofs"),
        (
            "source_type",
            "source_routes",
            "source_description",
            "source_process",
            "collection_method",
            "agreement_holder",
            "agreement_scope",
            "agreement_valid_until",
            "data_composition",
        ),
    ),
    Section(
        "processing",
        _("Processing rules and application scenario"),
        (
            "is_public_data",
            "substantive_processing",
            "innovative_labour",
            "processing_rules",
            "processing_description",
            "application_scenario",
        ),
    ),
    Section(
        "data",
        _("Record count and evidence"),
        ("record_count", "evidence", "refiling_justification"),
    ),
    Section("samples", _("Sample data")),
    Section("materials", _("Materials")),
)
SECTION_BY_SLUG = {s.slug: s for s in SECTIONS}
_FORM_SECTIONS = {s.slug for s in SECTIONS if s.fields}

#: Which routes need which extra fields (FAQ 三1): shown only for the routes chosen.
ROUTE_FIELDS = {
    "source_process": (SourceType.SELF_PRODUCED,),
    "collection_method": (SourceType.PUBLIC_COLLECTION,),
    "agreement_holder": (SourceType.AGREEMENT,),
    "agreement_scope": (SourceType.AGREEMENT,),
    "agreement_valid_until": (SourceType.AGREEMENT,),
    "data_composition": (SourceType.SELF_PRODUCED, SourceType.PUBLIC_COLLECTION),
}


def section_of(field: str) -> str:
    """The wizard section where ``field`` (a field name, ``samples.x`` or ``materials.x``) is."""
    head = field.split(".", 1)[0]
    if head in ("samples", "materials"):
        return head
    for section in SECTIONS:
        if field in section.fields:
            return section.slug
    return "basic"


def is_form_section(slug: str) -> bool:
    return slug in _FORM_SECTIONS


def active_routes(source_type: str, routes: list[str]) -> list[str]:
    """The routes whose proofs apply: the type itself, or for "other" the routes named."""
    if source_type == SourceType.OTHER:
        return [r.value for r in SOURCE_ROUTES if r.value in routes]
    return [source_type] if source_type else []


def _count(raw: str) -> object:
    text = raw.strip().replace(",", "").replace("，", "")
    if not text:
        return None
    # Anything not a whole number goes to the service as text: it names the problem.
    return int(text) if text.isdigit() else text


def _nbool(raw: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(raw or "")


def section_changes(slug: str, data: QueryDict) -> dict[str, object]:
    """The changes a section's posted form asks for: every field of the section."""
    changes: dict[str, object] = {}
    for name in SECTION_BY_SLUG[slug].fields:
        kind = FIELDS[name].kind
        if kind == "bool":
            changes[name] = data.get(name) == "on"
        elif kind == "nbool":
            changes[name] = _nbool(data.get(name))
        elif kind == "routes":
            changes[name] = data.getlist(name)
        elif kind == "count":
            changes[name] = _count(data.get(name, ""))
        else:
            changes[name] = data.get(name, "")
    return changes


def parse_version(data: QueryDict) -> int | None:
    raw = data.get("version", "")
    return int(raw) if raw.isdigit() else None
