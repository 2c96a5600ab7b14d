"""Sign-in through an external OpenID Connect provider (OpenID Connect Core 1.0, code flow).

In production the provider is the province's unified identity platform (统一身份认证平台, FAQ
一(五)). The flow is the authorization code flow with PKCE (RFC 7636, S256), a ``state`` bound
to the browser session and a ``nonce`` bound to the ID token. The client is Authlib's: it reads
the provider's discovery document, verifies the ID token's signature against the provider's
JWKS and checks ``exp``, ``iat``, ``nonce`` and ``azp``; this module also makes it check ``iss``
and ``aud`` (Authlib checks ``aud`` only when asked), checks the issuer of the discovery document
and of the authorization response (RFC 9207) and requires an ID token at all.

Configuration: ``DATAIP_OIDC_*`` settings (docs/accounts.md); off while the issuer or the client
id is empty.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from typing import Any

import requests
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)

from dataip.accounts.errors import OidcNotConfigured, SignInError
from dataip.core.errors import Text

_NAME = "dataip"
#: Seconds to wait for the provider.
_TIMEOUT = 10
_DISCOVERY_PATH = "/.well-known/openid-configuration"


@dataclass(frozen=True)
class OidcConfig:
    """The provider and this platform's registration with it."""

    issuer: str
    discovery_url: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]
    token_auth_method: str
    claim_real_name: str
    claim_phone: str
    redirect_uri: str


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in, from a verified ID token and the userinfo endpoint."""

    issuer: str
    subject: str
    email: str
    real_name: str
    phone: str


def oidc_config() -> OidcConfig | None:
    """The configuration from the settings, or None when sign-in through a provider is off."""
    issuer = getattr(settings, "DATAIP_OIDC_ISSUER", "").strip()
    client_id = getattr(settings, "DATAIP_OIDC_CLIENT_ID", "").strip()
    if not issuer or not client_id:
        return None
    discovery = getattr(settings, "DATAIP_OIDC_DISCOVERY_URL", "").strip()
    configured = getattr(settings, "DATAIP_OIDC_SCOPES", ["openid", "profile", "phone"])
    # A list from the environment (comma-separated); an item may hold several, OAuth-style.
    scopes = [scope for item in configured for scope in item.split()]
    if "openid" not in scopes:  # without it there is no ID token and no nonce
        scopes.insert(0, "openid")
    return OidcConfig(
        issuer=issuer,
        discovery_url=discovery or issuer.rstrip("/") + _DISCOVERY_PATH,
        client_id=client_id,
        client_secret=getattr(settings, "DATAIP_OIDC_CLIENT_SECRET", ""),
        scopes=tuple(scopes),
        token_auth_method=getattr(settings, "DATAIP_OIDC_TOKEN_AUTH_METHOD", "client_secret_basic"),
        claim_real_name=getattr(settings, "DATAIP_OIDC_CLAIM_REAL_NAME", "name"),
        claim_phone=getattr(settings, "DATAIP_OIDC_CLAIM_PHONE", "phone_number"),
        redirect_uri=getattr(settings, "DATAIP_OIDC_REDIRECT_URI", "").strip(),
    )


@functools.lru_cache(maxsize=4)
def _client(config: OidcConfig) -> DjangoOAuth2App:
    # One client per configuration: it caches the discovery document and the JWKS (and
    # fetches the JWKS again when an ID token names a key it does not have).
    oauth = OAuth()
    client: DjangoOAuth2App = oauth.register(
        _NAME,
        client_id=config.client_id,
        client_secret=config.client_secret,
        server_metadata_url=config.discovery_url,
        client_kwargs={
            "scope": " ".join(config.scopes),
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": config.token_auth_method,
            "default_timeout": _TIMEOUT,
        },
    )
    return client


def _metadata(config: OidcConfig) -> dict[str, Any]:
    try:
        metadata: dict[str, Any] = _client(config).load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        raise SignInError("oidc_unreachable", reason=str(error)) from None
    # OpenID Connect Discovery 1.0, section 4.3: the document must name the issuer we asked.
    if metadata.get("issuer") != config.issuer:
        _client.cache_clear()
        raise SignInError(
            "oidc_issuer_mismatch", found=metadata.get("issuer"), expected=config.issuer
        )
    return metadata


def _required_config() -> OidcConfig:
    config = oidc_config()
    if config is None:
        raise OidcNotConfigured
    return config


def oidc_authorization_redirect(request: HttpRequest, callback_uri: str) -> HttpResponseRedirect:
    """Send the browser to the provider; state, nonce and PKCE verifier go to the session.

    ``callback_uri`` is used unless the ``DATAIP_OIDC_REDIRECT_URI`` setting names another.
    """
    config = _required_config()
    _metadata(config)
    client = _client(config)
    response: HttpResponseRedirect = client.authorize_redirect(
        request, config.redirect_uri or callback_uri
    )
    return response


def _token_problem(error: JoseError) -> Text:
    if isinstance(error, BadSignatureError):
        return Text("签名验证失败", "its signature does not verify")
    if isinstance(error, InvalidKeyIdError):
        return Text("签名密钥不在身份认证平台的 JWKS 中", "it is signed by a key not in the JWKS")
    if isinstance(error, ExpiredTokenError):
        return Text("已过期", "it has expired")
    if isinstance(error, MissingClaimError):
        return Text(f"缺少声明 {error.claim}", f"the claim {error.claim} is missing")
    if isinstance(error, ClaimError):
        named = {
            "aud": Text("受众（aud）不是本平台", "the audience (aud) is not this platform"),
            "iss": Text(
                "签发者（iss）不是所配置的身份认证平台",
                "the issuer (iss) is not the configured provider",
            ),
            "nonce": Text(
                "nonce 与本次登录不符（可能是重放的令牌）",
                "the nonce does not match this sign-in (a replayed token?)",
            ),
        }
        return named.get(
            error.claim, Text(f"声明 {error.claim} 的值无效", f"the claim {error.claim} is invalid")
        )
    return Text(f"格式无效（{error.error}）", f"it is malformed ({error.error})")


def _check_state(request: HttpRequest) -> None:
    state = request.GET.get("state", "")
    # Authlib keeps each sign-in's data in the session under its state, with an expiry that it
    # does not itself check.
    stored = request.session.get(f"_state_{_NAME}_{state}") if state else None
    if not isinstance(stored, dict) or stored.get("exp", 0) < time.time():
        raise SignInError("oidc_state")
    if "nonce" not in stored.get("data", {}):
        raise SignInError("oidc_state")


def oidc_callback_identity(request: HttpRequest) -> Identity:
    """Finish the sign-in the provider sent the browser back from; who signed in, verified."""
    config = _required_config()
    client = _client(config)
    metadata = _metadata(config)
    if "error" in request.GET:
        raise SignInError(
            "oidc_denied",
            error=request.GET["error"],
            description=request.GET.get("error_description", ""),
        )
    _check_state(request)
    # RFC 9207: a provider that names itself in the response must be the one we sent them to.
    if "iss" in request.GET and request.GET["iss"] != config.issuer:
        raise SignInError("oidc_issuer_mismatch", found=request.GET["iss"], expected=config.issuer)
    claims_options = {
        "iss": {"essential": True, "value": config.issuer},
        "aud": {"essential": True, "value": config.client_id},
        "sub": {"essential": True},
    }
    try:
        token = client.authorize_access_token(request, claims_options=claims_options)
    except MismatchingStateError:
        raise SignInError("oidc_state") from None
    except OAuthError as error:
        raise SignInError(
            "oidc_token_error", error=error.error, description=error.description or ""
        ) from None
    except JoseError as error:
        raise SignInError("oidc_id_token", reason=_token_problem(error)) from None
    except (requests.RequestException, ValueError) as error:
        raise SignInError("oidc_unreachable", reason=str(error)) from None
    claims = token.get("userinfo")
    if not claims:
        raise SignInError("oidc_no_id_token")
    info = dict(claims)
    wanted = (config.claim_real_name, config.claim_phone, "email")
    if metadata.get("userinfo_endpoint") and not all(k in info for k in wanted):
        try:
            userinfo = client.userinfo(token=token)
        except (requests.RequestException, ValueError) as error:
            raise SignInError("oidc_unreachable", reason=str(error)) from None
        # OpenID Connect Core 1.0, section 5.3.4: the sub must be the ID token's.
        if userinfo.get("sub") != claims["sub"]:
            raise SignInError("oidc_userinfo_subject")
        info = {**dict(userinfo), **info}
    return Identity(
        issuer=config.issuer,
        subject=str(claims["sub"]),
        email=_string(info.get("email")),
        real_name=_string(info.get(config.claim_real_name)),
        phone=_string(info.get(config.claim_phone)),
    )


def _string(value: object) -> str:
    return value if isinstance(value, str) else ""
