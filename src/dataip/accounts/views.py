"""Pages at ``/accounts/``: sign-in (local and OIDC), sign-out, sign-up and the user centre."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from dataip.accounts import forms, selectors, services
from dataip.accounts.errors import OidcNotConfigured, SignInError
from dataip.accounts.models import RegistrantKind, User
from dataip.accounts.oidc import oidc_authorization_redirect, oidc_callback_identity, oidc_config
from dataip.core.errors import DataipError

_BACKEND = "django.contrib.auth.backends.ModelBackend"
_OIDC_NEXT = "dataip_oidc_next"


def _language() -> str:
    return "en" if (translation.get_language() or "").startswith("en") else "zh"


def _next_url(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("accounts:profile")


class SignInView(LoginView):
    template_name = "accounts/login.html"
    next_page = "accounts:profile"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["oidc_enabled"] = oidc_config() is not None
        return context


@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    # Signing out changes state, so it takes a POST (with its CSRF token); GET asks first.
    if request.method == "POST":
        logout(request)
        return redirect("home")
    return render(request, "accounts/logout.html")


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = forms.SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_register(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                email=form.cleaned_data["email"],
            )
        except DataipError as error:
            form.add_error(None, error.message(_language()))
        else:
            login(request, user, backend=_BACKEND)
            return redirect(_next_url(request, request.GET.get("next")))
    status = 400 if form.errors else 200
    return render(request, "accounts/signup.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """The user centre: real-name details, joining a registrant, invitations, API tokens."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required
    data = request.POST if request.method == "POST" else None
    action = data.get("action") if data is not None else None
    real_name_form = forms.RealNameForm(data if action == "real-name" else None)
    join_form = forms.JoinForm(data if action == "join" else None)
    token_form = forms.TokenForm(data if action == "token" else None)
    context: dict[str, Any] = {}
    status = 200
    try:
        if action == "real-name" and real_name_form.is_valid():
            services.user_complete_real_name(actor=user, **real_name_form.cleaned_data)
            return redirect("accounts:profile")
        if action == "join" and join_form.is_valid():
            services.registrant_join(actor=user, **join_form.cleaned_data)
            return redirect("accounts:profile")
        if action == "invitation":
            invitation, code = services.registrant_invitation_create(actor=user)
            context.update(new_invitation=invitation, new_invitation_code=code)
        elif action == "token" and token_form.is_valid():
            token, secret = services.api_token_create(
                actor=user, name=token_form.cleaned_data["name"]
            )
            context.update(new_token=token, new_token_secret=secret)
            token_form = forms.TokenForm()
        elif action == "revoke" and data is not None:
            services.api_token_revoke(actor=user, token_id=int(data.get("token", "")))
            return redirect("accounts:profile")
    except (DataipError, ValueError) as error:
        message = error.message(_language()) if isinstance(error, DataipError) else str(error)
        context["error"] = message
        status = 400
    if any(f.errors for f in (real_name_form, join_form, token_form)):
        status = 400
    registrant = user.registrant
    context.update(
        profile_user=user,
        registrant=registrant,
        real_name_form=real_name_form,
        join_form=join_form,
        token_form=token_form,
        tokens=selectors.api_tokens_of(user),
        members=selectors.registrant_users(registrant) if registrant else [],
        may_invite=user.is_real_name_complete
        and registrant is not None
        and registrant.kind != RegistrantKind.NATURAL_PERSON,
    )
    return render(request, "accounts/profile.html", context, status=status)


def _sign_in_error(request: HttpRequest, error: DataipError) -> HttpResponse:
    return render(
        request,
        "accounts/oidc_error.html",
        {"message": error.message(_language()), "code": error.code},
        status=error.status,
    )


@require_GET
def oidc_login(request: HttpRequest) -> HttpResponseBase:
    """Start a sign-in at the external provider."""
    if oidc_config() is None:
        return _sign_in_error(request, OidcNotConfigured())
    request.session[_OIDC_NEXT] = _next_url(request, request.GET.get("next"))
    callback = request.build_absolute_uri(reverse("accounts:oidc-callback"))
    try:
        return oidc_authorization_redirect(request, callback)
    except SignInError as error:
        return _sign_in_error(request, error)


@require_GET
def oidc_callback(request: HttpRequest) -> HttpResponse:
    """The provider sends the browser back here with a code; verify, find the user, sign in."""
    try:
        identity = oidc_callback_identity(request)
        user = services.user_sign_in_oidc(
            issuer=identity.issuer,
            subject=identity.subject,
            email=identity.email,
            real_name=identity.real_name,
            phone=identity.phone,
        )
    except SignInError as error:
        return _sign_in_error(request, error)
    next_url = request.session.pop(_OIDC_NEXT, None)
    login(request, user, backend=_BACKEND)
    return redirect(_next_url(request, next_url))
