"""Checkpoints, tile paths, entry bundles and tlog-proofs (dataip.core.checkpoint)."""

from __future__ import annotations

import base64
import dataclasses
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataip.core import merkle
from dataip.core.checkpoint import (
    TILE_HEIGHT,
    TILE_WIDTH,
    TLOG_PROOF_HEADER,
    Checkpoint,
    TilePath,
    TlogProof,
    decode_entry_bundle,
    encode_entry_bundle,
    entries_path,
    format_tlog_proof,
    open_checkpoint,
    parse_tile_path,
    parse_tlog_proof,
    sign_checkpoint,
    tile_path,
    verify_tlog_proof,
)
from dataip.core.errors import InputError, VerificationError
from dataip.core.note import Signer, Verifier, open_note, sign_note

# sum.golang.org's checkpoint of 2024-09-23 and its published verifier key (Go's
# cmd/go/internal/modfetch/key.go), as recorded in sigsum-go's checkpoint tests. The log's origin
# line differs from its key name.
SUMDB_VKEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
SUMDB_ORIGIN = "go.sum database tree"
SUMDB_ROOT = "mXfgRcJ0bG0j3CPdKwgGWtUzBUbX67saZGRmFuJGGsM="
SUMDB_NOTE = (
    f"{SUMDB_ORIGIN}\n30055305\n{SUMDB_ROOT}\n\n"
    "\u2014 sum.golang.org Az3grpgEild5qw7+5dtV13Kf1C2Xurm8q4fhdxvcsDHnqNTaxL2AFjBY+2TyGKevucFcAAlW"
    "FJJYle3EJlDCrQ+y3A8=\n"
)
# The example of c2sp.org/tlog-checkpoint.
SPEC_TEXT = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
SPEC_NOTE = (
    SPEC_TEXT + "\n\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurm"
    "RDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
)
# The head of the example of c2sp.org/tlog-proof (its checkpoint's signatures are elided there).
SPEC_PROOF_HEAD = (
    "c2sp.org/tlog-proof@v1\n"
    "extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ\n"
    "index 73894\n"
    "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\n"
    "B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=\n"
    "EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=\n"
    "RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=\n"
    "AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=\n"
)


def test_sumdb_checkpoint_verifies() -> None:
    verifier = Verifier.from_vkey(SUMDB_VKEY)
    cp = open_checkpoint(SUMDB_NOTE, verifier, origin=SUMDB_ORIGIN)
    assert cp == Checkpoint(SUMDB_ORIGIN, 30055305, base64.b64decode(SUMDB_ROOT))
    assert cp.text() == SUMDB_NOTE.split("\n\n", maxsplit=1)[0] + "\n"


def test_sumdb_checkpoint_needs_its_origin() -> None:
    verifier = Verifier.from_vkey(SUMDB_VKEY)
    with pytest.raises(VerificationError) as e:
        open_checkpoint(SUMDB_NOTE, verifier)
    assert e.value.code == "checkpoint_origin"
    assert e.value.params == {"found": SUMDB_ORIGIN, "expected": "sum.golang.org"}


def test_tampered_sumdb_checkpoint_fails() -> None:
    verifier = Verifier.from_vkey(SUMDB_VKEY)
    with pytest.raises(VerificationError) as e:
        open_checkpoint(SUMDB_NOTE.replace("30055305", "30055306"), verifier, origin=SUMDB_ORIGIN)
    assert e.value.code == "note_bad_signature"


def test_spec_example_checkpoint() -> None:
    cp = Checkpoint.parse(SPEC_TEXT)
    assert cp.origin == "example.com/behind-the-sofa"
    assert cp.size == 20852163
    assert cp.root == base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    assert cp.extensions == ()
    assert cp.text() == SPEC_TEXT
    # Signed by a key we do not know (its ID is sum.golang.org's, its name is not).
    with pytest.raises(VerificationError) as e:
        open_checkpoint(SPEC_NOTE, Verifier.from_vkey(SUMDB_VKEY))
    assert e.value.code == "note_unverified"


def test_own_checkpoint_round_trip() -> None:
    signer = Signer.generate("log.example.cn/dataip")
    cp = Checkpoint(signer.name, 7, bytes(range(32)), ("ext one", "ext two"))
    note = sign_checkpoint(cp, signer)
    assert note.startswith(cp.text() + "\n\u2014 log.example.cn/dataip ")
    assert open_checkpoint(note, signer.verifier()) == cp
    with pytest.raises(VerificationError) as e:
        open_checkpoint(note, signer.verifier(), origin="other")
    assert e.value.code == "checkpoint_origin"
    with pytest.raises(VerificationError) as e:
        open_checkpoint(note, Signer.generate("log.example.cn/dataip").verifier())
    assert e.value.code == "note_unverified"


def test_signed_note_that_is_not_a_checkpoint() -> None:
    signer = Signer.generate("o")
    with pytest.raises(VerificationError) as e:
        open_checkpoint(sign_note("o\n1\n", [signer]), signer.verifier())
    assert e.value.code == "checkpoint_malformed"


ROOT64 = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="


@pytest.mark.parametrize(
    "text",
    [
        "",
        "o\n",
        "o\n1\n",
        f"o\n1\n{ROOT64}",  # no final newline
        f"\n1\n{ROOT64}\n",  # empty origin
        f"o\n\n{ROOT64}\n",
        f"o\n1\n{ROOT64}\n\n",  # empty extension line
        f"o\n1\n{ROOT64}\next\n\n",
        f"o\n01\n{ROOT64}\n",  # leading zero
        f"o\n00\n{ROOT64}\n",
        f"o\n+1\n{ROOT64}\n",
        f"o\n-1\n{ROOT64}\n",
        f"o\n 1\n{ROOT64}\n",
        f"o\n1 \n{ROOT64}\n",
        f"o\n1_000\n{ROOT64}\n",
        f"o\n\u0661\n{ROOT64}\n",  # ARABIC-INDIC DIGIT ONE: int() would take it
        f"o\n{2**64}\n{ROOT64}\n",
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n",  # non-canonical base64
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",  # unpadded
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jx\n",  # 30 bytes
        f"o\n1\n{ROOT64} \n",
        f"o\r\n1\n{ROOT64}\n",
        f"o\x00\n1\n{ROOT64}\n",
        f"\ud800\n1\n{ROOT64}\n",
    ],
)
def test_malformed_checkpoints(text: str) -> None:
    with pytest.raises(VerificationError) as e:
        Checkpoint.parse(text)
    assert e.value.code == "checkpoint_malformed"


def test_checkpoint_limits() -> None:
    assert Checkpoint.parse(f"o\n0\n{ROOT64}\n").size == 0
    assert Checkpoint.parse(f"o\n{2**64 - 1}\n{ROOT64}\n").size == 2**64 - 1


@pytest.mark.parametrize(
    ("origin", "size", "root", "extensions"),
    [
        ("", 1, bytes(32), ()),
        ("a\nb", 1, bytes(32), ()),
        ("a\x01", 1, bytes(32), ()),
        ("o", -1, bytes(32), ()),
        ("o", 2**64, bytes(32), ()),
        ("o", True, bytes(32), ()),
        ("o", 1.0, bytes(32), ()),
        ("o", 1, bytes(31), ()),
        ("o", 1, bytes(32), ("",)),
        ("o", 1, bytes(32), ("a\nb",)),
    ],
)
def test_invalid_checkpoint_fields(
    origin: str, size: int, root: bytes, extensions: tuple[str, ...]
) -> None:
    with pytest.raises(InputError) as e:
        Checkpoint(origin, size, root, extensions)
    assert e.value.code == "checkpoint_field"


_line = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters=[chr(c) for c in range(32)]),
    min_size=1,
)


@given(
    _line,
    st.integers(0, 2**64 - 1),
    st.binary(min_size=32, max_size=32),
    st.lists(_line, max_size=3).map(tuple),
)
def test_checkpoint_text_round_trip(
    origin: str, size: int, root: bytes, extensions: tuple[str, ...]
) -> None:
    cp = Checkpoint(origin, size, root, extensions)
    assert Checkpoint.parse(cp.text()) == cp


# Tile paths: the example of c2sp.org/tlog-tiles (index 1234067), Let's Encrypt Boulder's
# tile path tests, and the tiles of the spec's tree of 70,000 leaves.
@pytest.mark.parametrize(
    ("coordinates", "path"),
    [
        ((None, 0, 1), "tile/entries/000.p/1"),
        ((None, 0, 255), "tile/entries/000.p/255"),
        ((None, 0, 256), "tile/entries/000"),
        ((None, 10, 256), "tile/entries/010"),
        ((None, 1234067, 256), "tile/entries/x001/x234/067"),
        ((None, 1234067, 6), "tile/entries/x001/x234/067.p/6"),
        ((2, 0, 1), "tile/2/000.p/1"),
        ((2, 0, 255), "tile/2/000.p/255"),
        ((2, 0, 256), "tile/2/000"),
        ((2, 10, 256), "tile/2/010"),
        ((2, 1234067, 256), "tile/2/x001/x234/067"),
        ((2, 1234067, 6), "tile/2/x001/x234/067.p/6"),
        ((0, 1234067, 256), "tile/0/x001/x234/067"),
        ((1, 5, 7), "tile/1/005.p/7"),
        ((0, 272, 256), "tile/0/272"),
        ((0, 273, 112), "tile/0/273.p/112"),
        ((1, 0, 256), "tile/1/000"),
        ((1, 1, 17), "tile/1/001.p/17"),
        ((63, 999, 256), "tile/63/999"),
        ((0, 1000, 256), "tile/0/x001/000"),
        ((0, 10**9, 256), "tile/0/x001/x000/x000/000"),
    ],
)
def test_tile_paths(coordinates: tuple[int | None, int, int], path: str) -> None:
    level, index, width = coordinates
    made = entries_path(index, width) if level is None else tile_path(level, index, width)
    assert made == path
    assert parse_tile_path(path) == TilePath(level, index, width)


def test_default_width_is_a_full_tile() -> None:
    assert TILE_WIDTH == 1 << TILE_HEIGHT == 256
    assert tile_path(0, 3) == "tile/0/003"
    assert entries_path(3) == "tile/entries/003"


@pytest.mark.parametrize(
    "path",
    [
        "tile/0/x001/x234/x067",  # x on the last element
        "tile/0/001/x234/067",  # no x on an inner element
        "tile/0/1234",
        "tile/0/12",
        "tile/0/0001",
        "tile/0/x000/005",  # non-canonical: superfluous zero group
        "tile/0/x0001/005",
        "tile/64/000",
        "tile/100/000",
        "tile/00/000",
        "tile/01/000",
        "tile/-1/000",
        "tile/0/000.p/0",
        "tile/0/000.p/256",
        "tile/0/000.p/007",
        "tile/0/000.p/",
        "tile/0/000.p",
        "tile/0/000.p/1/",
        "tile/entries/000.p/256",
        "tile/0//000",
        "tile/0/000/",
        "/tile/0/000",
        "tile//0/000",
        "tile/0/000\n",
        "tile/0/X001/000",
        "tile/0/\u0660\u0660\u0660",  # Arabic-Indic zeros
        "tile/data/000",
        "tile/entry/000",
        "tiles/0/000",
        "tile/0",
        "tile/0/",
        "",
        "tile/0/x001/x234/067" + "/x999" * 50,
    ],
)
def test_invalid_tile_paths(path: str) -> None:
    with pytest.raises(InputError) as e:
        parse_tile_path(path)
    assert e.value.code == "tile_path"
    assert len(str(e.value.params["path"])) <= 120


@pytest.mark.parametrize(
    ("level", "index", "width"),
    [(-1, 0, 256), (64, 0, 256), (0, -1, 256), (0, 0, 0), (0, 0, 257), (True, 0, 256)],
)
def test_invalid_tile_coordinates(level: int, index: int, width: int) -> None:
    with pytest.raises(InputError) as e:
        tile_path(level, index, width)
    assert e.value.code == "tile_coordinates"


def test_invalid_entries_coordinates() -> None:
    for index, width in ((-1, 256), (0, 0), (0, 300)):
        with pytest.raises(InputError):
            entries_path(index, width)


@given(st.one_of(st.none(), st.integers(0, 63)), st.integers(0, 2**64), st.integers(1, 256))
def test_tile_path_round_trip(level: int | None, index: int, width: int) -> None:
    path = entries_path(index, width) if level is None else tile_path(level, index, width)
    assert parse_tile_path(path) == TilePath(level, index, width)


def test_entry_bundle_bytes() -> None:
    entries = [b"a", b"", b"\x00" * 300, b"z" * 0xFFFF]
    data = encode_entry_bundle(entries)
    assert data[:5] == b"\x00\x01a\x00\x00"
    assert data[5:7] == b"\x01\x2c"
    assert data[307:309] == b"\xff\xff"
    assert len(data) == 2 * 4 + 1 + 300 + 0xFFFF
    assert decode_entry_bundle(data) == entries
    assert decode_entry_bundle(data, width=4) == entries


@pytest.mark.parametrize(
    "entries", [[], [b"x"] * 257, [b"x" * 0x10000]], ids=["empty", "too-many", "too-long"]
)
def test_unencodable_entry_bundles(entries: list[bytes]) -> None:
    with pytest.raises(InputError) as e:
        encode_entry_bundle(entries)
    assert e.value.code == "entry_bundle"


@pytest.mark.parametrize(
    ("data", "width"),
    [
        (b"", None),
        (b"\x00", None),  # truncated length
        (b"\x00\x02a", None),  # truncated entry
        (b"\x00\x01a\x00", None),
        (b"\x00\x00" * 257, None),  # more than a tile
        (b"\x00\x01a\x00\x01b", 1),  # more than the width
        (b"\x00\x01a", 2),  # fewer than the width
    ],
)
def test_malformed_entry_bundles(data: bytes, width: int | None) -> None:
    with pytest.raises(VerificationError) as e:
        decode_entry_bundle(data, width=width)
    assert e.value.code == "entry_bundle_malformed"


@given(st.lists(st.binary(max_size=600), min_size=1, max_size=TILE_WIDTH))
def test_entry_bundle_round_trip(entries: list[bytes]) -> None:
    assert decode_entry_bundle(encode_entry_bundle(entries), width=len(entries)) == entries


def test_spec_example_tlog_proof() -> None:
    text = SPEC_PROOF_HEAD + "\n" + SUMDB_NOTE
    proof = parse_tlog_proof(text)
    assert proof.index == 73894
    assert proof.extra == base64.b64decode("YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ")
    assert proof.extra.startswith(b"age-v1.2.1-darwin-arm64.tar.gz")
    assert [base64.b64encode(h).decode() for h in proof.hashes] == SPEC_PROOF_HEAD.split("\n")[3:8]
    assert proof.checkpoint == SUMDB_NOTE
    assert format_tlog_proof(**dataclasses.asdict(proof)) == text


def test_tlog_proof_without_extra_or_hashes() -> None:
    text = f"{TLOG_PROOF_HEADER}\nindex 0\n\n{SUMDB_NOTE}"
    assert parse_tlog_proof(text) == TlogProof(0, (), SUMDB_NOTE, None)
    assert format_tlog_proof(index=0, hashes=[], checkpoint=SUMDB_NOTE) == text


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def test_tlog_proof_verifies_inclusion() -> None:
    # A tree of three leaves, hashed here from RFC 6962 section 2.1 directly.
    leaves = [b"zero", b"one", b"two"]
    lh = [_sha256(b"\x00" + d) for d in leaves]
    left = _sha256(b"\x01" + lh[0] + lh[1])
    root = _sha256(b"\x01" + left + lh[2])
    signer = Signer.generate("log.example")
    note = sign_checkpoint(Checkpoint("log.example", 3, root), signer)
    text = format_tlog_proof(index=1, hashes=[lh[0], lh[2]], checkpoint=note, extra=b"ctx")
    proof = parse_tlog_proof(text)
    assert verify_tlog_proof(proof, leaf_hash=lh[1], verifier=signer.verifier()).root == root
    assert open_note(proof.checkpoint, [signer.verifier()])[0].startswith("log.example\n3\n")
    with pytest.raises(VerificationError) as e:
        verify_tlog_proof(proof, leaf_hash=lh[0], verifier=signer.verifier())
    assert e.value.code == "proof_root"
    with pytest.raises(VerificationError) as e:
        verify_tlog_proof(
            dataclasses.replace(proof, index=5), leaf_hash=lh[1], verifier=signer.verifier()
        )
    assert e.value.code == "inclusion_index"
    with pytest.raises(VerificationError) as e:
        verify_tlog_proof(
            proof, leaf_hash=lh[1], verifier=Signer.generate("log.example").verifier()
        )
    assert e.value.code == "note_unverified"
    assert merkle.leaf_hash("sha256", b"one") == lh[1]


HASH64 = "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ="


@pytest.mark.parametrize(
    "head",
    [
        "c2sp.org/tlog-proof@v2\nindex 1\n",
        "c2sp.org/tlog-proof@v1 \nindex 1\n",
        "\nc2sp.org/tlog-proof@v1\nindex 1\n",
        "c2sp.org/tlog-proof@v1\n",  # no index
        "c2sp.org/tlog-proof@v1\nindex 01\n",
        "c2sp.org/tlog-proof@v1\nindex -1\n",
        "c2sp.org/tlog-proof@v1\nindex \n",
        "c2sp.org/tlog-proof@v1\nindex  1\n",
        "c2sp.org/tlog-proof@v1\nindex 1 \n",
        f"c2sp.org/tlog-proof@v1\nindex {2**64}\n",
        "c2sp.org/tlog-proof@v1\nIndex 1\n",
        "c2sp.org/tlog-proof@v1\nindex 1\nindex 1\n",
        "c2sp.org/tlog-proof@v1\nindex 1\nextra YQ==\n",  # extra after index
        "c2sp.org/tlog-proof@v1\nextra YQ==\nextra YQ==\nindex 1\n",
        "c2sp.org/tlog-proof@v1\nextra \nindex 1\n",  # empty extra
        "c2sp.org/tlog-proof@v1\nextra YR==\nindex 1\n",  # non-canonical
        "c2sp.org/tlog-proof@v1\nextra YQ\nindex 1\n",
        "c2sp.org/tlog-proof@v1\nextra=YQ==\nindex 1\n",
        f"c2sp.org/tlog-proof@v1\nindex 1\n{HASH64[:-4]}\n",  # short hash
        f"c2sp.org/tlog-proof@v1\nindex 1\n{HASH64} \n",
        f"c2sp.org/tlog-proof@v1\nindex 1\n{HASH64}\r\n",
        "c2sp.org/tlog-proof@v1\nindex 1\n" + f"{HASH64}\n" * 65,
        "c2sp.org/tlog-proof@v1\r\nindex 1\n",
    ],
)
def test_malformed_tlog_proofs(head: str) -> None:
    with pytest.raises(VerificationError) as e:
        parse_tlog_proof(head + "\n" + SUMDB_NOTE)
    assert e.value.code == "tlog_proof_malformed"


@pytest.mark.parametrize(
    "checkpoint",
    [
        "",
        SUMDB_NOTE[:-1],  # no final newline
        SPEC_TEXT,  # unsigned
        SUMDB_NOTE.replace("30055305", "030055305"),
        "a\n\n\u2014 a AAAAAAA=\n",  # signed but not a checkpoint
    ],
)
def test_tlog_proof_with_malformed_checkpoint(checkpoint: str) -> None:
    with pytest.raises(VerificationError) as e:
        parse_tlog_proof(f"{TLOG_PROOF_HEADER}\nindex 1\n\n{checkpoint}")
    assert e.value.code in {"note_malformed", "checkpoint_malformed"}
    with pytest.raises(InputError) as f:
        format_tlog_proof(index=1, hashes=[], checkpoint=checkpoint)
    assert f.value.code == "tlog_proof_field"


def test_tlog_proof_without_blank_line() -> None:
    with pytest.raises(VerificationError) as e:
        parse_tlog_proof(f"{TLOG_PROOF_HEADER}\nindex 1\n")
    assert e.value.code == "tlog_proof_malformed"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"index": -1, "hashes": []},
        {"index": 2**64, "hashes": []},
        {"index": False, "hashes": []},
        {"index": 0, "hashes": [bytes(31)]},
        {"index": 0, "hashes": [bytes(32)] * 65},
        {"index": 0, "hashes": [], "extra": b""},
    ],
)
def test_unformattable_tlog_proofs(kwargs: dict[str, object]) -> None:
    with pytest.raises(InputError) as e:
        format_tlog_proof(checkpoint=SUMDB_NOTE, **kwargs)  # type: ignore[arg-type]
    assert e.value.code == "tlog_proof_field"


@settings(max_examples=50)
@given(
    st.integers(0, 2**64 - 1),
    st.lists(st.binary(min_size=32, max_size=32), max_size=64).map(tuple),
    st.one_of(st.none(), st.binary(min_size=1, max_size=100)),
)
def test_tlog_proof_round_trip(index: int, hashes: tuple[bytes, ...], extra: bytes | None) -> None:
    text = format_tlog_proof(index=index, hashes=hashes, checkpoint=SUMDB_NOTE, extra=extra)
    assert parse_tlog_proof(text) == TlogProof(index, hashes, SUMDB_NOTE, extra)
