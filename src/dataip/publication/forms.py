"""Forms of the public pages: they parse; the services and selectors validate and answer."""

from __future__ import annotations

import json
import os
import re
import tempfile
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from dataip.core.errors import DataipError
from dataip.core.manifest import Manifest, read_manifest

#: At most this many evidence files with one objection (as the API).
MAX_OBJECTION_FILES = 10
#: A receipt is a few kilobytes; anything much larger is not one.
MAX_RECEIPT_BYTES = 1 << 20
_HEX64 = re.compile(r"[0-9a-f]{64}")


def _language() -> str:
    return "en" if (translation.get_language() or "").startswith("en") else "zh"


class _MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class _MultipleFileField(forms.FileField):
    widget = _MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(_MultipleFileField, self).clean(item, initial) for item in items]


class ObjectionForm(forms.Form):
    reasons = forms.CharField(
        label=_("Reasons for the objection"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10_000,
        help_text=_(
            "Say why the applicant is not entitled to register this data, for example that the "
            "data or its processing rules are yours."
        ),
    )
    evidence_files = _MultipleFileField(
        label=_("Evidence files (optional)"),
        required=False,
        help_text=_("PDF, JPEG or PNG, at most 10 files; for example an agreement or a judgment."),
    )

    def clean_evidence_files(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data.get("evidence_files") or []
        if len(files) > MAX_OBJECTION_FILES:
            raise forms.ValidationError(
                _("At most %(limit)d files can be uploaded."),
                params={"limit": MAX_OBJECTION_FILES},
            )
        limit = settings.DATAIP_MATERIAL_MAX_BYTES
        for item in files:
            if item.size is not None and item.size > limit:
                raise forms.ValidationError(
                    _("The file %(name)s exceeds the limit of %(limit)d bytes."),
                    params={"name": item.name, "limit": limit},
                )
        return files


class RegisterSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Data name or registrant"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    section = forms.ChoiceField(label=_("Industry section"), required=False)
    division = forms.ChoiceField(label=_("Industry division"), required=False)

    def __init__(
        self, *args: Any, industries: list[tuple[str, str, list[tuple[str, str]]]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        anything = ("", _("Any"))
        section_field = self.fields["section"]
        division_field = self.fields["division"]
        assert isinstance(section_field, forms.ChoiceField)  # noqa: S101 - declared above
        assert isinstance(division_field, forms.ChoiceField)  # noqa: S101
        section_field.choices = [anything] + [(c, f"{c} {n}") for c, n, _d in industries]
        division_field.choices = [anything] + [
            (section, [(dc, f"{dc} {dn}") for dc, dn in divisions])
            for section, _n, divisions in industries
        ]


class CertificateLookupForm(forms.Form):
    number = forms.CharField(
        label=_("Certificate number"),
        max_length=40,
        help_text=_("The 17-digit number printed on the certificate."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_number(self) -> str:
        return re.sub(r"\s", "", self.cleaned_data["number"])


class EvidenceVerifyForm(forms.Form):
    """A hash value, a manifest or a receipt: exactly one of them."""

    root = forms.CharField(
        label=_("Hash value"),
        required=False,
        max_length=80,
        help_text=_("The 64 hexadecimal digits printed by the offline tool (哈希值)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    manifest = forms.FileField(
        label=_("Or a manifest file"),
        required=False,
        help_text=_("The manifest.json written by the offline tool."),
    )
    receipt = forms.FileField(
        label=_("Or an evidence receipt"),
        required=False,
        help_text=_("The receipt (存证凭证) downloaded from the platform, a JSON file."),
    )

    def clean_root(self) -> str:
        root = re.sub(r"\s", "", self.cleaned_data.get("root") or "").lower()
        if root and not _HEX64.fullmatch(root):
            raise forms.ValidationError(
                _(
                    "A hash value is 64 hexadecimal digits (0-9, a-f); this has %(length)d "
                    "characters. Copy it whole from the tool's output."
                ),
                params={"length": len(root)},
            )
        return root

    def clean_manifest(self) -> Manifest | None:
        upload: UploadedFile | None = self.cleaned_data.get("manifest")
        if upload is None:
            return None
        limit = settings.DATAIP_MANIFEST_MAX_BYTES
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(
                _("The manifest is larger than the limit of %(limit)d bytes."),
                params={"limit": limit},
            )
        # read_manifest reads a path: the offline tool's and the platform's checks are one code.
        with tempfile.TemporaryDirectory(prefix="dataip-verify-") as tmp:
            path = os.path.join(tmp, "manifest.json")
            with open(path, "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                return read_manifest(path)
            except DataipError as error:
                message = error.message(_language()).replace(path, upload.name or "manifest.json")
                raise forms.ValidationError(message) from None

    def clean_receipt(self) -> list[object] | None:
        """The parsed document, in a list: ``null`` or ``{}`` is a receipt given (and refused)."""
        upload: UploadedFile | None = self.cleaned_data.get("receipt")
        if upload is None:
            return None
        if upload.size is not None and upload.size > MAX_RECEIPT_BYTES:
            raise forms.ValidationError(_("This file is too large to be a receipt."))
        try:
            return [json.loads(upload.read().decode("utf-8"))]
        except (UnicodeDecodeError, ValueError):
            raise forms.ValidationError(
                _("This file is not a receipt: it is not JSON text.")
            ) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [
            k for k in ("root", "manifest", "receipt") if data.get(k) is not None and data[k] != ""
        ]
        if not self.errors and len(given) != 1:
            raise forms.ValidationError(
                _("Give one of them: a hash value, a manifest or a receipt.")
            )
        return data
