"""Signed notes (dataip.core.note): the golang.org/x/mod/sumdb/note examples and strict parsing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataip.core import note
from dataip.core.errors import InputError, VerificationError
from dataip.core.note import Signer, Verifier, open_note, parse_note, sign_note

# The example of the Go package documentation (golang.org/x/mod/sumdb/note, "Example") and its
# tests (note_test.go): keys, text and the signature lines Go produces.
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdng"
    "otpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTG"
    "wnWLox33WWd1RvMc+QQ=\n"
)
NOTE = TEXT + "\n" + PETER_SIG


@pytest.fixture
def peter() -> Verifier:
    return Verifier.from_vkey(PETER_VKEY)


@pytest.fixture
def enoch() -> Verifier:
    return Verifier.from_vkey(ENOCH_VKEY)


def test_go_example_signer() -> None:
    signer = Signer.from_skey(PETER_SKEY)
    assert signer.name == "PeterNeumann"
    assert signer.key_id == bytes.fromhex("c74f20a3")
    assert signer.vkey == PETER_VKEY
    assert signer.skey == PETER_SKEY
    assert signer.verifier() == Verifier.from_vkey(PETER_VKEY)
    assert PETER_SKEY not in repr(signer)


def test_go_example_signs_to_the_documented_note(peter: Verifier) -> None:
    assert sign_note(TEXT, [Signer.from_skey(PETER_SKEY)]) == NOTE
    assert open_note(NOTE, [peter]) == (TEXT, [peter])


def test_go_example_verifier(peter: Verifier) -> None:
    assert peter.name == "PeterNeumann"
    assert peter.key_id == bytes.fromhex("c74f20a3")
    assert peter.vkey == PETER_VKEY
    assert len(peter.public_key_bytes) == 32
    assert note.key_id("PeterNeumann", b"\x01" + peter.public_key_bytes) == peter.key_id


def test_doubly_signed_note(peter: Verifier, enoch: Verifier) -> None:
    signed = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    assert open_note(signed, [peter]) == (TEXT, [peter])
    assert open_note(signed, [enoch]) == (TEXT, [enoch])
    assert open_note(signed, [enoch, peter]) == (TEXT, [peter, enoch])
    with pytest.raises(VerificationError) as e:
        open_note(signed, [])
    assert e.value.code == "note_unverified"
    assert "PeterNeumann+c74f20a3, EnochRoot+af0cfe78" in str(e.value)


def test_unknown_keys_are_ignored_even_sharing_a_name_or_id(peter: Verifier) -> None:
    other = Signer.generate("PeterNeumann")  # same name, other key ID
    # Same key ID, other name: Peter's signature line relabelled.
    renamed = PETER_SIG.replace("PeterNeumann", "CarmenSandiego")
    signed = sign_note(TEXT, [other]) + renamed + PETER_SIG
    assert open_note(signed, [peter]) == (TEXT, [peter])
    with pytest.raises(VerificationError) as e:
        open_note(TEXT + "\n" + renamed, [peter])
    assert e.value.code == "note_unverified"


def test_failing_signature_by_a_known_key_rejects_the_note(
    peter: Verifier, enoch: Verifier
) -> None:
    # Go's test: four base64 characters inserted at byte 60 of Peter's signature line.
    raw = PETER_SIG.encode()
    bad = (raw[:60] + b"ABCD" + raw[60:]).decode()
    for signed in (TEXT + "\n" + bad, TEXT + "\n" + PETER_SIG + bad, TEXT + "\n" + ENOCH_SIG + bad):
        with pytest.raises(VerificationError) as e:
            open_note(signed, [peter, enoch])
        assert e.value.code == "note_bad_signature"
        assert e.value.params["key"] == "PeterNeumann+c74f20a3"
    # The same line from an unknown key is ignored.
    assert open_note(TEXT + "\n" + ENOCH_SIG + bad, [enoch]) == (TEXT, [enoch])


def test_signature_over_other_text_fails(peter: Verifier) -> None:
    with pytest.raises(VerificationError) as e:
        open_note(TEXT.replace("answer", "Answer") + "\n" + PETER_SIG, [peter])
    assert e.value.code == "note_bad_signature"


def test_signature_limit(peter: Verifier) -> None:
    assert open_note(TEXT + "\n" + PETER_SIG * 100, [peter]) == (TEXT, [peter])
    for known in ([peter], []):
        with pytest.raises(VerificationError) as e:
            open_note(TEXT + "\n" + PETER_SIG * 101, known)
        assert e.value.code == "note_malformed"


@pytest.mark.parametrize(
    "msg",
    [
        # Go's badMsgs (note_test.go).
        TEXT,
        TEXT + "\n",
        TEXT + "\n" + PETER_SIG[:-1],
        "\x01" + TEXT + "\n" + PETER_SIG,
        TEXT + "\n" + PETER_SIG.replace("PeterNeumann", "Bad Name"),
        TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
        # More: a lone surrogate, CR, key ID alone, no space, non-canonical base64, an empty line.
        "\ud800" + TEXT + "\n" + PETER_SIG,
        TEXT.replace("\n", "\r\n") + "\r\n" + PETER_SIG,
        TEXT + "\n\u2014 PeterNeumann x08g\n",
        TEXT + "\n\u2014 PeterNeumann\n",
        TEXT + "\n\u2014 PeterNeumann \n",
        TEXT + "\n" + PETER_SIG.replace("AM=", "AN="),
        TEXT + "\n" + PETER_SIG.replace("AM=", "AM"),
        TEXT + "\n" + PETER_SIG.replace(" x08", "  x08"),
        TEXT + "\n" + PETER_SIG.replace("\u2014", "-"),
        TEXT + "\n" + PETER_SIG + "\n",
        TEXT + "\n" + PETER_SIG.replace("PeterNeumann", "Peter+Neumann"),
        TEXT + "\n" + PETER_SIG.replace("PeterNeumann", "Peter\u00a0Neumann"),
    ],
)
def test_malformed_notes(msg: str, peter: Verifier) -> None:
    with pytest.raises(VerificationError) as e:
        open_note(msg, [peter])
    assert e.value.code == "note_malformed"


def test_text_may_hold_blank_lines_and_dash_lines(peter: Verifier) -> None:
    signer = Signer.from_skey(PETER_SKEY)
    for text in ("\n", "a\n\n", "\n\nb\n", "\u2014 PeterNeumann x08go/Y=\n\n\u2014 x\n"):
        assert open_note(sign_note(text, [signer]), [peter]) == (text, [peter])


def test_parse_note() -> None:
    text, sigs = parse_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG)
    assert text == TEXT
    assert [(s.name, s.key_id.hex(), len(s.signature)) for s in sigs] == [
        ("PeterNeumann", "c74f20a3", 64),
        ("EnochRoot", "af0cfe78", 64),
    ]


@pytest.mark.parametrize(
    ("text", "signers"),
    [
        ("abc", 1),  # no final newline (Go: "malformed note")
        ("", 1),
        ("a\x01b\n", 1),
        ("a\r\n", 1),
        ("\udc00\n", 1),
        (TEXT, 0),
        (TEXT, 2),  # the same key twice
    ],
)
def test_unsignable(text: str, signers: int) -> None:
    with pytest.raises(InputError) as e:
        sign_note(text, [Signer.from_skey(PETER_SKEY)] * signers)
    assert e.value.code == "note_text"


def _mangled(key: str) -> list[str]:
    """Go's TestNewVerifier/TestNewSigner manglings: every proper substring, every byte + 1."""
    out = {key[i:j] for i in range(len(key) + 1) for j in range(i + 1, len(key) + 1)}
    out |= {key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :] for i in range(len(key))}
    out.discard(key)
    return sorted(out)


def test_mangled_verifier_keys_are_refused() -> None:
    for bad in _mangled(PETER_VKEY):
        with pytest.raises(InputError):
            Verifier.from_vkey(bad)


def test_mangled_signer_keys_are_refused() -> None:
    for bad in _mangled(PETER_SKEY):
        with pytest.raises(InputError) as e:
            Signer.from_skey(bad)
        assert PETER_SKEY[-20:] not in e.value.message("both")


@pytest.mark.parametrize(
    "vkey",
    [
        # From Go's TestNewVerifier: a 38-byte key and an unknown algorithm, each with the ID
        # recomputed, so that only the key itself is wrong.
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        # Stricter than Go: upper-case ID, non-canonical base64.
        "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TX",
        "",
        "PeterNeumann",
        "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ],
)
def test_invalid_verifier_keys(vkey: str) -> None:
    with pytest.raises(InputError) as e:
        Verifier.from_vkey(vkey)
    assert e.value.code == "note_key"


@pytest.mark.parametrize(
    "name", ["", "a b", "a+b", "a\tb", "a\u00a0b", "a\u2003b", "a\u3000b", "a\x1fb", "a\ud800"]
)
def test_invalid_key_names(name: str) -> None:
    with pytest.raises(InputError) as e:
        Signer.generate(name)
    assert e.value.code == "note_key"
    with pytest.raises(InputError):
        Verifier(name, bytes(32))


def test_key_sizes() -> None:
    with pytest.raises(InputError):
        Signer("n", bytes(31))
    with pytest.raises(InputError):
        Verifier("n", bytes(33))


def test_generated_keys_round_trip() -> None:
    signer = Signer.generate("example.com/log")
    again = Signer.from_skey(signer.skey)
    assert again.vkey == signer.vkey == Verifier.from_vkey(signer.vkey).vkey
    sig = signer.sign(b"hi")
    assert again.sign(b"hi") == sig
    verifier = signer.verifier()
    assert verifier.verify(b"hi", sig)
    assert not verifier.verify(b"hI", sig)
    assert not verifier.verify(b"hi", sig[:-1])
    assert not verifier.verify(b"hi", bytes([sig[0] ^ 1]) + sig[1:])


def test_ambiguous_verifiers(peter: Verifier) -> None:
    # A second key with Peter's name and key ID needs a 32-bit ID collision: forge the ID.
    impostor = Verifier("PeterNeumann", bytes(range(32)))
    object.__setattr__(impostor, "_key_id", peter.key_id)
    with pytest.raises(InputError) as e:
        open_note(NOTE, [peter, impostor])
    assert e.value.code == "note_verifiers"
    # The same key twice is not ambiguous.
    assert open_note(NOTE, [peter, Verifier.from_vkey(PETER_VKEY)]) == (TEXT, [peter])


_note_text = st.text(
    st.characters(
        exclude_categories=["Cs"], exclude_characters=[chr(c) for c in range(32) if c != 10]
    )
).map(lambda t: t + "\n")


@settings(max_examples=50)
@given(_note_text, st.integers(1, 3))
def test_sign_open_round_trip(text: str, count: int) -> None:
    signers = [Signer(f"k{i}", bytes([i]) * 32) for i in range(count)]
    signed = sign_note(text, signers)
    assert open_note(signed, [s.verifier() for s in signers]) == (
        text,
        [s.verifier() for s in signers],
    )
    assert open_note(signed, [signers[-1].verifier()])[0] == text


def test_short_signature_by_a_known_key_fails(peter: Verifier) -> None:
    # Key ID and one signature byte: well-formed (any algorithm), but not an Ed25519 signature.
    with pytest.raises(VerificationError) as e:
        open_note(TEXT + "\n\u2014 PeterNeumann x08go/Y=\n", [peter])
    assert e.value.code == "note_bad_signature"


def test_too_many_signers() -> None:
    signers = [Signer(f"k{i}", i.to_bytes(32, "big")) for i in range(101)]
    assert open_note(sign_note("t\n", signers[:100]), [signers[99].verifier()])[0] == "t\n"
    with pytest.raises(InputError) as e:
        sign_note("t\n", signers)
    assert e.value.code == "note_text"


def test_verifier_identity(peter: Verifier, enoch: Verifier) -> None:
    assert peter == Verifier.from_vkey(PETER_VKEY)
    assert peter != enoch
    assert peter != PETER_VKEY
    assert len({peter, Verifier.from_vkey(PETER_VKEY), enoch}) == 2
    assert repr(peter) == f"Verifier('{PETER_VKEY}')"
