"""Fixtures of the accounts tests: users made through the services, and a real OIDC provider.

The provider is panva's ``oidc-provider`` (OpenID Certified) running under node on a free
127.0.0.1 port, from ``tests/accounts/oidc/`` (install it with ``npm ci --prefix
tests/accounts/oidc``). Without node or the package the OIDC tests skip, and fail when ``CI`` is
set.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytest_django import Settings

from dataip.accounts import services
from dataip.accounts.models import RegistrantKind, Role, User

OIDC_DIR = Path(__file__).parent / "oidc"
#: Where the provider sends the browser back: Django's test client is "testserver".
REDIRECT_URI = "http://testserver/accounts/oidc/callback/"
#: Shared with provider.mjs.
CLIENT_SECRET = "dataip-test-client-secret-0123456789"
PASSWORD = "Hq7!river-lantern-42"

#: Golden registrant numbers (see test_validators.py for their sources).
RESIDENT_ID = "11010519491231002X"
CREDIT_CODE = "91110000802100433B"
OTHER_CREDIT_CODE = "914403001922038216"


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    """Sign up a user; role other than applicant set by a superuser through ``user_set_role``."""
    counter = iter(range(1, 10_000))
    root: list[User] = []

    def make(username: str | None = None, role: str = Role.APPLICANT) -> User:
        name = username or f"user{next(counter)}"
        user = services.user_register(username=name, password=PASSWORD)
        if role != Role.APPLICANT:
            if not root:
                root.append(User.objects.create_superuser("root", password=PASSWORD))
            services.user_set_role(actor=root[0], user=user, role=role)
        return user

    return make


@pytest.fixture
def applicant(make_user: Callable[..., User]) -> User:
    return make_user("applicant")


@pytest.fixture
def member(make_user: Callable[..., User]) -> User:
    """An applicant acting for a legal person registrant (real-name details complete)."""
    user = make_user("member")
    services.user_complete_real_name(
        actor=user,
        real_name="李四",
        phone="13900139000",
        registrant_kind=RegistrantKind.LEGAL_PERSON,
        registrant_name="北京百度网讯科技有限公司",
        registrant_id_number=CREDIT_CODE,
    )
    return user


@pytest.fixture
def examiner(make_user: Callable[..., User]) -> User:
    return make_user("examiner", Role.EXAMINER)


@pytest.fixture
def administrator(make_user: Callable[..., User]) -> User:
    return make_user("administrator", Role.ADMINISTRATOR)


@pytest.fixture(scope="session")
def oidc_issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start the provider once for the session; its issuer URL."""
    node = shutil.which("node")
    problem = None
    if node is None:
        problem = "node is not installed"
    elif not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        problem = "oidc-provider is not installed: run npm ci --prefix tests/accounts/oidc"
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"the OpenID Connect tests cannot run: {problem}")
        pytest.skip(problem)
    assert node is not None
    log_path = tmp_path_factory.mktemp("oidc") / "provider.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [node, "provider.mjs", REDIRECT_URI],
            cwd=OIDC_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
        )
    # A provider that never prints its address must not hang the suite.
    timer = threading.Timer(30, process.kill)
    timer.start()
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
    finally:
        timer.cancel()
    if not line:
        process.wait(timeout=10)
        pytest.fail(f"the OIDC provider did not start:\n{log_path.read_text()}")
    try:
        yield json.loads(line)["issuer"]
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - a provider that ignores SIGTERM
            process.kill()
            process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()


@pytest.fixture
def oidc_settings(settings: Settings, oidc_issuer: str) -> Callable[[str], None]:
    """Configure sign-in through the test provider as one of its clients (``dataip`` first)."""

    def configure(client_id: str) -> None:
        settings.DATAIP_OIDC_ISSUER = oidc_issuer
        settings.DATAIP_OIDC_CLIENT_ID = client_id
        settings.DATAIP_OIDC_CLIENT_SECRET = CLIENT_SECRET
        settings.DATAIP_OIDC_SCOPES = ["openid", "profile", "email", "phone"]

    configure("dataip")
    return configure
