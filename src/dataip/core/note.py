"""Signed notes (c2sp.org/signed-note) with Ed25519 keys, as golang.org/x/mod/sumdb/note makes them.

A signed note is a text ending in a newline, a blank line, and one or more signature lines::

    If you think cryptography is the answer to your problem,
    then you don't know what your problem is.

    — PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2[...]RyyBwJnAM=

A signature line is an em dash (U+2014), a space, the key name, a space and
``base64(key ID || signature)``; the signature covers the text, final newline included. The note
is valid UTF-8 without ASCII controls other than the newline, and the text is everything up to the
*last* blank line. Key names are non-empty and contain neither Unicode white space nor ``+``.

Only Ed25519 (RFC 8032) keys are supported, signature type ``0x01``. Their key ID is
``SHA-256(name || 0x0A || 0x01 || public key)[:4]``; the key strings are those of the Go package:
verifier keys ``<name>+<8 hex id>+base64(0x01 || public key)`` and signer keys
``PRIVATE+KEY+<name>+<8 hex id>+base64(0x01 || seed)``.

Opening a note follows the spec and the Go reference: at most :data:`MAX_SIGNATURES` signature
lines, signatures by unknown keys (name and ID not both known) ignored, every signature by a
known key verified (one that fails rejects the whole note), and at least one must verify.

Parsing is strict where the Go package is lenient: key IDs in key strings must be lower-case hex,
and base64 must be canonical (no stray bits in the last character), so that a note or key has one
spelling. Malformed or unverifiable notes raise
:class:`~dataip.core.errors.VerificationError`; bad keys and unsignable texts raise
:class:`~dataip.core.errors.InputError`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from typing import NamedTuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from dataip.core.errors import InputError, Text, VerificationError

__all__ = [
    "ALG_ED25519",
    "MAX_SIGNATURES",
    "NoteSignature",
    "Signer",
    "Verifier",
    "key_id",
    "open_note",
    "parse_note",
    "sign_note",
]

#: The signature type byte of Ed25519 (c2sp.org/signed-note, "Signature types").
ALG_ED25519 = 0x01
KEY_ID_SIZE = 4
ED25519_KEY_SIZE = 32
ED25519_SIGNATURE_SIZE = 64
#: The most signature lines a note may have (the Go package's limit; the spec asks for >= 16).
MAX_SIGNATURES = 100

SIGNATURE_PREFIX = "\u2014 "  # em dash, space
SIGNER_KEY_PREFIX = "PRIVATE+KEY+"
_BLANK_LINE = "\n\n"
_KEY_ID_HEX = frozenset("0123456789abcdef")

# Unicode White_Space (what Go's unicode.IsSpace reports); controls are refused separately.
_SPACES = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
)

VERIFIER_KEY = Text("验证公钥", "verifier key")
SIGNER_KEY = Text("签名私钥", "signer key")


def key_id(name: str, alg_and_key: bytes) -> bytes:
    """The 4-byte key ID: ``SHA-256(name || "\\n" || alg_and_key)[:4]``.

    ``alg_and_key`` is the signature type byte followed by the public key.
    """
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + alg_and_key).digest()
    return digest[:KEY_ID_SIZE]


def _name_problem(name: str) -> Text | None:
    """Why ``name`` cannot be a key name, or None."""
    if not name:
        return Text("名称为空", "the name is empty")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return Text("名称不是有效的 UTF-8", "the name is not valid UTF-8")
    for c in name:
        if c == "+":
            return Text("名称含有“+”", "the name contains '+'")
        if c in _SPACES:
            return Text(
                f"名称含有空白字符 U+{ord(c):04X}", f"the name contains white space U+{ord(c):04X}"
            )
        if c < " ":
            return Text(
                f"名称含有控制字符 U+{ord(c):04X}",
                f"the name contains the control character U+{ord(c):04X}",
            )
    return None


def _check_name(name: str, kind: Text) -> None:
    problem = _name_problem(name)
    if problem is not None:
        raise InputError("note_key", kind=kind, problem=problem)


def _check_key(name: str, key: bytes, kind: Text, what: Text) -> None:
    """A key's name is valid and the key is 32 bytes long, else InputError ``note_key``."""
    _check_name(name, kind)
    if len(key) != ED25519_KEY_SIZE:
        raise InputError(
            "note_key",
            kind=kind,
            problem=Text(
                f"Ed25519 {what.zh}长度为 {len(key)} 字节，应为 {ED25519_KEY_SIZE}",
                f"the Ed25519 {what.en} is {len(key)} bytes long, expected {ED25519_KEY_SIZE}",
            ),
        )


def _b64decode(text: str) -> bytes | None:
    """Strict standard base64 (RFC 4648 section 4): padded, canonical; None if it is not."""
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    # Non-zero bits in the last character's unused part decode the same: refuse them.
    if base64.b64encode(data).decode("ascii") != text:
        return None
    return data


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _key_label(name: str, kid: bytes) -> str:
    return f"{name}+{kid.hex()}"


def _parse_key_string(kind: Text, name: str, hex_id: str, key64: str) -> bytes:
    """Check a key string's name, ID spelling and key; return the key bytes after 0x01."""
    _check_name(name, kind)
    if len(hex_id) != 2 * KEY_ID_SIZE or not set(hex_id) <= _KEY_ID_HEX:
        raise InputError(
            "note_key",
            kind=kind,
            problem=Text(
                "密钥 ID 应为 8 位小写十六进制数", "the key ID must be 8 lower-case hex digits"
            ),
        )
    raw = _b64decode(key64)
    if raw is None or not raw:
        raise InputError(
            "note_key", kind=kind, problem=Text("密钥不是有效的 base64", "the key is not base64")
        )
    if raw[0] != ALG_ED25519:
        raise InputError(
            "note_key",
            kind=kind,
            problem=Text(
                f"不支持的签名算法 {raw[0]}（仅支持 Ed25519，即 1）",
                f"unsupported signature algorithm {raw[0]} (only Ed25519, 1)",
            ),
        )
    key = raw[1:]
    if len(key) != ED25519_KEY_SIZE:
        raise InputError(
            "note_key",
            kind=kind,
            problem=Text(
                f"Ed25519 密钥长度为 {len(key)} 字节，应为 {ED25519_KEY_SIZE}",
                f"the Ed25519 key is {len(key)} bytes long, expected {ED25519_KEY_SIZE}",
            ),
        )
    return key


def _check_key_id(kind: Text, name: str, hex_id: str, public_key: bytes) -> bytes:
    kid = key_id(name, bytes([ALG_ED25519]) + public_key)
    if kid.hex() != hex_id:
        raise InputError(
            "note_key",
            kind=kind,
            problem=Text(
                f"密钥 ID {hex_id} 与名称和公钥不符（应为 {kid.hex()}）",
                f"the key ID {hex_id} does not match the name and key (expected {kid.hex()})",
            ),
        )
    return kid


class Verifier:
    """An Ed25519 public key with its name: checks signatures by that key."""

    __slots__ = ("_key", "_key_id", "_name", "_public")

    def __init__(self, name: str, public_key: bytes) -> None:
        """A verifier for the 32-byte Ed25519 ``public_key`` named ``name``."""
        _check_key(name, public_key, VERIFIER_KEY, Text("公钥", "public key"))
        self._name = name
        self._public = bytes(public_key)
        self._key_id = key_id(name, bytes([ALG_ED25519]) + self._public)
        self._key = Ed25519PublicKey.from_public_bytes(self._public)

    @classmethod
    def from_vkey(cls, vkey: str) -> Verifier:
        """Parse ``<name>+<8 hex id>+base64(0x01 || key)``; :class:`InputError` if invalid."""
        parts = vkey.split("+", 2)
        if len(parts) != 3:  # noqa: PLR2004 - name, id, key
            raise InputError(
                "note_key",
                kind=VERIFIER_KEY,
                problem=Text("格式应为 名称+ID+密钥", "expected the form name+id+key"),
            )
        name, hex_id, key64 = parts
        public = _parse_key_string(VERIFIER_KEY, name, hex_id, key64)
        _check_key_id(VERIFIER_KEY, name, hex_id, public)
        return cls(name, public)

    @property
    def name(self) -> str:
        return self._name

    @property
    def key_id(self) -> bytes:
        """The 4-byte key ID."""
        return self._key_id

    @property
    def public_key_bytes(self) -> bytes:
        """The raw 32-byte Ed25519 public key."""
        return self._public

    @property
    def vkey(self) -> str:
        """The verifier key string, ``<name>+<hex id>+base64(0x01 || key)``."""
        return f"{self._name}+{self._key_id.hex()}+{_b64(bytes([ALG_ED25519]) + self._public)}"

    def verify(self, msg: bytes, sig: bytes) -> bool:
        """Whether ``sig`` is this key's Ed25519 signature of ``msg``."""
        if len(sig) != ED25519_SIGNATURE_SIZE:
            return False
        try:
            self._key.verify(sig, msg)
        except InvalidSignature:
            return False
        return True

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Verifier):
            return NotImplemented
        return (self._name, self._public) == (other._name, other._public)

    def __hash__(self) -> int:
        return hash((self._name, self._public))

    def __repr__(self) -> str:
        return f"Verifier({self.vkey!r})"


class Signer:
    """An Ed25519 private key with its name: signs notes. Keep :attr:`skey` secret."""

    __slots__ = ("_key", "_key_id", "_name", "_public", "_seed")

    def __init__(self, name: str, seed: bytes) -> None:
        """A signer for the 32-byte Ed25519 private key ``seed`` (RFC 8032) named ``name``."""
        _check_key(name, seed, SIGNER_KEY, Text("私钥", "private key"))
        self._name = name
        self._seed = bytes(seed)
        self._key = Ed25519PrivateKey.from_private_bytes(self._seed)
        self._public = self._key.public_key().public_bytes_raw()
        self._key_id = key_id(name, bytes([ALG_ED25519]) + self._public)

    @classmethod
    def generate(cls, name: str) -> Signer:
        """A new random key named ``name``."""
        _check_name(name, SIGNER_KEY)
        return cls(name, Ed25519PrivateKey.generate().private_bytes_raw())

    @classmethod
    def from_skey(cls, skey: str) -> Signer:
        """Parse ``PRIVATE+KEY+<name>+<hex id>+base64(0x01 || seed)``.

        The ID must be that of the derived public key. Error messages never quote ``skey``.
        """
        parts = skey.split("+", 4)
        if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":  # noqa: PLR2004
            raise InputError(
                "note_key",
                kind=SIGNER_KEY,
                problem=Text(
                    "格式应为 PRIVATE+KEY+名称+ID+密钥", "expected the form PRIVATE+KEY+name+id+key"
                ),
            )
        _, _, name, hex_id, key64 = parts
        signer = cls(name, _parse_key_string(SIGNER_KEY, name, hex_id, key64))
        _check_key_id(SIGNER_KEY, name, hex_id, signer._public)
        return signer

    @property
    def name(self) -> str:
        return self._name

    @property
    def key_id(self) -> bytes:
        """The 4-byte key ID."""
        return self._key_id

    @property
    def skey(self) -> str:
        """The secret signer key string, ``PRIVATE+KEY+<name>+<hex id>+base64(0x01 || seed)``."""
        seed = _b64(bytes([ALG_ED25519]) + self._seed)
        return f"{SIGNER_KEY_PREFIX}{self._name}+{self._key_id.hex()}+{seed}"

    @property
    def vkey(self) -> str:
        """The public verifier key string."""
        return self.verifier().vkey

    def verifier(self) -> Verifier:
        """The verifier of this key's signatures."""
        return Verifier(self._name, self._public)

    def sign(self, msg: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``msg`` (deterministic, RFC 8032)."""
        return self._key.sign(msg)

    def __repr__(self) -> str:
        return f"Signer({self.vkey!r})"  # never the private key


class NoteSignature(NamedTuple):
    """One signature line of a note, not verified."""

    name: str
    key_id: bytes
    signature: bytes


def _text_problem(text: str) -> Text | None:
    """Why ``text`` cannot appear in a note (invalid UTF-8, a control character), or None."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return Text(
            "含有不成对的代理项（不是有效的 UTF-8）", "it is not valid UTF-8 (lone surrogate)"
        )
    for i, c in enumerate(text):
        if c < " " and c != "\n":
            return Text(
                f"第 {i} 个字符是控制字符 U+{ord(c):04X}",
                f"character {i} is the control character U+{ord(c):04X}",
            )
    return None


def sign_note(text: str, signers: Sequence[Signer]) -> str:
    """The signed note of ``text`` with one signature line per signer, in order.

    ``text`` must be non-empty, end in a newline and hold no control character other than the
    newline; the signers must have distinct keys. Raises :class:`InputError` (``note_text``).
    """
    problem = _text_problem(text)
    if problem is None and not text.endswith("\n"):
        problem = Text("文本未以换行符结尾", "the text does not end in a newline")
    if problem is None and not signers:
        problem = Text("没有签名密钥", "no signer given")
    if problem is None and len(signers) > MAX_SIGNATURES:
        problem = Text(
            f"签名密钥超过 {MAX_SIGNATURES} 个", f"more than {MAX_SIGNATURES} signers given"
        )
    if problem is None:
        labels = [_key_label(s.name, s.key_id) for s in signers]
        duplicates = sorted({label for label in labels if labels.count(label) > 1})
        if duplicates:
            problem = Text(
                f"密钥 {', '.join(duplicates)} 重复", f"key {', '.join(duplicates)} given twice"
            )
    if problem is not None:
        raise InputError("note_text", problem=problem)
    msg = text.encode("utf-8")
    lines = [f"{SIGNATURE_PREFIX}{s.name} {_b64(s.key_id + s.sign(msg))}\n" for s in signers]
    return text + "\n" + "".join(lines)


def _malformed(problem: Text) -> VerificationError:
    return VerificationError("note_malformed", problem=problem)


def parse_note(note: str) -> tuple[str, list[NoteSignature]]:
    """Split a signed note into its text and signature lines, checking syntax only.

    Nothing is verified: use :func:`open_note`. Raises :class:`VerificationError`
    (``note_malformed``) if ``note`` is not a signed note.
    """
    problem = _text_problem(note)
    if problem is not None:
        raise _malformed(problem)
    split = note.rfind(_BLANK_LINE)
    if split < 0:
        raise _malformed(
            Text("没有分隔文本和签名的空行", "no blank line separates the text from the signatures")
        )
    text, block = note[: split + 1], note[split + 2 :]
    if not block:
        raise _malformed(Text("没有签名行", "there is no signature line"))
    if not block.endswith("\n"):
        raise _malformed(Text("最后一行未以换行符结尾", "the last line does not end in a newline"))
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise _malformed(
            Text(f"签名行超过 {MAX_SIGNATURES} 行", f"more than {MAX_SIGNATURES} signature lines")
        )
    signatures = [_parse_signature_line(n, line) for n, line in enumerate(lines, 1)]
    return text, signatures


def _parse_signature_line(n: int, line: str) -> NoteSignature:
    if not line.startswith(SIGNATURE_PREFIX):
        raise _malformed(
            Text(f"第 {n} 个签名行不以“— ”开头", f"signature line {n} does not start with '— '")
        )
    name, space, b64 = line[len(SIGNATURE_PREFIX) :].partition(" ")
    if not space or _name_problem(name) is not None:
        raise _malformed(
            Text(f"第 {n} 个签名行的密钥名称无效", f"signature line {n} has an invalid key name")
        )
    raw = _b64decode(b64)
    if raw is None or len(raw) <= KEY_ID_SIZE:
        raise _malformed(
            Text(
                f"第 {n} 个签名行的签名不是有效的 base64（密钥 ID 加签名）",
                f"signature line {n} is not base64 of a key ID and a signature",
            )
        )
    return NoteSignature(name, raw[:KEY_ID_SIZE], raw[KEY_ID_SIZE:])


def open_note(note: str, verifiers: Sequence[Verifier]) -> tuple[str, list[Verifier]]:
    """Verify a signed note; return its text and the verifiers whose signatures verified.

    A signature whose name and key ID match a verifier is verified, and if it fails the note is
    rejected; other signatures are ignored; at least one must verify. Raises
    :class:`VerificationError`: ``note_malformed``, ``note_bad_signature`` (which key) or
    ``note_unverified`` (who signed, whom we trust); :class:`InputError` if two verifiers share a
    name and key ID but not the key.
    """
    known: dict[tuple[str, bytes], Verifier] = {}
    for v in verifiers:
        k = (v.name, v.key_id)
        if known.setdefault(k, v) != v:
            raise InputError("note_verifiers", key=_key_label(*k))
    text, signatures = parse_note(note)
    msg = text.encode("utf-8")
    verified: dict[Verifier, None] = {}  # an ordered set
    checked: set[NoteSignature] = set()
    for sig in signatures:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None or sig in checked:
            continue
        if not verifier.verify(msg, sig.signature):
            raise VerificationError("note_bad_signature", key=_key_label(sig.name, sig.key_id))
        checked.add(sig)
        verified[verifier] = None
    if not verified:
        found = ", ".join(dict.fromkeys(_key_label(s.name, s.key_id) for s in signatures))
        trusted = ", ".join(_key_label(*k) for k in known) or "-"
        raise VerificationError("note_unverified", found=found, known=trusted)
    return text, list(verified)
