"""The log's signing key and the time-stamping authority: loaded from settings, created if absent.

Private keys are never stored in the database or the repository. They come from the
environment or from files in the data directory's ``keys/`` (mode 0600), and are generated
there on first start. ``dataip manage log_keys`` shows the public parts and key ids;
``docs/transparency-log.md`` explains rotation.
"""

from __future__ import annotations

import fcntl
import functools
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from dataip.core import tsp
from dataip.core.note import Signer, Verifier
from dataip.site.environment import create_private_file, read_private_file

SIGNING_KEY_FILE = "log-signing-key"


def log_signer() -> Signer:
    """The Ed25519 key that signs checkpoints; its name is the log's origin."""
    return _log_signer(
        settings.DATAIP_LOG_ORIGIN,
        os.environ.get("DATAIP_LOG_SIGNING_KEY", "").strip(),
        Path(settings.DATAIP_KEYS_DIR),
    )


@functools.cache
def _log_signer(origin: str, from_env: str, keys_dir: Path) -> Signer:
    if from_env:
        signer = Signer.from_skey(from_env)
        where = "DATAIP_LOG_SIGNING_KEY"
    else:
        path = keys_dir / SIGNING_KEY_FILE
        if not path.exists():
            keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            create_private_file(path, (Signer.generate(origin).skey + "\n").encode("ascii"))
        signer = Signer.from_skey(read_private_file(path, "log signing key").decode().strip())
        where = str(path)
    if signer.name != origin:
        raise ImproperlyConfigured(
            f"the log signing key in {where} is named {signer.name!r} but DATAIP_LOG_ORIGIN is "
            f"{origin!r}: a new origin is a new log and needs a new key "
            "(see docs/transparency-log.md, 'Rotation')"
        )
    return signer


def log_verifiers() -> list[Verifier]:
    """The current verifier key and those of earlier signing keys (for audits)."""
    verifiers = [log_signer().verifier()]
    verifiers += [Verifier.from_vkey(v) for v in settings.DATAIP_LOG_PREVIOUS_KEYS]
    return verifiers


@dataclass(frozen=True)
class TimeStamping:
    """Where tokens come from: the built-in ``authority`` or an external ``url``."""

    authority: tsp.TimestampAuthority | None
    url: str
    #: The certificates published for verifiers: the TSA's chain, TSA certificate first.
    certificates: tuple[x509.Certificate, ...]

    def stamp(self, data: bytes) -> bytes:
        """A DER RFC 3161 token over SHA-256(``data``)."""
        if self.authority is not None:
            return self.authority.stamp(data)
        return tsp.request_token(self.url, data)

    @property
    def chain_pem(self) -> str:
        return "".join(c.public_bytes(Encoding.PEM).decode("ascii") for c in self.certificates)


def time_stamping() -> TimeStamping:
    """The configured time-stamping authority (built-in keys are created on first use)."""
    return _time_stamping(
        settings.DATAIP_TSA_URL,
        Path(settings.DATAIP_TSA_KEY_FILE),
        Path(settings.DATAIP_TSA_CHAIN_FILE),
        settings.DATAIP_TSA_NAME,
        settings.DATAIP_LOG_ORIGIN,
    )


@functools.cache
def _time_stamping(
    url: str, key_file: Path, chain_file: Path, name: str, origin: str
) -> TimeStamping:
    if url:
        if not chain_file.exists():
            raise ImproperlyConfigured(
                f"DATAIP_TSA_URL is set: DATAIP_TSA_CHAIN_FILE ({chain_file}) must hold the "
                "certificates that verify the external TSA's tokens"
            )
        certificates = tsp.load_pem_certificates(chain_file.read_bytes())
        return TimeStamping(None, url, tuple(certificates))
    if not key_file.exists():
        key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Processes starting together (gunicorn workers, the task worker) must not pair one's
        # key with another's certificate: one creates the three files while holding the lock.
        with open(key_file.with_name(".tsa.lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not key_file.exists():
                material = tsp.generate_authority(common_name=name, organization=origin)
                ca_key = key_file.with_name(key_file.stem + "-ca" + key_file.suffix)
                create_private_file(ca_key, material.ca_key_pem)
                create_private_file(chain_file, material.chain_pem)
                create_private_file(key_file, material.key_pem)
    authority = tsp.TimestampAuthority.from_pem(
        read_private_file(key_file, "TSA private key"), chain_file.read_bytes()
    )
    return TimeStamping(authority, "", tuple(authority.certificates))


def clear_caches() -> None:
    """Forget loaded keys (tests change the settings they come from)."""
    _log_signer.cache_clear()
    _time_stamping.cache_clear()
