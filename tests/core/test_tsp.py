"""RFC 3161 time-stamping (dataip.core.tsp), checked against the OpenSSL command line.

OpenSSL's ``ts`` and ``x509`` commands are the independent implementation: they must accept our
tokens and responses, answer-able requests must come from ``openssl ts -query``, and their text
output must show what we put in. The verifier's failures are produced by byte-level edits of good
tokens, located with values computed here (hashlib, the fixed times), not by the code under test.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from asn1crypto import cms, core
from asn1crypto import tsp as asn1_tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID, NameOID

from dataip.core import tsp
from dataip.core.errors import InputError, VerificationError

DATA = b"the checkpoint of the log\n"
OTHER = b"another checkpoint\n"
START = datetime(2030, 1, 1, tzinfo=UTC)
WHEN = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
#: WHEN as the TSTInfo's GeneralizedTime and as the signingTime attribute's UTCTime (X.690).
WHEN_GENERALIZED = b"\x18\x0f20300102030405Z"
WHEN_UTC = b"\x17\x0d300102030405Z"
OPENSSL = shutil.which("openssl")
PEM = serialization.Encoding.PEM
DER = serialization.Encoding.DER


# --- fixtures and helpers -----------------------------------------------------------------------


@dataclass(frozen=True)
class Authority:
    material: tsp.AuthorityMaterial
    tsa: tsp.TimestampAuthority
    tsa_cert: x509.Certificate
    ca_cert: x509.Certificate
    ca_pem: Path
    tsa_pem: Path


def _authority(directory: Path, **kwargs: Any) -> Authority:
    material = tsp.generate_authority(common_name="Test TSA", organization="Test Org", **kwargs)
    tsa_cert, ca_cert = x509.load_pem_x509_certificates(material.chain_pem)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "ca.pem").write_bytes(ca_cert.public_bytes(PEM))
    (directory / "tsa.pem").write_bytes(tsa_cert.public_bytes(PEM))
    return Authority(
        material,
        tsp.TimestampAuthority.from_pem(material.key_pem, material.chain_pem),
        tsa_cert,
        ca_cert,
        directory / "ca.pem",
        directory / "tsa.pem",
    )


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    return _authority(tmp_path_factory.mktemp("tsa"), now=START)


@pytest.fixture(scope="module")
def stranger(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    return _authority(tmp_path_factory.mktemp("stranger"), now=START)


@pytest.fixture(scope="module")
def today(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    """An authority generated with the defaults: valid from now on, as OpenSSL checks by default."""
    return _authority(tmp_path_factory.mktemp("today"))


def openssl(*args: str | Path) -> subprocess.CompletedProcess[str]:
    if OPENSSL is None:
        pytest.fail("openssl is not on PATH: these tests need the OpenSSL command line")
    return subprocess.run(
        [OPENSSL, *map(str, args)], capture_output=True, text=True, check=False, timeout=60
    )


def verified_by_openssl(
    authority: Authority,
    tmp_path: Path,
    token: bytes,
    data: bytes,
    *,
    response: bool = False,
    at: datetime | None = WHEN,
) -> bool:
    """``openssl ts -verify`` of a token (or response) over ``data``, at ``at`` (None: now)."""
    (tmp_path / "in.der").write_bytes(token)
    (tmp_path / "data").write_bytes(data)
    form = [] if response else ["-token_in"]
    attime = [] if at is None else ["-attime", str(int(at.timestamp()))]
    result = openssl(
        "ts", "-verify", *form, "-in", tmp_path / "in.der", "-data", tmp_path / "data",
        "-CAfile", authority.ca_pem, "-untrusted", authority.tsa_pem, *attime,
    )  # fmt: skip
    assert ("Verification: OK" in result.stdout) == (result.returncode == 0), result
    return result.returncode == 0


def _key_pem(key: Any) -> bytes:
    return bytes(
        key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


def issue(
    name: str,
    key: Any,
    *,
    issuer: tuple[x509.Certificate, Any] | None = None,
    ca: bool | None = False,
    eku: list[x509.ObjectIdentifier] | None = None,
    ski: bool = False,
    eku_critical: bool = True,
    start: datetime = START,
    days: int = 3650,
) -> x509.Certificate:
    """A certificate built here with cryptography, independently of generate_authority.

    ``ca=None`` leaves out basicConstraints; ``issuer=None`` makes it self-signed.
    """
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    issuer_name, issuer_key = (issuer[0].subject, issuer[1]) if issuer else (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
    )
    if ca is not None:
        builder = builder.add_extension(
            x509.BasicConstraints(ca=ca, path_length=None), critical=True
        )
    if ski:
        builder = builder.add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=eku_critical)
    return builder.sign(issuer_key, hashes.SHA256())


def tsa_with(
    eku: list[x509.ObjectIdentifier] | None, *, eku_critical: bool = True, key: Any = None
) -> tuple[tsp.TimestampAuthority, x509.Certificate]:
    """A TSA (constructed directly, bypassing from_pem's checks) and its root certificate."""
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = issue("Root", root_key, ca=True)
    key = key or ec.generate_private_key(ec.SECP256R1())
    cert = issue("TSA", key, issuer=(root, root_key), eku=eku, eku_critical=eku_critical)
    return tsp.TimestampAuthority(key, [cert, root], tsp.POLICY_OID), root


def flip_last(blob: bytes, part: bytes) -> bytes:
    """``blob`` with the last byte of its one occurrence of ``part`` changed."""
    assert blob.count(part) == 1
    at = blob.index(part) + len(part) - 1
    return blob[:at] + bytes([blob[at] ^ 0x01]) + blob[at + 1 :]


def replace_once(blob: bytes, old: bytes, new: bytes) -> bytes:
    assert blob.count(old) == 1
    return blob.replace(old, new)


def failure(token: bytes, data: bytes, **kwargs: Any) -> VerificationError:
    with pytest.raises(VerificationError) as info:
        tsp.verify_token(token, data, **kwargs)
    assert info.value.message("zh") != info.value.message("en")
    return info.value


# --- the generated authority --------------------------------------------------------------------


def test_tsa_certificate_as_openssl_reads_it(authority: Authority) -> None:
    text = openssl("x509", "-in", authority.tsa_pem, "-noout", "-text").stdout
    assert re.search(r"X509v3 Extended Key Usage: critical\n\s+Time Stamping\n", text)
    assert re.search(r"X509v3 Key Usage: critical\n\s+Digital Signature, Non Repudiation\n", text)
    assert re.search(r"X509v3 Basic Constraints: critical\n\s+CA:FALSE\n", text)
    assert "X509v3 Subject Key Identifier" in text
    assert "X509v3 Authority Key Identifier" in text
    assert "ASN1 OID: prime256v1" in text
    assert "Subject: O = Test Org, CN = Test TSA" in text
    ca_text = openssl("x509", "-in", authority.ca_pem, "-noout", "-text").stdout
    assert re.search(r"X509v3 Basic Constraints: critical\n\s+CA:TRUE", ca_text)
    assert re.search(r"X509v3 Key Usage: critical\n\s+Certificate Sign, CRL Sign\n", ca_text)
    result = openssl(
        "verify", "-CAfile", authority.ca_pem, "-purpose", "timestampsign",
        "-attime", str(int(WHEN.timestamp())), authority.tsa_pem,
    )  # fmt: skip
    assert result.returncode == 0, result


def test_validity_periods(authority: Authority) -> None:
    assert authority.ca_cert.not_valid_before_utc == START
    assert authority.ca_cert.not_valid_after_utc == START.replace(year=2050)
    assert authority.tsa_cert.not_valid_before_utc == START
    assert authority.tsa_cert.not_valid_after_utc == START.replace(year=2040)


def test_material_round_trips(authority: Authority) -> None:
    key = serialization.load_pem_private_key(authority.material.key_pem, password=None)
    ca_key = serialization.load_pem_private_key(authority.material.ca_key_pem, password=None)
    assert authority.material.key_pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert key.public_key() == authority.tsa_cert.public_key()
    assert ca_key.public_key() == authority.ca_cert.public_key()
    assert tsp.load_pem_certificates(authority.material.chain_pem) == [
        authority.tsa_cert,
        authority.ca_cert,
    ]
    assert authority.tsa.certificates == [authority.tsa_cert, authority.ca_cert]


def test_from_pem_rejects_unusable_material(authority: Authority, stranger: Authority) -> None:
    material = authority.material
    cases: list[tuple[bytes, bytes, str]] = [
        (stranger.material.key_pem, material.chain_pem, "tsp_key_mismatch"),
        (b"not a key", material.chain_pem, "tsp_key_invalid"),
        (material.key_pem, b"not a certificate", "tsp_certificates_invalid"),
        (material.key_pem, b"", "tsp_certificates_invalid"),
        (_key_pem(ed25519.Ed25519PrivateKey.generate()), material.chain_pem, "tsp_key_unsupported"),
    ]
    for key_pem, chain_pem, code in cases:
        with pytest.raises(InputError) as info:
            tsp.TimestampAuthority.from_pem(key_pem, chain_pem)
        assert info.value.code == code
    with pytest.raises(InputError) as info:
        tsp.TimestampAuthority.from_pem(material.key_pem, material.chain_pem, policy="not.an.oid")
    assert info.value.code == "tsp_policy_invalid"


@pytest.mark.parametrize(
    ("eku", "critical", "problem"),
    [
        (None, True, "no extended key usage"),
        ([ExtendedKeyUsageOID.TIME_STAMPING], False, "not critical"),
        ([ExtendedKeyUsageOID.CODE_SIGNING], True, "not timeStamping alone"),
        ([ExtendedKeyUsageOID.TIME_STAMPING, ExtendedKeyUsageOID.CODE_SIGNING], True, "alone"),
    ],
)
def test_from_pem_requires_critical_timestamping(
    eku: list[x509.ObjectIdentifier] | None, critical: bool, problem: str
) -> None:
    authority, root = tsa_with(eku, eku_critical=critical)
    key_pem = _key_pem(authority._key)
    chain_pem = b"".join(c.public_bytes(PEM) for c in authority.certificates)
    with pytest.raises(InputError) as info:
        tsp.TimestampAuthority.from_pem(key_pem, chain_pem)
    assert info.value.code == "tsp_eku"
    assert problem in str(info.value)
    # ... and a token signed with such a certificate anyway does not verify.
    error = failure(authority.stamp(DATA, when=WHEN), DATA, trusted=[root])
    assert error.code == "tsp_eku"
    assert problem in str(error)


# --- tokens and responses, verified by OpenSSL --------------------------------------------------


def test_openssl_verifies_stamp(authority: Authority, tmp_path: Path) -> None:
    token = authority.tsa.stamp(DATA, when=WHEN)
    assert verified_by_openssl(authority, tmp_path, token, DATA)
    assert not verified_by_openssl(authority, tmp_path, token, OTHER)


def test_openssl_verifies_today(today: Authority, tmp_path: Path) -> None:
    token = today.tsa.stamp(DATA)
    assert not verified_by_openssl(today, tmp_path, token, OTHER, at=None)
    assert verified_by_openssl(today, tmp_path, token, DATA, at=None)
    assert tsp.verify_token(token, DATA, trusted=[today.ca_cert]).tsa_certificate == today.tsa_cert
    # The token carries the TSA certificate: the CA certificate alone suffices.
    result = openssl(
        "ts", "-verify", "-token_in", "-in", tmp_path / "in.der", "-data", tmp_path / "data",
        "-CAfile", today.ca_pem,
    )  # fmt: skip
    assert result.returncode == 0, result


def test_openssl_verifies_response(authority: Authority, tmp_path: Path) -> None:
    response = authority.tsa.respond(tsp.make_request(DATA, nonce=1234), when=WHEN)
    assert verified_by_openssl(authority, tmp_path, response, DATA, response=True)
    assert not verified_by_openssl(authority, tmp_path, response, OTHER, response=True)


@pytest.mark.parametrize("digest", ["sha256", "sha384", "sha512"])
@pytest.mark.parametrize("cert", [True, False])
def test_answers_openssl_query(
    authority: Authority, tmp_path: Path, digest: str, cert: bool
) -> None:
    """``openssl ts -query`` asks; ``openssl ts -verify -queryfile`` checks imprint and nonce."""
    (tmp_path / "data").write_bytes(DATA)
    query = openssl(
        "ts", "-query", "-data", tmp_path / "data", f"-{digest}", *(["-cert"] if cert else []),
        "-out", tmp_path / "request.tsq",
    )  # fmt: skip
    assert query.returncode == 0, query
    response = authority.tsa.respond((tmp_path / "request.tsq").read_bytes(), when=WHEN)
    (tmp_path / "response.tsr").write_bytes(response)
    result = openssl(
        "ts", "-verify", "-queryfile", tmp_path / "request.tsq", "-in", tmp_path / "response.tsr",
        "-CAfile", authority.ca_pem, "-untrusted", authority.tsa_pem,
        "-attime", str(int(WHEN.timestamp())),
    )  # fmt: skip
    assert result.returncode == 0, result
    token = _token_of(response)
    info = tsp.token_info(token)
    assert info.hash_algorithm == digest
    assert info.message_imprint == hashlib.new(digest, DATA).digest()
    # certReq false: RFC 3161 2.4.1 forbids the certificates; a trusted TSA certificate verifies.
    assert (info.tsa_certificate == authority.tsa_cert) is cert
    trusted = [authority.ca_cert] if cert else [authority.tsa_cert]
    assert tsp.verify_token(token, DATA, trusted=trusted).serial_number == info.serial_number
    if not cert:
        assert failure(token, DATA, trusted=[authority.ca_cert]).code == "tsp_signer_missing"


def _token_of(response: bytes) -> bytes:
    parsed = asn1_tsp.TimeStampResp.load(response)
    assert parsed["status"]["status"].native == "granted"
    return bytes(parsed["time_stamp_token"].dump())


def test_openssl_shows_policy_serial_and_nonce(authority: Authority, tmp_path: Path) -> None:
    nonce = 0x1234_5678_9ABC_DEF0
    response = authority.tsa.respond(tsp.make_request(DATA, nonce=nonce), when=WHEN)
    (tmp_path / "response.tsr").write_bytes(response)
    text = openssl("ts", "-reply", "-in", tmp_path / "response.tsr", "-text").stdout
    assert "Status: Granted." in text
    assert f"Policy OID: {tsp.POLICY_OID}\n" in text
    assert "Hash Algorithm: sha256" in text
    assert "Time stamp: Jan  2 03:04:05 2030 GMT" in text
    assert "Accuracy: 0x01 seconds" in text
    assert "TSA: DirName:/O=Test Org/CN=Test TSA" in text
    assert int(_field(text, "Nonce"), 16) == nonce
    serial = int(_field(text, "Serial number"), 16)
    assert serial == tsp.token_info(_token_of(response)).serial_number
    assert 0 < serial < 2**127


def _field(text: str, name: str) -> str:
    match = re.search(rf"^{name}: 0x([0-9A-F]+)$", text, re.MULTILINE)
    assert match, text
    return match.group(1)


def test_stamp_round_trips_serial_nonce_and_policy(authority: Authority, tmp_path: Path) -> None:
    material = authority.material
    custom = tsp.TimestampAuthority.from_pem(material.key_pem, material.chain_pem, policy="1.2.3.4")
    token = custom.stamp(DATA, nonce=99, when=WHEN, serial=2**126 + 5)
    (tmp_path / "token.der").write_bytes(token)
    text = openssl(
        "ts", "-reply", "-token_in", "-in", tmp_path / "token.der", "-token_out", "-text"
    )
    assert "Policy OID: 1.2.3.4\n" in text.stdout
    assert "Nonce: 0x63\n" in text.stdout
    info = tsp.verify_token(token, DATA, trusted=[authority.ca_cert])
    assert info == tsp.TimestampInfo(
        gen_time=WHEN,
        serial_number=2**126 + 5,
        policy="1.2.3.4",
        hash_algorithm="sha256",
        message_imprint=hashlib.sha256(DATA).digest(),
        nonce=99,
        tsa_certificate=authority.tsa_cert,
    )
    assert tsp.token_info(token) == info
    assert tsp.token_info(authority.tsa.stamp(DATA)).nonce is None
    # A request naming that policy is granted by it, and refused by the default one.
    request = tsp.make_request(DATA, policy="1.2.3.4")
    assert tsp.token_info(_token_of(custom.respond(request))).policy == "1.2.3.4"
    assert _status(authority.tsa.respond(request)) == ("rejection", {"unaccepted_policy"})


def test_stamp_times(authority: Authority) -> None:
    later = WHEN.replace(microsecond=654321)
    assert tsp.token_info(authority.tsa.stamp(DATA, when=later)).gen_time == WHEN
    naive = WHEN.replace(tzinfo=None)
    assert tsp.token_info(authority.tsa.stamp(DATA, when=naive)).gen_time == WHEN
    beijing = WHEN.astimezone(timezone(timedelta(hours=8)))
    assert tsp.token_info(authority.tsa.stamp(DATA, when=beijing)).gen_time == WHEN
    before = datetime.now(UTC).replace(microsecond=0)
    gen_time = tsp.token_info(authority.tsa.stamp(DATA)).gen_time
    assert before <= gen_time <= datetime.now(UTC)
    assert gen_time.tzinfo == UTC
    serials = {tsp.token_info(authority.tsa.stamp(DATA)).serial_number for _ in range(20)}
    assert len(serials) == 20


def test_rsa_authority(tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    authority, root = tsa_with([ExtendedKeyUsageOID.TIME_STAMPING], key=key)
    chain_pem = b"".join(c.public_bytes(PEM) for c in authority.certificates)
    loaded = tsp.TimestampAuthority.from_pem(_key_pem(key), chain_pem)
    token = loaded.stamp(DATA, when=WHEN)
    assert tsp.verify_token(token, DATA, trusted=[root]).gen_time == WHEN
    (tmp_path / "ca.pem").write_bytes(root.public_bytes(PEM))
    (tmp_path / "token.der").write_bytes(token)
    (tmp_path / "data").write_bytes(DATA)
    result = openssl(
        "ts", "-verify", "-token_in", "-in", tmp_path / "token.der", "-data", tmp_path / "data",
        "-CAfile", tmp_path / "ca.pem", "-attime", str(int(WHEN.timestamp())),
    )  # fmt: skip
    assert result.returncode == 0, result


# --- requests and refusals ----------------------------------------------------------------------


def _status(response: bytes) -> tuple[str, set[str]]:
    """Status and failure bits, read with asn1crypto's PKIStatusInfo (the token is absent)."""
    outer = core.Sequence.load(response)
    assert len(outer) == 1
    status = asn1_tsp.PKIStatusInfo.load(outer[0].dump())
    return status["status"].native, set(status["fail_info"].native or ())


def test_make_request_as_openssl_reads_it(tmp_path: Path) -> None:
    (tmp_path / "request.tsq").write_bytes(tsp.make_request(DATA, nonce=0xABCDEF))
    text = openssl("ts", "-query", "-in", tmp_path / "request.tsq", "-text").stdout
    assert "Version: 1" in text
    assert "Hash Algorithm: sha256" in text
    digest = hashlib.sha256(DATA).hexdigest()
    dumped = "".join(re.findall(r"- ((?:[0-9a-f]{2}[ -]){1,16})", text)).replace(" ", "")
    assert dumped.replace("-", "") == digest
    assert "Policy OID: unspecified" in text
    assert "Nonce: 0xABCDEF" in text
    assert "Certificate required: yes" in text
    (tmp_path / "plain.tsq").write_bytes(tsp.make_request(DATA, cert_req=False, policy="1.2.3"))
    text = openssl("ts", "-query", "-in", tmp_path / "plain.tsq", "-text").stdout
    assert "Nonce: unspecified" in text
    assert "Certificate required: no" in text
    assert "Policy OID: 1.2.3" in text


def _request(**changes: Any) -> bytes:
    """A TimeStampReq built here with asn1crypto, with some fields changed."""
    fields: dict[str, Any] = {
        "version": "v1",
        "message_imprint": {
            "hash_algorithm": {"algorithm": "sha256"},
            "hashed_message": hashlib.sha256(DATA).digest(),
        },
        "cert_req": True,
    }
    fields.update(changes)
    return bytes(asn1_tsp.TimeStampReq(fields).dump())


@pytest.mark.parametrize(
    ("request_der", "fail_info", "openssl_text"),
    [
        (b"garbage", "bad_data_format", "the data submitted has the wrong format"),
        (_request()[:-1], "bad_data_format", "the data submitted has the wrong format"),
        (_request(version=2), "bad_request", "transaction not permitted or supported"),
        (
            _request(
                message_imprint={
                    "hash_algorithm": {"algorithm": "sha1"},
                    "hashed_message": bytes(20),
                }
            ),
            "bad_alg",
            "unrecognized or unsupported algorithm identifier",
        ),
        (
            _request(
                message_imprint={
                    "hash_algorithm": {"algorithm": "sha256"},
                    "hashed_message": b"short",
                }
            ),
            "bad_data_format",
            "the data submitted has the wrong format",
        ),
        (
            _request(req_policy="1.2.3.4"),
            "unaccepted_policy",
            "the requested TSA policy is not supported by the TSA",
        ),
        (
            _request(extensions=[{"extn_id": "1.2.3.4", "extn_value": b"\x05\x00"}]),
            "unaccepted_extensions",
            "the requested extension is not supported by the TSA",
        ),
    ],
)
def test_respond_refuses(
    authority: Authority, tmp_path: Path, request_der: bytes, fail_info: str, openssl_text: str
) -> None:
    response = authority.tsa.respond(request_der)
    assert _status(response) == ("rejection", {fail_info})
    (tmp_path / "response.tsr").write_bytes(response)
    text = openssl("ts", "-reply", "-in", tmp_path / "response.tsr", "-text").stdout
    assert "Status: Rejected." in text
    assert f"Failure info: {openssl_text}\n" in text
    assert "TST info:\nNot included." in text


# --- verify_token -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def token(authority: Authority) -> bytes:
    return authority.tsa.stamp(DATA, nonce=7, when=WHEN)


def test_verify_accepts(authority: Authority, token: bytes) -> None:
    info = tsp.verify_token(token, DATA, trusted=[authority.ca_cert])
    assert info.gen_time == WHEN
    assert info.nonce == 7
    assert info.tsa_certificate == authority.tsa_cert
    # A trusted TSA certificate is an anchor itself; unrelated trusted certificates do no harm.
    assert tsp.verify_token(token, DATA, trusted=[authority.tsa_cert]) == info
    assert tsp.verify_token(token, DATA, trusted=[authority.ca_cert], at=START) == info


def test_verify_rejects_other_data(authority: Authority, token: bytes) -> None:
    error = failure(token, OTHER, trusted=[authority.ca_cert])
    assert error.code == "tsp_imprint"
    assert hashlib.sha256(OTHER).hexdigest() in str(error)
    assert hashlib.sha256(DATA).hexdigest() in str(error)


def test_verify_rejects_flipped_signature(
    authority: Authority, token: bytes, tmp_path: Path
) -> None:
    signature = cms.ContentInfo.load(token)["content"]["signer_infos"][0]["signature"].native
    bad = flip_last(token, signature)
    assert failure(bad, DATA, trusted=[authority.ca_cert]).code == "tsp_signature"
    assert not verified_by_openssl(authority, tmp_path, bad, DATA)


def test_verify_rejects_wrong_trust_root(
    authority: Authority, stranger: Authority, token: bytes, tmp_path: Path
) -> None:
    error = failure(token, DATA, trusted=[stranger.ca_cert])
    assert error.code == "tsp_chain"
    assert "CN=Test TSA" in str(error)
    assert not verified_by_openssl(stranger, tmp_path, token, DATA)
    assert failure(token, DATA, trusted=[]).code == "tsp_chain"
    # The stranger's token, carrying its own chain, does not verify against our root either.
    assert failure(stranger.tsa.stamp(DATA), DATA, trusted=[authority.ca_cert]).code == "tsp_chain"


def test_verify_rejects_changed_tstinfo(authority: Authority, token: bytes, tmp_path: Path) -> None:
    bad = replace_once(token, WHEN_GENERALIZED, WHEN_GENERALIZED.replace(b"05Z", b"06Z"))
    error = failure(bad, DATA, trusted=[authority.ca_cert])
    assert error.code == "tsp_message_digest"
    assert not verified_by_openssl(authority, tmp_path, bad, DATA)


def test_verify_rejects_changed_signed_attribute(
    authority: Authority, token: bytes, tmp_path: Path
) -> None:
    bad = replace_once(token, WHEN_UTC, WHEN_UTC.replace(b"05Z", b"06Z"))
    assert failure(bad, DATA, trusted=[authority.ca_cert]).code == "tsp_signature"
    assert not verified_by_openssl(authority, tmp_path, bad, DATA)


def test_verify_rejects_ess_naming_another_certificate(authority: Authority, token: bytes) -> None:
    tsa_hash = hashlib.sha256(authority.tsa_cert.public_bytes(DER)).digest()
    ca_hash = hashlib.sha256(authority.ca_cert.public_bytes(DER)).digest()
    bad = replace_once(token, tsa_hash, ca_hash)
    error = failure(bad, DATA, trusted=[authority.ca_cert])
    assert error.code == "tsp_ess"
    assert "certificate hash" in str(error)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1],
        lambda t: t[: len(t) // 2],
        lambda t: t + b"\x00",
        lambda t: b"",
        lambda t: b"\x30\x03\x02\x01",
    ],
)
def test_verify_rejects_malformed_der(authority: Authority, token: bytes, mangle: Any) -> None:
    error = failure(mangle(token), DATA, trusted=[authority.ca_cert])
    assert error.code == "tsp_malformed"
    with pytest.raises(VerificationError):
        tsp.token_info(mangle(token))


def test_verify_rejects_other_structures(authority: Authority) -> None:
    data = cms.ContentInfo({"content_type": "data", "content": b"x"}).dump()
    error = failure(data, DATA, trusted=[authority.ca_cert])
    assert error.code == "tsp_structure"
    assert "the content type is data" in str(error)
    signed_data = cms.ContentInfo(
        {
            "content_type": "signed_data",
            "content": {
                "version": "v1",
                "digest_algorithms": [],
                "encap_content_info": {"content_type": "data", "content": b"x"},
                "signer_infos": [],
            },
        }
    ).dump()
    error = failure(signed_data, DATA, trusted=[authority.ca_cert])
    assert error.code == "tsp_structure"
    assert "eContentType is data" in str(error)


def test_verify_checks_validity_at_gen_time(authority: Authority, tmp_path: Path) -> None:
    early = authority.tsa.stamp(DATA, when=START - timedelta(seconds=1))
    error = failure(early, DATA, trusted=[authority.ca_cert])
    assert error.code == "tsp_validity"
    assert "2029-12-31T23:59:59+00:00" in str(error)
    late = authority.tsa.stamp(DATA, when=START.replace(year=2040) + timedelta(seconds=1))
    assert failure(late, DATA, trusted=[authority.ca_cert]).code == "tsp_validity"
    # Certificates are checked at genTime, not today, unless ``at`` says otherwise.
    token = authority.tsa.stamp(DATA, when=WHEN)
    assert tsp.verify_token(token, DATA, trusted=[authority.ca_cert]).gen_time == WHEN
    after = START.replace(year=2041)
    assert failure(token, DATA, trusted=[authority.ca_cert], at=after).code == "tsp_validity"
    # OpenSSL agrees about the early token, checked at its own genTime.
    (tmp_path / "early.der").write_bytes(early)
    (tmp_path / "data").write_bytes(DATA)
    result = openssl(
        "ts", "-verify", "-token_in", "-in", tmp_path / "early.der", "-data", tmp_path / "data",
        "-CAfile", authority.ca_pem, "-attime", str(int(START.timestamp()) - 1),
    )  # fmt: skip
    assert result.returncode != 0


def test_verify_through_intermediate() -> None:
    root_key, middle_key, key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    root = issue("Root", root_key, ca=True)
    middle = issue("Intermediate", middle_key, issuer=(root, root_key), ca=True)
    cert = issue("TSA", key, issuer=(middle, middle_key), eku=[ExtendedKeyUsageOID.TIME_STAMPING])
    authority = tsp.TimestampAuthority(key, [cert, middle], tsp.POLICY_OID)
    token = authority.stamp(DATA, when=WHEN)
    assert tsp.verify_token(token, DATA, trusted=[root]).tsa_certificate == cert
    assert tsp.verify_token(token, DATA, trusted=[middle]).tsa_certificate == cert
    # Without the intermediate in the token the chain is broken.
    bare = tsp.TimestampAuthority(key, [cert], tsp.POLICY_OID).stamp(DATA, when=WHEN)
    assert failure(bare, DATA, trusted=[root]).code == "tsp_chain"
    # An intermediate that is not a CA does not issue.
    fake = issue("Intermediate", middle_key, issuer=(root, root_key), ca=False)
    forged = tsp.TimestampAuthority(key, [cert, fake], tsp.POLICY_OID).stamp(DATA, when=WHEN)
    assert failure(forged, DATA, trusted=[root]).code == "tsp_chain"
    plain = issue("Intermediate", middle_key, issuer=(root, root_key), ca=None)
    forged = tsp.TimestampAuthority(key, [cert, plain], tsp.POLICY_OID).stamp(DATA, when=WHEN)
    assert failure(forged, DATA, trusted=[root]).code == "tsp_chain"


# --- tokens made by OpenSSL's TSA ---------------------------------------------------------------

OPENSSL_TSA_CONFIG = """
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = {serial}
crypto_device = builtin
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = {ess}
"""


@pytest.mark.parametrize("ess", ["sha1", "sha256"])
@pytest.mark.parametrize("digest", ["sha256", "sha512"])
def test_verify_accepts_openssl_tokens(
    today: Authority, tmp_path: Path, ess: str, digest: str
) -> None:
    """OpenSSL's own TSA signs; ``sha1`` makes it use ESS signingCertificate (version 1)."""
    (tmp_path / "serial").write_text("0A\n")
    config = OPENSSL_TSA_CONFIG.format(serial=tmp_path / "serial", ess=ess)
    (tmp_path / "tsa.cnf").write_text(config)
    (tmp_path / "key.pem").write_bytes(today.material.key_pem)
    (tmp_path / "data").write_bytes(DATA)
    query = openssl(
        "ts", "-query", "-data", tmp_path / "data", f"-{digest}", "-cert", "-no_nonce",
        "-out", tmp_path / "request.tsq",
    )  # fmt: skip
    assert query.returncode == 0, query
    reply = openssl(
        "ts", "-reply", "-config", tmp_path / "tsa.cnf", "-queryfile", tmp_path / "request.tsq",
        "-signer", today.tsa_pem, "-inkey", tmp_path / "key.pem", "-chain", today.ca_pem,
        "-token_out", "-out", tmp_path / "token.der",
    )  # fmt: skip
    assert reply.returncode == 0, reply
    token = (tmp_path / "token.der").read_bytes()
    attribute = "1.2.840.113549.1.9.16.2.47" if ess == "sha256" else "1.2.840.113549.1.9.16.2.12"
    signer_info = cms.ContentInfo.load(token)["content"]["signer_infos"][0]
    assert attribute in [a["type"].dotted for a in signer_info["signed_attrs"]]
    info = tsp.verify_token(token, DATA, trusted=[today.ca_cert])
    # The serial file holds the last serial number used.
    assert (info.serial_number, info.policy, info.nonce) == (11, "1.2.3.4.1", None)
    assert info.hash_algorithm == digest
    assert info.tsa_certificate == today.tsa_cert
    assert failure(token, OTHER, trusted=[today.ca_cert]).code == "tsp_imprint"


# --- tokens forged here, part by part -----------------------------------------------------------


def _sign(key: Any, message: bytes, algorithm: str) -> bytes:
    if algorithm.endswith("_ecdsa"):  # always SHA-256, whatever the name says
        return bytes(key.sign(message, ec.ECDSA(hashes.SHA256())))
    if algorithm == "rsassa_pss":
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        return bytes(key.sign(message, pss, hashes.SHA256()))
    if algorithm == "ed25519":
        return bytes(key.sign(message))
    return bytes(key.sign(message, padding.PKCS1v15(), hashes.SHA256()))


PSS_PARAMETERS = {
    "hash_algorithm": {"algorithm": "sha256"},
    "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": "sha256"}},
    "salt_length": 32,
}


def forge(
    key: Any,
    certs: list[x509.Certificate],
    *,
    tst: dict[str, Any] | None = None,
    tst_der: bytes | None = None,
    attrs: dict[str, Any] | None = None,
    signed: bool = True,
    sid: str = "issuer",
    algorithm: str = "sha256_ecdsa",
    parameters: Any = None,
    digest: str = "sha256",
    signers: int = 1,
) -> bytes:
    """A token assembled here with asn1crypto; each keyword replaces one part of it."""
    signer = certs[0]
    signer_der = signer.public_bytes(DER)
    fields: dict[str, Any] = {
        "version": "v1",
        "policy": "1.2.3.4",
        "message_imprint": {
            "hash_algorithm": {"algorithm": "sha256"},
            "hashed_message": hashlib.sha256(DATA).digest(),
        },
        "serial_number": 1,
        "gen_time": WHEN,
    }
    fields.update(tst or {})
    tst_der = tst_der if tst_der is not None else asn1_tsp.TSTInfo(fields).dump()
    by_name: dict[str, Any] = {
        "content_type": ["tst_info"],
        "message_digest": [hashlib.sha256(tst_der).digest()],
        "signing_certificate_v2": [{"certs": [{"cert_hash": hashlib.sha256(signer_der).digest()}]}],
    }
    by_name.update(attrs or {})
    signed_attrs = cms.CMSAttributes(
        [{"type": name, "values": values} for name, values in by_name.items() if values is not None]
    )
    message = signed_attrs.dump() if signed else tst_der
    identifier: Any = (
        {"subject_key_identifier": bytes(20)}
        if sid == "unknown-ski"
        else {
            "subject_key_identifier": signer.extensions.get_extension_for_class(
                x509.SubjectKeyIdentifier
            ).value.digest
        }
        if sid == "ski"
        else {
            "issuer_and_serial_number": {
                "issuer": asn1_x509.Name.load(signer.issuer.public_bytes()),
                "serial_number": signer.serial_number,
            }
        }
    )
    signer_info: dict[str, Any] = {
        "version": "v1" if sid == "issuer" else "v3",
        "sid": identifier,
        "digest_algorithm": {"algorithm": digest},
        "signature_algorithm": {"algorithm": algorithm, "parameters": parameters},
        "signature": _sign(key, message, algorithm),
    }
    if signed:
        signer_info["signed_attrs"] = signed_attrs
    token = cms.ContentInfo(
        {
            "content_type": "signed_data",
            "content": {
                "version": "v3",
                "digest_algorithms": [{"algorithm": digest}],
                "encap_content_info": {
                    "content_type": "tst_info",
                    "content": cms.ParsableOctetString(tst_der),
                },
                "certificates": [
                    cms.CertificateChoices(
                        name="certificate", value=asn1_x509.Certificate.load(c.public_bytes(DER))
                    )
                    for c in certs
                ],
                "signer_infos": [signer_info] * signers,
            },
        }
    )
    return bytes(token.dump())


@pytest.fixture(scope="module")
def pki() -> tuple[Any, list[x509.Certificate], x509.Certificate]:
    """An EC TSA key, its chain [TSA, root] (the TSA certificate has an SKI), and the root."""
    root_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root = issue("Root", root_key, ca=True)
    cert = issue(
        "TSA", key, issuer=(root, root_key), eku=[ExtendedKeyUsageOID.TIME_STAMPING], ski=True
    )
    return key, [cert, root], root


def test_forged_baseline_is_valid(pki: Any, tmp_path: Path) -> None:
    """The forging helper makes valid tokens (OpenSSL agrees), so each change below is the cause."""
    key, certs, root = pki
    token = forge(key, certs)
    assert tsp.verify_token(token, DATA, trusted=[root]).serial_number == 1
    (tmp_path / "ca.pem").write_bytes(root.public_bytes(PEM))
    (tmp_path / "token.der").write_bytes(token)
    (tmp_path / "data").write_bytes(DATA)
    result = openssl(
        "ts", "-verify", "-token_in", "-in", tmp_path / "token.der", "-data", tmp_path / "data",
        "-CAfile", tmp_path / "ca.pem", "-attime", str(int(WHEN.timestamp())),
    )  # fmt: skip
    assert result.returncode == 0, result
    # A signer named by its key identifier (CMS; OpenSSL's PKCS#7 code cannot read it).
    assert tsp.verify_token(forge(key, certs, sid="ski"), DATA, trusted=[root])
    ess_v1 = {
        "signing_certificate_v2": None,
        "signing_certificate": [
            # ESSCertID's hash is SHA-1 by definition (RFC 2634 5.4.1).
            {"certs": [{"cert_hash": hashlib.sha1(certs[0].public_bytes(DER)).digest()}]}  # noqa: S324
        ],
    }
    assert tsp.verify_token(forge(key, certs, attrs=ess_v1), DATA, trusted=[root])


def test_forged_rsa_signatures() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    authority, root = tsa_with([ExtendedKeyUsageOID.TIME_STAMPING], key=key)
    certs = authority.certificates
    pss = forge(key, certs, algorithm="rsassa_pss", parameters=PSS_PARAMETERS)
    assert tsp.verify_token(pss, DATA, trusted=[root]).serial_number == 1
    # rsaEncryption names no hash: the SignerInfo's digest algorithm applies.
    assert tsp.verify_token(forge(key, certs, algorithm="rsassa_pkcs1v15"), DATA, trusted=[root])
    mgf1_sha1 = {"algorithm": "mgf1", "parameters": {"algorithm": "sha1"}}
    sha1_mgf = {**PSS_PARAMETERS, "mask_gen_algorithm": mgf1_sha1}
    error = failure(
        forge(key, certs, algorithm="rsassa_pss", parameters=sha1_mgf), DATA, trusted=[root]
    )
    assert error.code == "tsp_signature_unsupported"
    assert tsp.verify_token(forge(key, certs, algorithm="sha256_rsa"), DATA, trusted=[root])


def test_forged_unsupported_signatures(pki: Any) -> None:
    key, certs, root = pki
    # A signature algorithm other than the one used, and an Ed25519 TSA (not supported).
    mismatch = forge(key, certs, algorithm="sha384_ecdsa")
    assert failure(mismatch, DATA, trusted=[root]).code == "tsp_signature"
    root_key = ec.generate_private_key(ec.SECP256R1())
    ed_root = issue("Root", root_key, ca=True)
    ed_key = ed25519.Ed25519PrivateKey.generate()
    ed_cert = issue(
        "TSA", ed_key, issuer=(ed_root, root_key), eku=[ExtendedKeyUsageOID.TIME_STAMPING]
    )
    ed_token = forge(ed_key, [ed_cert, ed_root], algorithm="ed25519")
    error = failure(ed_token, DATA, trusted=[ed_root])
    assert error.code == "tsp_signature_unsupported"
    assert "ed25519 with a Ed25519PublicKey" in str(error)
    error = failure(forge(key, certs, algorithm="sha1_ecdsa"), DATA, trusted=[root])
    assert error.code == "tsp_signature_unsupported"
    assert "ecdsa with sha1" in str(error)


@pytest.mark.parametrize(
    ("changes", "code", "detail"),
    [
        ({"tst": {"version": 2}}, "tsp_structure", "the TSTInfo version is 2"),
        ({"signers": 2}, "tsp_structure", "it has 2 signers"),
        ({"tst_der": b"\x30\x00"}, "tsp_malformed", "version"),
        (
            {
                "tst": {
                    "message_imprint": {
                        "hash_algorithm": {"algorithm": "sha1"},
                        "hashed_message": bytes(20),
                    }
                }
            },
            "tsp_hash_unsupported",
            "message imprint uses the unsupported hash algorithm sha1",
        ),
        ({"digest": "sha1"}, "tsp_hash_unsupported", "signer digest"),
        ({"signed": False}, "tsp_attribute", "signedAttrs"),
        ({"attrs": {"content_type": ["data"]}}, "tsp_attribute", "contentType"),
        ({"attrs": {"content_type": None}}, "tsp_attribute", "contentType"),
        ({"attrs": {"message_digest": None}}, "tsp_attribute", "messageDigest is invalid: missing"),
        (
            {"attrs": {"message_digest": [bytes(32), bytes(32)]}},
            "tsp_attribute",
            "not exactly one value",
        ),
        (
            {"attrs": {"signing_certificate_v2": None}},
            "tsp_attribute",
            "signingCertificateV2 is invalid: missing",
        ),
        (
            {
                "attrs": {
                    "signing_certificate_v2": [
                        {
                            "certs": [
                                {"hash_algorithm": {"algorithm": "sha1"}, "cert_hash": bytes(20)}
                            ]
                        }
                    ]
                }
            },
            "tsp_hash_unsupported",
            "ESS certificate identifier",
        ),
        ({"sid": "unknown-ski"}, "tsp_signer_missing", "neither in the token"),
        (
            {"tst": {"tsa": {"directory_name": asn1_x509.Name.build({"common_name": "Other"})}}},
            "tsp_tsa_name",
            "TSA name",
        ),
    ],
)
def test_forged_defects(pki: Any, changes: dict[str, Any], code: str, detail: str) -> None:
    key, certs, root = pki
    error = failure(forge(key, certs, **changes), DATA, trusted=[root])
    assert error.code == code
    assert detail in str(error)


def test_forged_ess_issuer_serial(pki: Any) -> None:
    key, certs, root = pki
    cert_hash = hashlib.sha256(certs[0].public_bytes(DER)).digest()
    issuer = asn1_x509.GeneralName(
        name="directory_name", value=asn1_x509.Name.load(certs[0].issuer.public_bytes())
    )

    def ess(serial: int) -> dict[str, Any]:
        cert_id = {
            "cert_hash": cert_hash,
            "issuer_serial": {"issuer": [issuer], "serial_number": serial},
        }
        return {"signing_certificate_v2": [{"certs": [cert_id]}]}

    good = forge(key, certs, attrs=ess(certs[0].serial_number))
    assert tsp.verify_token(good, DATA, trusted=[root])
    error = failure(forge(key, certs, attrs=ess(certs[0].serial_number + 1)), DATA, trusted=[root])
    assert error.code == "tsp_ess"
    assert "issuer and serial number" in str(error)


def test_chain_length_is_bounded() -> None:
    """A path through more CA certificates than the limit is not followed."""
    keys = [ec.generate_private_key(ec.SECP256R1()) for _ in range(12)]
    chain = [issue("CA 0", keys[0], ca=True)]
    for number in range(1, 11):
        issuer = (chain[-1], keys[number - 1])
        chain.append(issue(f"CA {number}", keys[number], issuer=issuer, ca=True))
    cert = issue(
        "TSA", keys[11], issuer=(chain[-1], keys[10]), eku=[ExtendedKeyUsageOID.TIME_STAMPING]
    )
    long = tsp.TimestampAuthority(keys[11], [cert, *chain[1:]], tsp.POLICY_OID)
    token = long.stamp(DATA, when=WHEN)
    assert tsp.verify_token(token, DATA, trusted=[chain[5]])
    assert failure(token, DATA, trusted=[chain[0]]).code == "tsp_chain"


def test_unreadable_extended_key_usage() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TSA")]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TSA")]))
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(START)
        .not_valid_after(START + timedelta(days=1))
        .add_extension(
            x509.UnrecognizedExtension(ExtensionOID.EXTENDED_KEY_USAGE, b"not DER"), critical=True
        )
        .sign(key, hashes.SHA256())
    )
    token = tsp.TimestampAuthority(key, [cert], tsp.POLICY_OID).stamp(DATA, when=WHEN)
    error = failure(token, DATA, trusted=[cert])
    assert error.code == "tsp_eku"
    assert "cannot be read" in str(error)


def test_der_length() -> None:
    """X.690 8.1.3: short form below 128, else 0x80 | count, then big-endian octets."""
    assert tsp._der_length(0) == b"\x00"
    assert tsp._der_length(127) == b"\x7f"
    assert tsp._der_length(128) == b"\x81\x80"
    assert tsp._der_length(300) == b"\x82\x01\x2c"


def test_generate_authority_on_leap_day() -> None:
    material = tsp.generate_authority(
        common_name="TSA", organization="Org", now=datetime(2028, 2, 29, 12, tzinfo=UTC)
    )
    tsa_cert, ca_cert = x509.load_pem_x509_certificates(material.chain_pem)
    assert ca_cert.not_valid_after_utc == datetime(2048, 2, 29, 12, tzinfo=UTC)
    assert tsa_cert.not_valid_after_utc == datetime(2038, 2, 28, 12, tzinfo=UTC)


# --- request_token over loopback HTTP -----------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    modes: ClassVar[dict[int, str]] = {}
    seen: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).seen.append(self.headers["Content-Type"])
        server: Any = self.server
        mode = self.modes[server.server_address[1]]
        if mode == "500":
            self.send_error(500, "TSA broken")
            return
        if mode == "garbage":
            reply = b"this is not DER"
        elif mode == "huge":
            reply = bytes(2 << 20)
        elif mode == "no-token":
            reply = bytes.fromhex("30053003020100")  # granted, and nothing else
        elif mode == "reject":
            reply = server.authority.respond(b"")
        else:
            if mode in ("nonce", "imprint"):
                request = asn1_tsp.TimeStampReq.load(body)
                if mode == "nonce":
                    request["nonce"] = request["nonce"].native + 1
                else:
                    request["message_imprint"]["hashed_message"] = hashlib.sha256(OTHER).digest()
                body = request.dump(force=True)
            reply = server.authority.respond(body)
        self.send_response(200)
        self.send_header("Content-Type", tsp.REPLY_MEDIA_TYPE)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server(today: Authority, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    httpd: Any = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.authority = today.tsa
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}/tsa"
    _Handler.modes[httpd.server_address[1]] = "ok"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def _mode(server: Any, mode: str) -> None:
    _Handler.modes[server.server_address[1]] = mode


def test_request_token(server: Any, today: Authority) -> None:
    _Handler.seen.clear()
    token = tsp.request_token(server.url, DATA, nonce=2**63 + 1)
    assert _Handler.seen == [tsp.QUERY_MEDIA_TYPE]
    info = tsp.verify_token(token, DATA, trusted=[today.ca_cert])
    assert info.nonce == 2**63 + 1
    assert info.policy == tsp.POLICY_OID
    assert info.tsa_certificate == today.tsa_cert
    assert tsp.token_info(tsp.request_token(server.url, DATA)).nonce is not None


@pytest.mark.parametrize(
    ("mode", "kind", "code", "detail"),
    [
        ("reject", InputError, "tsp_rejected", "bad_data_format"),
        ("500", InputError, "tsp_http_error", "HTTP error 500"),
        ("garbage", VerificationError, "tsp_reply_malformed", "not a valid TimeStampResp"),
        ("huge", VerificationError, "tsp_reply_malformed", "too large"),
        ("no-token", VerificationError, "tsp_reply_malformed", "granted without a token"),
        ("nonce", VerificationError, "tsp_reply_mismatch", "nonce sent 10, received 11"),
        ("imprint", VerificationError, "tsp_reply_mismatch", hashlib.sha256(OTHER).hexdigest()),
    ],
)
def test_request_token_failures(
    server: Any, mode: str, kind: type[Exception], code: str, detail: str
) -> None:
    _mode(server, mode)
    with pytest.raises(kind) as info:
        tsp.request_token(server.url, DATA, nonce=10)
    error: Any = info.value
    assert error.code == code
    assert detail in str(error)
    assert error.message("zh") != str(error)


def test_request_token_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(InputError) as info:
        tsp.request_token(f"http://127.0.0.1:{port}/", DATA, timeout=5)
    assert info.value.code == "tsp_unreachable"
    with pytest.raises(InputError) as info:
        tsp.request_token("file:///etc/passwd", DATA)
    assert info.value.code == "tsp_url"
