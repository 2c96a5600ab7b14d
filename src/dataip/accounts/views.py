"""Pages at ``/accounts/``: sign-in (local and OIDC, then the second factor), sign-out, sign-up,
the user centre and second-factor enrolment."""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from dataip.accounts import forms, selectors, services, totp
from dataip.accounts.auth import SECOND_FACTOR_SESSION_KEY
from dataip.accounts.errors import AccountsError, OidcNotConfigured, SignInError
from dataip.accounts.models import RegistrantKind, SecondFactor, User
from dataip.accounts.oidc import oidc_authorization_redirect, oidc_callback_identity, oidc_config
from dataip.accounts.permissions import may_enrol_second_factor
from dataip.core.errors import DataipError

_BACKEND = "django.contrib.auth.backends.ModelBackend"
_OIDC_NEXT = "dataip_oidc_next"
#: A sign-in whose password (or OIDC identity) was right, waiting for its code:
#: {"user": pk, "backend": path, "since": unix time, "next": url}. Nobody is signed in yet.
_PENDING = "dataip_sign_in_pending"
#: How long the code step waits after the password.
PENDING_SECONDS = 300


def _language() -> str:
    return "en" if (translation.get_language() or "").startswith("en") else "zh"


def _next_url(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("accounts:profile")


def _pending_begin(request: HttpRequest, user: User, backend: str, next_url: str) -> HttpResponse:
    request.session[_PENDING] = {
        "user": user.pk,
        "backend": backend,
        "since": time.time(),
        "next": next_url,
    }
    return redirect("accounts:login-code")


def _signed_in_with_factor(request: HttpRequest, factor: SecondFactor) -> None:
    # After login(), which cycles the session key but keeps its data.
    request.session[SECOND_FACTOR_SESSION_KEY] = factor.pk


class SignInView(LoginView):
    """Password first; the throttle in the form; then the code step for enrolled accounts."""

    template_name = "accounts/login.html"
    next_page = "accounts:profile"
    form_class = forms.SignInForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["oidc_enabled"] = oidc_config() is not None
        return context

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        throttled = getattr(form, "throttled", None)
        if throttled is not None:
            response.status_code = throttled.status
            response["Retry-After"] = str(throttled.retry_after)
        return response

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        self.request.session.pop(_PENDING, None)
        if selectors.second_factor_of(user) is not None:
            return _pending_begin(self.request, user, user.backend, self.get_success_url())
        services.sign_in_failures_clear(username=user.username, ip=forms.client_ip(self.request))
        return super().form_valid(form)


def _pending_user(request: HttpRequest) -> tuple[User, str, str] | None:
    """The user waiting for the code step, their backend and next page, unless it timed out."""
    pending = request.session.get(_PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("since", 0) > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=int(pending.get("user", 0)), is_active=True).first()
    if user is None:
        return None
    return user, str(pending.get("backend", _BACKEND)), str(pending.get("next", ""))


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The second step: the code from the app, after the password (or to confirm a session
    that began before enrolment, when the admin or another page asks for it)."""
    step_up = request.user.is_authenticated
    if step_up:
        user = request.user
        assert isinstance(user, User)  # noqa: S101 - authenticated
        if selectors.second_factor_of(user) is None:
            return redirect(_next_url(request, request.GET.get("next")))
        backend, next_url = "", _next_url(request, request.GET.get("next"))
    else:
        found = _pending_user(request)
        if found is None:
            request.session.pop(_PENDING, None)
            messages.error(request, AccountsError("sign_in_code_expired").message(_language()))
            return redirect("accounts:login")
        user, backend, next_url = found
    form = forms.CodeForm(request.POST or None)
    status = 200
    retry_after = None
    if request.method == "POST" and form.is_valid():
        ip = forms.client_ip(request)
        try:
            factor = services.second_factor_verify(user=user, code=form.cleaned_data["code"], ip=ip)
        except AccountsError as error:
            form.add_error("code", error.message(_language()))
            status = error.status
            retry_after = getattr(error, "retry_after", None)
        else:
            if not step_up:
                request.session.pop(_PENDING, None)
                login(request, user, backend=backend)
            services.sign_in_failures_clear(username=user.username, ip=ip)
            _signed_in_with_factor(request, factor)
            return redirect(next_url)
    elif form.errors:
        status = 400
    response = render(
        request, "accounts/login_code.html", {"form": form, "step_up": step_up}, status=status
    )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    """Enrol a TOTP second factor: generate a key, scan it, confirm it with a code."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required
    if not may_enrol_second_factor(user):
        raise PermissionDenied
    action = request.POST.get("action") if request.method == "POST" else None
    form = forms.CodeForm(request.POST if action == "confirm" else None)
    error = None
    status = 200
    try:
        if action == "begin":
            services.second_factor_begin(actor=user)
            return redirect("accounts:second-factor")
        if action == "confirm" and form.is_valid():
            factor = services.second_factor_confirm(actor=user, code=form.cleaned_data["code"])
            _signed_in_with_factor(request, factor)
            messages.success(
                request, gettext("The second factor is on: sign-in now asks for a code.")
            )
            return redirect("accounts:second-factor")
    except AccountsError as failure:
        error = failure.message(_language())
        status = failure.status
    if form.errors:
        status = 400
    context: dict[str, Any] = {"form": form, "error": error}
    context["factor"] = selectors.second_factor_of(user)
    pending = None if context["factor"] else selectors.second_factor_pending(user)
    if pending is not None:
        uri = services.second_factor_uri(pending)
        context.update(
            pending=pending,
            uri=uri,
            # Our own markup (qr_svg): attributes only, its one text escaped.
            qr=mark_safe(totp.qr_svg(uri, title=gettext("QR code of the key"), size=240)),  # noqa: S308
            secret_groups=[pending.secret[i : i + 4] for i in range(0, len(pending.secret), 4)],
        )
    return render(request, "accounts/second_factor.html", context, status=status)


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
    # Its own ids: the join form shares field names with the real-name form on this page.
    join_form = forms.JoinForm(data if action == "join" else None, auto_id="join_%s")
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
        may_second_factor=may_enrol_second_factor(user),
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
    if selectors.second_factor_of(user) is not None:
        return _pending_begin(request, user, _BACKEND, _next_url(request, next_url))
    login(request, user, backend=_BACKEND)
    return redirect(_next_url(request, next_url))
