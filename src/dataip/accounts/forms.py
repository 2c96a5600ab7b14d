"""Forms of the sign-up page and the user centre: they parse; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dataip.accounts.models import RegistrantKind


class SignUpForm(forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        help_text=_("Letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    email = forms.EmailField(
        label=_("Email address (optional)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class RealNameForm(forms.Form):
    real_name = forms.CharField(label=_("Real name"), max_length=100)
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    registrant_kind = forms.ChoiceField(label=_("Registrant kind"), choices=RegistrantKind.choices)
    registrant_name = forms.CharField(
        label=_("Registrant name"),
        max_length=200,
        required=False,
        help_text=_("For a natural person: your real name (may be left empty)."),
    )
    registrant_id_number = forms.CharField(
        label=_("Resident ID number or unified social credit code"),
        max_length=40,
        help_text=_("18 characters: a natural person's resident ID number, else the credit code."),
    )


class JoinForm(forms.Form):
    code = forms.CharField(
        label=_("Invitation code"), max_length=40, help_text=_("For example ABCD-EFGH-JKMN-PQRS.")
    )
    real_name = forms.CharField(label=_("Real name"), max_length=100)
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"), max_length=100, help_text=_("What the token is for, e.g. my laptop.")
    )
