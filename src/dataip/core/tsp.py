"""RFC 3161 time-stamping: a time-stamping authority (TSA), its client, and token verification.

A time-stamp token (RFC 3161 section 2.4.2) is a CMS ``ContentInfo`` (RFC 5652) holding a
``SignedData`` whose encapsulated content, of type ``id-ct-TSTInfo``, is the DER ``TSTInfo``: the
TSA's policy, the message imprint (a hash of the stamped data), a serial number, the time
(``genTime``, UTC), the accuracy and the requester's nonce. The one ``SignerInfo`` signs the DER
signed attributes ``contentType``, ``signingTime``, ``messageDigest`` (the hash of the ``TSTInfo``)
and the ESS ``signingCertificateV2`` (RFC 5035), which names the TSA certificate by its SHA-256
hash (RFC 3161 section 2.4.1 requires the ESS attribute, RFC 5816 allows its V2 form; OpenSSL
refuses tokens without it). The TSA certificate carries the
extended key usage ``id-kp-timeStamping`` alone, marked critical (RFC 3161 section 2.3).

:class:`TimestampAuthority` is the platform's built-in TSA: :meth:`~TimestampAuthority.stamp`
returns a token, :meth:`~TimestampAuthority.respond` answers a DER ``TimeStampReq`` with a DER
``TimeStampResp`` (RFC 3161 section 2.4), the body of the HTTP transport of section 3.4, which
:func:`request_token` speaks to any TSA. :func:`generate_authority` makes a key, a self-signed CA
certificate and a TSA certificate (ECDSA P-256). :func:`verify_token` checks a token completely
and raises :class:`~dataip.core.errors.VerificationError` naming the part that failed;
:func:`token_info` only reads it.

The tokens are standard: OpenSSL verifies them with the published certificates (``ca.pem`` is the
CA certificate, ``tsa.pem`` the TSA certificate; the token also carries both)::

    # a token (the DER ContentInfo) over a file
    openssl ts -verify -token_in -in token.der -data file -CAfile ca.pem -untrusted tsa.pem
    # a whole TimeStampResp (as served over HTTP) over a file
    openssl ts -verify -in response.tsr -data file -CAfile ca.pem -untrusted tsa.pem
    # a token over a SHA-256 digest given in hexadecimal
    openssl ts -verify -token_in -in token.der -digest HEX -CAfile ca.pem -untrusted tsa.pem
    # show a token: policy, serial number, time, nonce
    openssl ts -reply -token_in -in token.der -token_out -text
    # ask a TSA over HTTP (RFC 3161 section 3.4)
    openssl ts -query -data file -sha256 -cert -out request.tsq
    curl -s -H 'Content-Type: application/timestamp-query' --data-binary @request.tsq URL \\
        -o response.tsr

Design decisions: ``genTime`` has whole seconds and the accuracy is one second; the serial number
is a random 127-bit integer; the token carries the TSA certificate then the rest of the chain
unless a request's ``certReq`` is false (RFC 3161 section 2.4.1 then forbids certificates, so
:attr:`TimestampInfo.tsa_certificate` is ``None`` in :func:`token_info` for such a token and the
verifier finds the TSA certificate among the trusted ones). Certificates are checked for validity
at ``genTime`` (a token outlives its TSA certificate), or at ``at`` if given.
"""

from __future__ import annotations

import hashlib
import secrets
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Union

from asn1crypto import cms, core
from asn1crypto import tsp as asn1_tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from dataip.core.errors import InputError, Text, VerificationError

__all__ = [
    "POLICY_OID",
    "AuthorityMaterial",
    "TimestampAuthority",
    "TimestampInfo",
    "generate_authority",
    "load_pem_certificates",
    "make_request",
    "request_token",
    "token_info",
    "verify_token",
]

#: The platform TSA's default policy: an OID under 2.25 (ITU-T X.667, a UUID as an integer),
#: from the fixed UUID 071d042f-4844-464b-a4b3-81076ea7b26a.
POLICY_OID = "2.25.9455257455119433512557813948498817642"

#: Hash algorithms accepted for message imprints, signatures and the ESS certificate hash.
HASH_ALGORITHMS = ("sha256", "sha384", "sha512")
#: The hash of :func:`make_request`, of :meth:`TimestampAuthority.stamp`, and of the signatures.
DEFAULT_HASH = "sha256"
#: RFC 3161 section 3.4 media types.
QUERY_MEDIA_TYPE = "application/timestamp-query"
REPLY_MEDIA_TYPE = "application/timestamp-reply"

_SERIAL_BITS = 127
_NONCE_BITS = 64
_ACCURACY_SECONDS = 1
_CA_YEARS = 20
_TSA_YEARS = 10
_MAX_CHAIN = 8
#: A TSA reply is a few kilobytes; read no more than this from the network.
_MAX_REPLY_BYTES = 1 << 20
_URL_SCHEMES = ("http", "https")
_GRANTED = ("granted", "granted_with_mods")
_SET_OF_TAG = b"\x31"
_ASN1_ERRORS = (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError)
_CRYPTOGRAPHY_HASHES: dict[str, hashes.HashAlgorithm] = {
    "sha256": hashes.SHA256(),
    "sha384": hashes.SHA384(),
    "sha512": hashes.SHA512(),
}

_PrivateKey = Union[ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey]


class _TimeStampResp(core.Sequence):  # type: ignore[misc]
    """RFC 3161 ``TimeStampResp``: asn1crypto's own makes the OPTIONAL token mandatory."""

    _fields = [  # noqa: RUF012 - asn1crypto's class-level schema
        ("status", asn1_tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


@dataclass(frozen=True)
class AuthorityMaterial:
    """A new TSA, as :func:`generate_authority` returns it; the caller writes the files."""

    #: The TSA signing key, PKCS#8 PEM, unencrypted.
    key_pem: bytes
    #: The TSA certificate, then the CA certificate, PEM.
    chain_pem: bytes
    #: The CA key, PKCS#8 PEM, unencrypted: kept offline to re-issue the TSA certificate.
    ca_key_pem: bytes


@dataclass(frozen=True)
class TimestampInfo:
    """What a time-stamp token says (RFC 3161 ``TSTInfo``) and who signed it."""

    #: ``genTime``, timezone-aware UTC.
    gen_time: datetime
    serial_number: int
    #: The TSA policy, a dotted OID.
    policy: str
    #: The message imprint's hash algorithm (``sha256``, ...; an unknown one as a dotted OID).
    hash_algorithm: str
    #: The message imprint: the hash of the stamped data.
    message_imprint: bytes
    nonce: int | None
    #: The signer's certificate; ``None`` from :func:`token_info` for a token without it.
    tsa_certificate: x509.Certificate | None


def generate_authority(
    *, common_name: str, organization: str, now: datetime | None = None
) -> AuthorityMaterial:
    """A new TSA: an ECDSA P-256 key, a TSA certificate, and the self-signed CA that issued it.

    The CA certificate (``"<common_name> Root CA"``, 20 years) has basicConstraints CA:TRUE and
    keyUsage keyCertSign, cRLSign, both critical. The TSA certificate (``common_name``, 10
    years) has extendedKeyUsage timeStamping (critical, alone: RFC 3161 section 2.3), keyUsage
    digitalSignature and nonRepudiation (critical) and basicConstraints CA:FALSE; both have
    subject and authority key identifiers. ``now`` (default: the current time; naive means
    UTC) starts the validity of both.
    """
    start = _utc(now or datetime.now(timezone.utc)).replace(microsecond=0)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    tsa_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(f"{common_name} Root CA", organization)
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(_add_years(start, _CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(ca_ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    tsa_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organization))
        .issuer_name(ca_name)
        .public_key(tsa_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(_add_years(start, _TSA_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(tsa_key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return AuthorityMaterial(
        key_pem=_key_pem(tsa_key),
        chain_pem=b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (tsa_cert, ca_cert)),
        ca_key_pem=_key_pem(ca_key),
    )


def load_pem_certificates(data: bytes) -> list[x509.Certificate]:
    """The certificates of a PEM file, in order; :class:`InputError` if there are none."""
    try:
        certificates = x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise InputError("tsp_certificates_invalid", reason=str(exc)) from None
    return list(certificates)


class TimestampAuthority:
    """A TSA: a signing key, its certificate chain (TSA certificate first) and a policy."""

    def __init__(
        self, key: _PrivateKey, certificates: Sequence[x509.Certificate], policy: str
    ) -> None:
        self._key = key
        self.certificates: list[x509.Certificate] = list(certificates)
        self.policy = policy
        self._asn1_certificates = [_asn1_certificate(c) for c in self.certificates]
        self._signing_attribute = _ess_signing_certificate(self.certificates[0])

    @classmethod
    def from_pem(
        cls, key_pem: bytes, chain_pem: bytes, *, policy: str = POLICY_OID
    ) -> TimestampAuthority:
        """The TSA of a PEM key and chain; :class:`InputError` unless they can time-stamp.

        The key must be an unencrypted EC or RSA key matching the first certificate, which must
        carry the extended key usage timeStamping, alone and critical (RFC 3161 section 2.3).
        """
        try:
            key = serialization.load_pem_private_key(key_pem, password=None)
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            raise InputError("tsp_key_invalid", reason=str(exc)) from None
        if not isinstance(key, (ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey)):
            raise InputError("tsp_key_unsupported", kind=type(key).__name__)
        certificates = load_pem_certificates(chain_pem)
        if _public_der(key.public_key()) != _public_der(certificates[0].public_key()):
            raise InputError("tsp_key_mismatch", subject=certificates[0].subject.rfc4514_string())
        problem = _eku_problem(certificates[0])
        if problem is not None:
            raise InputError(
                "tsp_eku", subject=certificates[0].subject.rfc4514_string(), problem=problem
            )
        try:
            core.ObjectIdentifier(policy).dump()
        except ValueError:
            raise InputError("tsp_policy_invalid", policy=policy) from None
        return cls(key, certificates, policy)

    def stamp(
        self,
        data: bytes,
        *,
        nonce: int | None = None,
        when: datetime | None = None,
        serial: int | None = None,
    ) -> bytes:
        """A DER time-stamp token over SHA-256(``data``), with the certificate chain.

        ``when`` (default: now; naive means UTC) is the time stamped, in whole seconds;
        ``serial`` defaults to a random 127-bit number.
        """
        digest = hashlib.sha256(data).digest()
        return self._token(DEFAULT_HASH, digest, nonce=nonce, when=when, serial=serial)

    def respond(self, request_der: bytes, *, when: datetime | None = None) -> bytes:
        """A DER ``TimeStampResp`` answering a DER ``TimeStampReq`` (RFC 3161 section 2.4).

        Granted with a token that echoes the imprint and nonce (with certificates if
        ``certReq``), or a rejection with its ``PKIFailureInfo``: ``badDataFormat`` for a
        request that is not DER or whose imprint has the wrong length, ``badRequest`` for a
        version other than 1, ``badAlg`` for a hash other than SHA-256/384/512,
        ``unacceptedPolicy`` for another policy, ``unacceptedExtension`` for any extension.
        """
        try:
            request = asn1_tsp.TimeStampReq.load(request_der, strict=True)
            _ = request.native
        except _ASN1_ERRORS:
            return _rejection("bad_data_format", "the request is not a DER TimeStampReq")
        refusal = self._refusal(request)
        if refusal is not None:
            return _rejection(*refusal)
        algorithm = request["message_imprint"]["hash_algorithm"]["algorithm"].native
        digest = bytes(request["message_imprint"]["hashed_message"].native)
        token = self._token(
            algorithm,
            digest,
            nonce=request["nonce"].native,
            when=when,
            certificates=bool(request["cert_req"].native),
        )
        response = _TimeStampResp(
            {"status": {"status": "granted"}, "time_stamp_token": cms.ContentInfo.load(token)}
        )
        return bytes(response.dump())

    def _refusal(self, request: Any) -> tuple[str, str] | None:
        """The ``PKIFailureInfo`` bit and text that refuse a parsed request, or ``None``."""
        if request["version"].native != "v1":
            return "bad_request", "only TimeStampReq version 1 is supported"
        algorithm = request["message_imprint"]["hash_algorithm"]["algorithm"].native
        if algorithm not in HASH_ALGORITHMS:
            return "bad_alg", f"hash algorithm {algorithm} is not accepted"
        digest = request["message_imprint"]["hashed_message"].native
        if len(digest) != hashlib.new(algorithm).digest_size:
            return "bad_data_format", f"the {algorithm} imprint has the wrong length"
        policy = request["req_policy"].native
        if policy is not None and policy != self.policy:
            return "unaccepted_policy", f"policy {policy} is not offered"
        if request["extensions"].native:
            return "unaccepted_extensions", "no extension is supported"
        return None

    def _token(
        self,
        algorithm: str,
        digest: bytes,
        *,
        nonce: int | None,
        when: datetime | None,
        serial: int | None = None,
        certificates: bool = True,
    ) -> bytes:
        gen_time = _utc(when or datetime.now(timezone.utc)).replace(microsecond=0)
        tst_info = asn1_tsp.TSTInfo(
            {
                "version": "v1",
                "policy": self.policy,
                "message_imprint": {
                    "hash_algorithm": {"algorithm": algorithm},
                    "hashed_message": digest,
                },
                "serial_number": serial if serial is not None else _random_serial(),
                "gen_time": gen_time,
                "accuracy": {"seconds": _ACCURACY_SECONDS},
                "nonce": nonce,
                "tsa": asn1_x509.GeneralName(
                    {"directory_name": self._asn1_certificates[0].subject}
                ),
            }
        )
        signed_attrs = cms.CMSAttributes(
            [
                {"type": "content_type", "values": ["tst_info"]},
                {"type": "signing_time", "values": [_cms_time(gen_time)]},
                {"type": "message_digest", "values": [hashlib.sha256(tst_info.dump()).digest()]},
                self._signing_attribute,
            ]
        )
        signer_info = {
            "version": "v1",
            "sid": {
                "issuer_and_serial_number": {
                    "issuer": self._asn1_certificates[0].issuer,
                    "serial_number": self.certificates[0].serial_number,
                }
            },
            "digest_algorithm": {"algorithm": DEFAULT_HASH},
            "signed_attrs": signed_attrs,
            "signature_algorithm": {"algorithm": self._signature_algorithm()},
            "signature": self._sign(signed_attrs.dump()),
        }
        signed_data: dict[str, Any] = {
            "version": "v3",
            "digest_algorithms": [{"algorithm": DEFAULT_HASH}],
            "encap_content_info": {"content_type": "tst_info", "content": tst_info},
            "signer_infos": [signer_info],
        }
        if certificates:
            signed_data["certificates"] = [
                cms.CertificateChoices(name="certificate", value=c) for c in self._asn1_certificates
            ]
        token = cms.ContentInfo({"content_type": "signed_data", "content": signed_data})
        return bytes(token.dump())

    def _signature_algorithm(self) -> str:
        return "sha256_ecdsa" if isinstance(self._key, ec.EllipticCurvePrivateKey) else "sha256_rsa"

    def _sign(self, message: bytes) -> bytes:
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            return self._key.sign(message, ec.ECDSA(hashes.SHA256()))
        return self._key.sign(message, padding.PKCS1v15(), hashes.SHA256())


def make_request(
    data: bytes, *, nonce: int | None = None, cert_req: bool = True, policy: str | None = None
) -> bytes:
    """A DER ``TimeStampReq`` (RFC 3161 section 2.4.1) for SHA-256(``data``).

    No nonce unless one is given (:func:`request_token` always sends one); ``policy`` asks for a
    TSA policy; ``cert_req`` asks for the TSA certificate in the token.
    """
    request = asn1_tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": DEFAULT_HASH},
                "hashed_message": hashlib.sha256(data).digest(),
            },
            "req_policy": policy,
            "nonce": nonce,
            "cert_req": cert_req,
        }
    )
    return bytes(request.dump())


def request_token(
    url: str, data: bytes, *, timeout: float = 10.0, nonce: int | None = None
) -> bytes:
    """A token over SHA-256(``data``) from the TSA at ``url`` (RFC 3161 section 3.4, HTTP POST).

    Sends a request with ``nonce`` (default: a random 64-bit one) and ``certReq``, and checks that
    the reply grants it and echoes the nonce and the imprint; the token's signature and chain are
    left to :func:`verify_token`. Raises :class:`InputError` when the TSA cannot be reached, answers
    with an HTTP error or rejects the request, and :class:`VerificationError` when its reply is
    malformed or does not match the request.
    """
    scheme = url.split(":", 1)[0].lower()
    if scheme not in _URL_SCHEMES:
        raise InputError("tsp_url", url=url)
    if nonce is None:
        nonce = secrets.randbits(_NONCE_BITS)
    digest = hashlib.sha256(data).digest()
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=make_request(data, nonce=nonce),
        headers={"Content-Type": QUERY_MEDIA_TYPE, "Accept": REPLY_MEDIA_TYPE},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310 - as above
            body = reply.read(_MAX_REPLY_BYTES + 1)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise InputError("tsp_http_error", url=url, status=exc.code, reason=exc.reason) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        raise InputError("tsp_unreachable", url=url, reason=str(reason)) from None
    return _granted_token(url, body, nonce=nonce, digest=digest)


def token_info(token_der: bytes) -> TimestampInfo:
    """What a DER time-stamp token says, without checking it (for display).

    Raises :class:`VerificationError` only if it cannot be read as a token.
    """
    token = _parse(token_der)
    return token.info(_signer_among(token.signer_info, token.certificates))


def verify_token(
    token_der: bytes,
    data: bytes,
    *,
    trusted: Sequence[x509.Certificate],
    at: datetime | None = None,
) -> TimestampInfo:
    """Check a DER time-stamp token over ``data`` completely, and return what it says.

    In order: the token is DER, a ``SignedData`` with one signer over an ``id-ct-TSTInfo``; the
    message imprint is the hash of ``data`` with the token's algorithm; the signed attributes
    hold ``contentType`` id-ct-TSTInfo and a ``messageDigest`` equal to the hash of the
    encapsulated ``TSTInfo``; the signer certificate (in the token or in ``trusted``) is the one
    the ESS ``signingCertificateV2`` (or ``signingCertificate``) attribute names; the signature
    over the DER signed attributes is valid with its key; it has the critical timeStamping
    extended key usage; it chains, by signatures of CA certificates (the token's certificates
    may be intermediates), to one of ``trusted`` (which may be the signer itself); every
    certificate of that chain is valid at ``at`` (default: the token's ``genTime``); and the
    ``TSTInfo``'s optional TSA name is the signer's subject.

    Raises :class:`VerificationError` naming the first part that fails.
    """
    token = _parse(token_der)
    tst = token.tst_info
    algorithm = tst["message_imprint"]["hash_algorithm"]["algorithm"].native
    if algorithm not in HASH_ALGORITHMS:
        raise VerificationError(
            "tsp_hash_unsupported", part=Text("消息摘要", "message imprint"), alg=algorithm
        )
    imprint = bytes(tst["message_imprint"]["hashed_message"].native)
    actual = hashlib.new(algorithm, data).digest()
    if imprint != actual:
        raise VerificationError(
            "tsp_imprint", alg=algorithm, imprint=imprint.hex(), actual=actual.hex()
        )
    signer_info = token.signer_info
    _check_signed_attributes(signer_info, token.tst_der)
    pool = [*token.certificates, *trusted]
    signer = _signer_among(signer_info, pool)
    if signer is None:
        raise VerificationError("tsp_signer_missing")
    subject = signer.subject.rfc4514_string()
    _check_ess(signer_info, signer)
    _check_signature(signer_info, signer)
    problem = _eku_problem(signer)
    if problem is not None:
        raise VerificationError("tsp_eku", subject=subject, problem=problem)
    info = token.info(signer)
    chain = _chain(signer, token.certificates, list(trusted))
    moment = _utc(at) if at is not None else info.gen_time
    for certificate in chain:
        if not certificate.not_valid_before_utc <= moment <= certificate.not_valid_after_utc:
            raise VerificationError(
                "tsp_validity",
                subject=certificate.subject.rfc4514_string(),
                time=moment.isoformat(),
                not_before=certificate.not_valid_before_utc.isoformat(),
                not_after=certificate.not_valid_after_utc.isoformat(),
            )
    tsa_name = tst["tsa"]
    if tsa_name.native is not None and not (
        tsa_name.name == "directory_name" and tsa_name.chosen == _asn1_name(signer.subject)
    ):
        raise VerificationError("tsp_tsa_name", subject=subject)
    return info


# --- reading tokens ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    """A parsed token: the ``TSTInfo`` and its DER, the one ``SignerInfo``, the certificates."""

    tst_info: Any
    tst_der: bytes
    signer_info: Any
    certificates: list[x509.Certificate]

    def info(self, signer: x509.Certificate | None) -> TimestampInfo:
        tst = self.tst_info
        return TimestampInfo(
            gen_time=tst["gen_time"].native.astimezone(timezone.utc),
            serial_number=int(tst["serial_number"].native),
            policy=str(tst["policy"].dotted),
            hash_algorithm=str(tst["message_imprint"]["hash_algorithm"]["algorithm"].native),
            message_imprint=bytes(tst["message_imprint"]["hashed_message"].native),
            nonce=None if tst["nonce"].native is None else int(tst["nonce"].native),
            tsa_certificate=signer,
        )


def _parse(token_der: bytes) -> _Token:
    """Parse every part of a token, or raise ``tsp_malformed`` / ``tsp_structure``."""
    try:
        content_info = cms.ContentInfo.load(token_der, strict=True)
        content_type = content_info["content_type"].native
        if content_type == "signed_data":
            signed_data = content_info["content"]
            encap = signed_data["encap_content_info"]
            encap_type = encap["content_type"].native
    except _ASN1_ERRORS as exc:
        raise VerificationError("tsp_malformed", reason=_reason(exc)) from None
    if content_type != "signed_data":
        raise _structure(f"内容类型为 {content_type}", f"the content type is {content_type}")
    if encap_type != "tst_info":
        raise _structure(f"eContentType 为 {encap_type}", f"the eContentType is {encap_type}")
    try:
        signer_infos = list(signed_data["signer_infos"])
        _ = [s.native for s in signer_infos]
        asn1_certificates = signed_data["certificates"]
        certificates = [
            x509.load_der_x509_certificate(c.chosen.dump())
            # Certificates are read by cryptography: asn1crypto's .native would parse every
            # extension, and a certificate it cannot read is not a malformed token.
            for c in ([] if isinstance(asn1_certificates, core.Void) else asn1_certificates)
            if c.name == "certificate"
        ]
        tst_der = bytes(encap["content"].contents)
        tst_info = asn1_tsp.TSTInfo.load(tst_der, strict=True)
        _ = tst_info.native
    except _ASN1_ERRORS as exc:
        raise VerificationError("tsp_malformed", reason=_reason(exc)) from None
    if len(signer_infos) != 1:
        count = len(signer_infos)
        raise _structure(f"有 {count} 个签名者，应为 1 个", f"it has {count} signers, not one")
    if tst_info["version"].native != "v1":
        version = int.from_bytes(tst_info["version"].contents, "big", signed=True)
        raise _structure(f"TSTInfo 版本为 {version}", f"the TSTInfo version is {version}")
    return _Token(tst_info, tst_der, signer_infos[0], certificates)


def _structure(zh: str, en: str) -> VerificationError:
    """``tsp_structure``: a well-formed token that is not an RFC 3161 token."""
    return VerificationError("tsp_structure", problem=Text(zh, en))


def _reason(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _signer_among(signer_info: Any, pool: Sequence[x509.Certificate]) -> x509.Certificate | None:
    """The certificate of ``pool`` that the ``SignerInfo``'s ``sid`` names."""
    sid = signer_info["sid"]
    for certificate in pool:
        if sid.name == "issuer_and_serial_number":
            if sid.chosen["serial_number"].native == certificate.serial_number and sid.chosen[
                "issuer"
            ] == _asn1_name(certificate.issuer):
                return certificate
        elif sid.chosen.native == _subject_key_identifier(certificate):
            return certificate
    return None


def _check_signed_attributes(signer_info: Any, tst_der: bytes) -> None:
    """``contentType`` is id-ct-TSTInfo and ``messageDigest`` the hash of the TSTInfo."""
    attributes = _attributes(signer_info)
    content_type = attributes.get("content_type")
    if content_type is None or content_type.native != "tst_info":
        raise VerificationError(
            "tsp_attribute",
            attribute="contentType",
            problem=Text("缺失或不是 id-ct-TSTInfo", "missing or not id-ct-TSTInfo"),
        )
    algorithm = signer_info["digest_algorithm"]["algorithm"].native
    if algorithm not in HASH_ALGORITHMS:
        raise VerificationError(
            "tsp_hash_unsupported", part=Text("签名者摘要", "signer digest"), alg=algorithm
        )
    message_digest = attributes.get("message_digest")
    if message_digest is None:
        raise VerificationError(
            "tsp_attribute", attribute="messageDigest", problem=Text("缺失", "missing")
        )
    expected = hashlib.new(algorithm, tst_der).digest()
    if bytes(message_digest.native) != expected:
        raise VerificationError(
            "tsp_message_digest",
            recorded=bytes(message_digest.native).hex(),
            computed=expected.hex(),
        )


def _attributes(signer_info: Any) -> dict[str, Any]:
    """The signed attributes by name; each must occur once with one value (RFC 5652 5.3)."""
    signed_attrs = signer_info["signed_attrs"]
    if signed_attrs.native is None:
        raise VerificationError(
            "tsp_attribute",
            attribute="signedAttrs",
            problem=Text("签名者没有签名属性", "the signer has none"),
        )
    found: dict[str, Any] = {}
    for attribute in signed_attrs:
        name = attribute["type"].native
        if name in found or len(attribute["values"]) != 1:
            raise VerificationError(
                "tsp_attribute",
                attribute=name,
                problem=Text("出现多次或值不止一个", "not exactly one value"),
            )
        found[name] = attribute["values"][0]
    return found


def _check_ess(signer_info: Any, signer: x509.Certificate) -> None:
    """The first ESS certificate identifier names ``signer`` (RFC 5035 / RFC 2634)."""
    attributes = _attributes(signer_info)
    der = signer.public_bytes(serialization.Encoding.DER)
    if "signing_certificate_v2" in attributes:
        cert_id = attributes["signing_certificate_v2"]["certs"][0]
        algorithm = cert_id["hash_algorithm"]["algorithm"].native
        if algorithm not in HASH_ALGORITHMS:
            raise VerificationError(
                "tsp_hash_unsupported",
                part=Text("ESS 证书标识", "ESS certificate identifier"),
                alg=algorithm,
            )
        expected = hashlib.new(algorithm, der).digest()
    elif "signing_certificate" in attributes:
        cert_id = attributes["signing_certificate"]["certs"][0]
        # ESSCertID is SHA-1 by definition (RFC 2634 5.4.1); it names, the signature protects.
        expected = hashlib.sha1(der).digest()  # noqa: S324 - fixed by RFC 2634
    else:
        raise VerificationError(
            "tsp_attribute",
            attribute="signingCertificateV2",
            problem=Text(
                "缺失（也没有 signingCertificate 属性）",
                "missing (and so is signingCertificate)",
            ),
        )
    subject = signer.subject.rfc4514_string()
    if bytes(cert_id["cert_hash"].native) != expected:
        raise VerificationError(
            "tsp_ess", subject=subject, problem=Text("证书哈希不同", "the certificate hash differs")
        )
    issuer_serial = cert_id["issuer_serial"]
    if issuer_serial.native is not None:
        names = [n.chosen for n in issuer_serial["issuer"] if n.name == "directory_name"]
        if issuer_serial["serial_number"].native != signer.serial_number or not any(
            n == _asn1_name(signer.issuer) for n in names
        ):
            raise VerificationError(
                "tsp_ess",
                subject=subject,
                problem=Text("签发者和序列号不同", "the issuer and serial number differ"),
            )


def _check_signature(signer_info: Any, signer: x509.Certificate) -> None:
    """The signature over the DER ``SET OF`` signed attributes (RFC 5652 5.4) is valid."""
    contents = bytes(signer_info["signed_attrs"].contents)
    message = _SET_OF_TAG + _der_length(len(contents)) + contents
    signature = bytes(signer_info["signature"].native)
    signature_algorithm = signer_info["signature_algorithm"]
    kind = signature_algorithm.signature_algo
    try:
        digest_name = signature_algorithm.hash_algo
    except ValueError:  # rsaEncryption names no hash: the SignerInfo's digest algorithm applies
        digest_name = signer_info["digest_algorithm"]["algorithm"].native
    subject = signer.subject.rfc4514_string()
    hash_algorithm = _CRYPTOGRAPHY_HASHES.get(digest_name)
    key = signer.public_key()
    try:
        if hash_algorithm is None:
            raise _Unsupported(f"{kind} with {digest_name}")
        if kind == "ecdsa" and isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, message, ec.ECDSA(hash_algorithm))
        elif kind == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, message, padding.PKCS1v15(), hash_algorithm)
        elif kind == "rsassa_pss" and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, message, _pss(signature_algorithm), hash_algorithm)
        else:
            raise _Unsupported(f"{kind} with a {type(key).__name__}")
    except InvalidSignature:
        raise VerificationError("tsp_signature", subject=subject) from None
    except _Unsupported as exc:
        raise VerificationError(
            "tsp_signature_unsupported", subject=subject, algorithm=str(exc)
        ) from None


class _Unsupported(Exception):
    """A signature algorithm (or key pairing) the verifier does not implement."""


def _pss(signature_algorithm: Any) -> padding.PSS:
    params = signature_algorithm["parameters"]
    mgf_hash = _CRYPTOGRAPHY_HASHES.get(
        params["mask_gen_algorithm"]["parameters"]["algorithm"].native
    )
    if mgf_hash is None:
        raise _Unsupported("rsassa_pss with its mask generation hash")
    return padding.PSS(mgf=padding.MGF1(mgf_hash), salt_length=int(params["salt_length"].native))


def _eku_problem(certificate: x509.Certificate) -> Text | None:
    """Why ``certificate`` cannot sign time-stamps (RFC 3161 section 2.3), or ``None``."""
    try:
        extension = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        return Text("没有扩展密钥用法", "it has no extended key usage")
    except (ValueError, x509.DuplicateExtension) as exc:
        return Text(f"扩展无法读取（{exc}）", f"its extensions cannot be read ({exc})")
    if list(extension.value) != [ExtendedKeyUsageOID.TIME_STAMPING]:
        return Text(
            "扩展密钥用法不是唯一的 timeStamping",
            "its extended key usage is not timeStamping alone",
        )
    if not extension.critical:
        return Text("扩展密钥用法未标记为关键", "its extended key usage is not critical")
    return None


def _chain(
    signer: x509.Certificate,
    untrusted: Sequence[x509.Certificate],
    trusted: list[x509.Certificate],
) -> list[x509.Certificate]:
    """The certificates from ``signer`` to a trusted one, each signed by the next (a CA)."""
    pool = [*untrusted, *trusted]

    def extend(path: list[x509.Certificate]) -> list[x509.Certificate] | None:
        last = path[-1]
        if last in trusted:
            return path
        if len(path) > _MAX_CHAIN:
            return None
        for issuer in pool:
            if issuer in path or issuer.subject != last.issuer or not _is_ca(issuer):
                continue
            try:
                last.verify_directly_issued_by(issuer)
            except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
                continue
            found = extend([*path, issuer])
            if found is not None:
                return found
        return None

    chain = extend([signer])
    if chain is None:
        raise VerificationError("tsp_chain", subject=signer.subject.rfc4514_string())
    return chain


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    except (x509.ExtensionNotFound, x509.DuplicateExtension, ValueError):
        return False
    return constraints.value.ca


# --- the HTTP client's reply ---------------------------------------------------------------------


def _granted_token(url: str, body: bytes, *, nonce: int, digest: bytes) -> bytes:
    """The token of a ``TimeStampResp`` that grants the request (nonce, imprint) just sent."""
    if len(body) > _MAX_REPLY_BYTES:
        raise VerificationError("tsp_reply_malformed", url=url, reason="the reply is too large")
    try:
        response = _TimeStampResp.load(body, strict=True)
        status = response["status"]
        _ = status.native
        token = response["time_stamp_token"]
    except _ASN1_ERRORS as exc:
        raise VerificationError("tsp_reply_malformed", url=url, reason=_reason(exc)) from None
    if status["status"].native not in _GRANTED:
        fail_info = status["fail_info"].native or set()
        text = status["status_string"].native or []
        raise InputError(
            "tsp_rejected",
            url=url,
            status=status["status"].native,
            fail_info=", ".join(sorted(fail_info)) or "-",
            text="; ".join(text) or "-",
        )
    if token.native is None:
        raise VerificationError("tsp_reply_malformed", url=url, reason="granted without a token")
    token_der = bytes(token.dump())
    info = token_info(token_der)
    if info.nonce != nonce:
        raise VerificationError("tsp_reply_mismatch", field="nonce", sent=nonce, got=info.nonce)
    if (info.hash_algorithm, info.message_imprint) != (DEFAULT_HASH, digest):
        raise VerificationError(
            "tsp_reply_mismatch",
            field="message imprint",
            sent=f"{DEFAULT_HASH}:{digest.hex()}",
            got=f"{info.hash_algorithm}:{info.message_imprint.hex()}",
        )
    return token_der


def _rejection(failure: str, text: str) -> bytes:
    response = _TimeStampResp(
        {"status": {"status": "rejection", "status_string": [text], "fail_info": {failure}}}
    )
    return bytes(response.dump())


# --- small helpers -------------------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def _cms_time(moment: datetime) -> Any:
    """RFC 5652 11.3: UTCTime for 1950-2049, GeneralizedTime otherwise."""
    utc_years = range(1950, 2050)
    return cms.Time({"utc_time" if moment.year in utc_years else "generalized_time": moment})


def _name(common_name: str, organization: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(**usages: bool) -> x509.KeyUsage:
    names = (
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
        "encipher_only",
        "decipher_only",
    )
    return x509.KeyUsage(**{name: usages.get(name, False) for name in names})


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _public_der(key: Any) -> bytes:
    return bytes(
        key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def _asn1_certificate(certificate: x509.Certificate) -> Any:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _asn1_name(name: x509.Name) -> Any:
    return asn1_x509.Name.load(name.public_bytes())


def _subject_key_identifier(certificate: x509.Certificate) -> bytes | None:
    try:
        extension = certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    except (x509.ExtensionNotFound, x509.DuplicateExtension, ValueError):
        return None
    return extension.value.digest


def _ess_signing_certificate(certificate: x509.Certificate) -> Any:
    """The ESS ``signingCertificateV2`` attribute naming ``certificate`` (RFC 5035 section 3)."""
    der = certificate.public_bytes(serialization.Encoding.DER)
    return cms.CMSAttribute(
        {
            "type": "signing_certificate_v2",
            "values": [
                {
                    "certs": [
                        {
                            "hash_algorithm": {"algorithm": DEFAULT_HASH},
                            "cert_hash": hashlib.sha256(der).digest(),
                            "issuer_serial": {
                                "issuer": [
                                    asn1_x509.GeneralName(
                                        {"directory_name": _asn1_name(certificate.issuer)}
                                    )
                                ],
                                "serial_number": certificate.serial_number,
                            },
                        }
                    ]
                }
            ],
        }
    )


def _random_serial() -> int:
    """A random positive serial number of at most 127 bits (never zero)."""
    return secrets.randbits(_SERIAL_BITS) or 1


def _der_length(length: int) -> bytes:
    """The DER length octets (X.690 8.1.3)."""
    if length < 0x80:  # noqa: PLR2004 - the short form's limit
        return bytes([length])
    octets = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets
