"""What still stops an application from being submitted, in the order of FAQ 七(三) and 七(四).

The list is complete (every item, not the first), so the applicant sees at once all that is left:
the data name, a summary that says something (at least :data:`SUMMARY_MIN_LENGTH` characters),
the industry, the source with the proofs its route needs (FAQ 三1; for "other lawful sources" the
proofs of every route named), whether the data is public, the processing (FAQ 三2) and the
application scenario (FAQ 三3), the record count, the evidence (owned by a user of the same
registrant), the samples (FAQ 七(三)7: at least 50 records for review, at least 3 for display
unless a sample attachment is given), and the materials of FAQ 七(四): source statement,
structure description, commitment letter and the stamped application form, which must have been
generated from the data as it is now (``documents.form_fingerprint``). The compliance report is
optional.

At most four queries (materials, samples, the evidence with its owner, the registrant), fewer
when the caller prefetched them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from dataip.core.errors import Text
from dataip.evidence.models import Evidence
from dataip.registry.content_errors import render
from dataip.registry.models import (
    SOURCE_ROUTES,
    Application,
    Material,
    MaterialKind,
    Sample,
    SamplePurpose,
    SourceType,
)

__all__ = [
    "DISPLAY_SAMPLE_MIN",
    "REVIEW_SAMPLE_MIN",
    "SUMMARY_MIN_LENGTH",
    "Missing",
    "application_missing",
]

SUMMARY_MIN_LENGTH = 50
REVIEW_SAMPLE_MIN = 50
DISPLAY_SAMPLE_MIN = 3

#: Materials every application needs (FAQ 七(四)1-4), in the FAQ's order.
REQUIRED_MATERIALS = (
    MaterialKind.SOURCE_STATEMENT,
    MaterialKind.STRUCTURE_DESCRIPTION,
    MaterialKind.COMMITMENT_LETTER,
)

_PROOF_OF = {
    SourceType.SELF_PRODUCED: Text(
        "自行生产：产生数据的业务、客户或设备过程的证明",
        "self-produced: proof of the business, customer or device process that produced it",
    ),
    SourceType.PUBLIC_COLLECTION: Text(
        "公开采集：依法采集、持有、使用和收益的证明",
        "public collection: proof of lawful collection, holding, use and income",
    ),
}


@dataclass(frozen=True)
class Missing:
    """One thing that stops submission: a stable code, the field concerned, and the text."""

    code: str
    field: str
    zh: str
    en: str


def _missing(code: str, field: str, **params: object) -> Missing:
    zh, en = render(code, **params)
    return Missing(code=code, field=field, zh=zh, en=en)


def application_missing(application: Application) -> list[Missing]:
    """Everything still missing before ``application`` can be submitted; empty when complete."""
    materials = list(application.materials.all())
    samples = list(application.samples.all())
    kinds = {m.kind for m in materials}
    return [
        *_description(application),
        *_source(application, kinds),
        *_processing(application),
        *_evidence(application),
        *_samples(samples, kinds),
        *_materials(application, materials, samples),
    ]


def _blank(text: str) -> bool:
    return not text.strip()


def _description(application: Application) -> list[Missing]:
    missing = []
    if _blank(application.data_name):
        missing.append(_missing("missing_data_name", "data_name"))
    summary = application.summary.strip()
    if not summary:
        missing.append(_missing("missing_summary", "summary"))
    elif len(summary) < SUMMARY_MIN_LENGTH:
        missing.append(
            _missing(
                "missing_summary_short",
                "summary",
                length=len(summary),
                minimum=SUMMARY_MIN_LENGTH,
            )
        )
    if application.industry_division_id is None:
        missing.append(_missing("missing_industry_division", "industry_division"))
    return missing


def _routes(application: Application) -> tuple[list[str], list[Missing]]:
    """The routes whose proofs are needed, and what is wrong with the routes named."""
    if application.source_type != SourceType.OTHER:
        return [application.source_type], []
    named = application.source_routes if isinstance(application.source_routes, list) else []
    missing = [
        _missing("missing_source_routes_invalid", "source_routes", route=route)
        for route in dict.fromkeys(str(r) for r in named)
        if route not in SOURCE_ROUTES
    ]
    routes = [r.value for r in SOURCE_ROUTES if r.value in named]
    if len(routes) < 2:  # noqa: PLR2004 - "several routes": two or more
        missing.append(_missing("missing_source_routes", "source_routes"))
    return routes, missing


def _source(application: Application, kinds: set[str]) -> list[Missing]:
    missing = []
    if not application.source_type:
        missing.append(_missing("missing_source_type", "source_type"))
    if _blank(application.source_description):
        # The brief data source is what publicity shows (FAQ 六).
        missing.append(_missing("missing_source_description", "source_description"))
    if not application.source_type:
        return missing
    routes, route_problems = _routes(application)
    missing += route_problems
    if SourceType.SELF_PRODUCED in routes and _blank(application.source_process):
        missing.append(_missing("missing_source_process", "source_process"))
    if SourceType.PUBLIC_COLLECTION in routes and _blank(application.collection_method):
        missing.append(_missing("missing_collection_method", "collection_method"))
    if SourceType.AGREEMENT in routes:
        missing += _agreement(application)
    proven = [route for route in routes if route in _PROOF_OF]
    if proven and _blank(application.data_composition):
        missing.append(_missing("missing_data_composition", "data_composition"))
    if proven and MaterialKind.SOURCE_PROOF not in kinds:
        what = [_PROOF_OF[SourceType(route)] for route in proven]
        missing.append(
            _missing(
                "missing_source_proof",
                "materials.source_proof",
                routes=Text("；".join(t.zh for t in what), "; ".join(t.en for t in what)),
            )
        )
    if SourceType.AGREEMENT in routes and MaterialKind.AGREEMENT not in kinds:
        missing.append(_missing("missing_agreement_material", "materials.agreement"))
    return missing


def _agreement(application: Application) -> list[Missing]:
    missing = []
    if _blank(application.agreement_holder):
        missing.append(_missing("missing_agreement_holder", "agreement_holder"))
    if _blank(application.agreement_scope):
        missing.append(_missing("missing_agreement_scope", "agreement_scope"))
    valid_until = application.agreement_valid_until
    if valid_until is None:
        missing.append(_missing("missing_agreement_valid_until", "agreement_valid_until"))
    elif valid_until < timezone.localdate():
        missing.append(
            _missing(
                "missing_agreement_expired", "agreement_valid_until", date=valid_until.isoformat()
            )
        )
    return missing


def _processing(application: Application) -> list[Missing]:
    missing = []
    if application.is_public_data is None:
        missing.append(_missing("missing_is_public_data", "is_public_data"))
    if not (application.substantive_processing or application.innovative_labour):
        missing.append(_missing("missing_processing_kind", "substantive_processing"))
    if _blank(application.processing_rules):
        missing.append(_missing("missing_processing_rules", "processing_rules"))
    if _blank(application.processing_description):
        missing.append(_missing("missing_processing_description", "processing_description"))
    if _blank(application.application_scenario):
        missing.append(_missing("missing_application_scenario", "application_scenario"))
    if not application.record_count:
        missing.append(_missing("missing_record_count", "record_count"))
    return missing


def _evidence(application: Application) -> list[Missing]:
    if application.evidence_id is None:
        return [_missing("missing_evidence", "evidence")]
    if not Application._meta.get_field("evidence").is_cached(application):
        # One query for the record and its owner; the form fingerprint reads the record too.
        application.evidence = Evidence.objects.select_related("owner").get(
            pk=application.evidence_id
        )
    evidence = application.evidence
    assert evidence is not None  # noqa: S101 - evidence_id is set
    if evidence.owner.registrant_id != application.registrant_id:
        return [_missing("missing_evidence_owner", "evidence")]
    return []


def _samples(samples: Sequence[Sample], kinds: set[str]) -> list[Missing]:
    by_purpose = {s.purpose: s for s in samples}
    missing = []
    review = by_purpose.get(SamplePurpose.REVIEW)
    if review is None:
        missing.append(
            _missing("missing_review_sample", "samples.review", minimum=REVIEW_SAMPLE_MIN)
        )
    elif review.record_count < REVIEW_SAMPLE_MIN:
        missing.append(
            _missing(
                "missing_review_sample_short",
                "samples.review",
                count=review.record_count,
                minimum=REVIEW_SAMPLE_MIN,
            )
        )
    if MaterialKind.SAMPLE_ATTACHMENT in kinds:
        return missing  # FAQ 七(三)7: many fields: the display sample may come as an attachment
    display = by_purpose.get(SamplePurpose.DISPLAY)
    if display is None:
        missing.append(
            _missing("missing_display_sample", "samples.display", minimum=DISPLAY_SAMPLE_MIN)
        )
    elif display.record_count < DISPLAY_SAMPLE_MIN:
        missing.append(
            _missing(
                "missing_display_sample_short",
                "samples.display",
                count=display.record_count,
                minimum=DISPLAY_SAMPLE_MIN,
            )
        )
    return missing


def _materials(
    application: Application, materials: Sequence[Material], samples: Sequence[Sample]
) -> list[Missing]:
    kinds = {m.kind for m in materials}
    missing = [
        _missing(f"missing_{kind.value}", f"materials.{kind.value}")
        for kind in REQUIRED_MATERIALS
        if kind not in kinds
    ]
    forms = [m for m in materials if m.kind == MaterialKind.APPLICATION_FORM]
    field = f"materials.{MaterialKind.APPLICATION_FORM.value}"
    if not forms:
        missing.append(_missing("missing_application_form", field))
    else:
        from dataip.registry.documents import form_fingerprint  # noqa: PLC0415 - reportlab

        current = form_fingerprint(application, samples=samples)
        if all(m.form_fingerprint != current for m in forms):
            missing.append(_missing("form_outdated", field))
    return missing
