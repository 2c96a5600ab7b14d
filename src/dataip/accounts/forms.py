"""Forms of the sign-up page and the user centre: they parse; the services validate and write."""

from __future__ import annotations

import ipaddress
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from dataip.accounts import selectors, services
from dataip.accounts.errors import AccountsError, SignInThrottled
from dataip.accounts.models import RegistrantKind, SignInFailureKind, User


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


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or behind ``DATAIP_PROXY_COUNT`` reverse proxies
    the entry that the outermost trusted proxy appended to ``X-Forwarded-For``.

    Entries further left are whatever the client sent, so they are never trusted.
    """
    if request is None:
        return None
    candidate = request.META.get("REMOTE_ADDR", "")
    proxies = int(getattr(settings, "DATAIP_PROXY_COUNT", 0))
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def _language() -> str:
    return "en" if (translation.get_language() or "").startswith("en") else "zh"


class SignInForm(AuthenticationForm):
    """Django's sign-in form with the throttle: refused while too many recent failures."""

    #: Set when the attempt was refused by the throttle (the view answers 429).
    throttled: SignInThrottled | None = None

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return super().clean()
        ip = client_ip(self.request)
        self._check_throttle(username, ip)
        try:
            return super().clean()
        except ValidationError as error:
            if error.code != "invalid_login":
                raise
            services.sign_in_failure_record(
                username=username, ip=ip, kind=SignInFailureKind.PASSWORD
            )
            # The failure that reaches the limit says so at once, with the time to retry.
            self._check_throttle(username, ip)
            raise

    def _check_throttle(self, username: str, ip: str | None) -> None:
        try:
            selectors.sign_in_throttle(username=username, ip=ip)
        except SignInThrottled as error:
            self.throttled = error
            raise ValidationError(error.message(_language()), code="throttled") from None


class AdminSignInForm(SignInForm, AdminAuthenticationForm):
    """The admin's own sign-in page: throttled, and closed to accounts with a second factor,
    which sign in on the platform's page (password, then code)."""

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if isinstance(user, User) and selectors.second_factor_of(user) is not None:
            raise ValidationError(
                AccountsError("second_factor_admin_sign_in").message(_language()),
                code="second_factor",
            )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the authenticator app"),
        max_length=12,
        help_text=_("6 digits; a new code appears every 30 seconds."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "aria-describedby": "id_code_helptext",
            }
        ),
    )
