"""Hashing from streamed pieces (dataip.core.incremental) against hash_dataset and the reference."""

from __future__ import annotations

import array
import hashlib
import random
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataip.core.errors import InputError, UnsupportedAlgorithm
from dataip.core.hashing import CHUNK_SIZE, FileRecord, hash_dataset, hash_file
from dataip.core.incremental import DatasetAccumulator, FileHasher, HasherState, normalise_name

from . import golden, reference

ALGS = ("sm3", "sha256")
MIB = 1_048_576
SIZES = [0, 1, MIB - 1, MIB, MIB + 1, 2 * MIB, 3 * MIB + 17]
PIECES = [None, 1000, 65536, 1_000_003, MIB, MIB + 1]


def _feed(hasher: FileHasher, data: bytes, cuts: list[int]) -> None:
    """Feed ``data`` cut at the given offsets (sorted, within the data)."""
    start = 0
    for cut in [*cuts, len(data)]:
        hasher.update(data[start:cut])
        start = cut


def _pieces(size: int, piece: int | None) -> list[int]:
    return [] if piece is None else list(range(piece, size, piece))


def _file_root(alg: str, data: bytes, cuts: list[int]) -> tuple[int, bytes]:
    hasher = FileHasher(alg)
    _feed(hasher, data, cuts)
    return hasher.finish()


# --- FileHasher ---------------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ALGS)
@pytest.mark.parametrize("size", SIZES)
def test_file_hasher_at_chunk_boundaries(tmp_path: Path, alg: str, size: int) -> None:
    data = golden.content(f"size-{size}", size)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    expected = (size, reference.file_root(alg, data))
    assert hash_file(path, alg) == expected
    for piece in PIECES:
        assert _file_root(alg, data, _pieces(size, piece)) == expected, piece


def test_file_hasher_by_hand() -> None:
    assert FileHasher("sha256").finish() == (0, hashlib.sha256(b"").digest())
    assert FileHasher().finish() == (0, hashlib.new("sm3", b"").digest())
    one = FileHasher("sha256")
    one.update(b"x")
    assert one.finish() == (1, hashlib.sha256(b"\x00x").digest())
    c0, c1 = b"\x01" * CHUNK_SIZE, b"\x02" * 3
    l0, l1 = hashlib.sha256(b"\x00" + c0).digest(), hashlib.sha256(b"\x00" + c1).digest()
    expected = (CHUNK_SIZE + 3, hashlib.sha256(b"\x01" + l0 + l1).digest())
    assert _file_root("sha256", c0 + c1, [5, CHUNK_SIZE + 1]) == expected
    assert _file_root("sha256", c0 + c1, [CHUNK_SIZE]) == expected


def test_file_hasher_takes_any_bytes_like_object() -> None:
    data = golden.content("bytes-like", MIB + 12)
    expected = _file_root("sha256", data, [])
    hasher = FileHasher("sha256")
    hasher.update(bytearray(data[:10]))
    hasher.update(memoryview(data)[10:MIB])
    hasher.update(array.array("I", data[MIB : MIB + 8]))  # a multi-byte item format
    hasher.update(b"")
    hasher.update(data[MIB + 8 :])
    assert hasher.size == MIB + 12
    assert hasher.finish() == expected


def test_file_hasher_does_not_keep_the_callers_buffer() -> None:
    buffer = bytearray(b"abc")
    hasher = FileHasher("sha256")
    hasher.update(buffer)
    buffer[:] = b"xyz"  # a reused read buffer, as a server would pass
    assert hasher.finish() == (3, hashlib.sha256(b"\x00abc").digest())


def test_file_hasher_is_spent_after_finish() -> None:
    hasher = FileHasher("sha256")
    hasher.update(b"a")
    hasher.finish()
    with pytest.raises(ValueError, match="after finish"):
        hasher.update(b"b")
    with pytest.raises(ValueError, match="twice"):
        hasher.finish()


def test_unknown_algorithm() -> None:
    with pytest.raises(UnsupportedAlgorithm):
        FileHasher("md5")
    with pytest.raises(UnsupportedAlgorithm):
        DatasetAccumulator("sha1")


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    size=st.integers(0, 3 * MIB + 5),
    cuts=st.lists(st.integers(0, 3 * MIB + 5), max_size=12),
    alg=st.sampled_from(ALGS),
)
def test_file_hasher_any_pieces(size: int, cuts: list[int], alg: str) -> None:
    data = random.Random(size).randbytes(size)  # noqa: S311 - test data, not secrets
    expected = (size, reference.file_root(alg, data))
    assert _file_root(alg, data, sorted(c for c in cuts if c <= size)) == expected


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    size=st.integers(0, 5 * MIB + 5),
    stops=st.lists(st.integers(0, 5 * MIB + 5), max_size=6),
    alg=st.sampled_from(ALGS),
)
def test_file_hasher_stopped_and_resumed(size: int, stops: list[int], alg: str) -> None:
    """Stop anywhere, keep only the packed state, resume in a new hasher from its offset."""
    data = random.Random(size).randbytes(size)  # noqa: S311 - test data, not secrets
    hasher = FileHasher(alg)
    position = 0
    for stop in sorted(s for s in stops if s <= size):
        hasher.update(data[position:stop])
        state = hasher.state()
        assert state.offset % CHUNK_SIZE == 0 and stop - CHUNK_SIZE < state.offset <= stop
        assert len(state.stack) == bin(state.offset // CHUNK_SIZE).count("1")
        hasher = FileHasher.resume(HasherState.unpack(alg, state.offset, state.pack()))
        position = state.offset  # the bytes after the boundary are sent again
    hasher.update(data[position:])
    assert hasher.finish() == (size, reference.file_root(alg, data))


def test_resume_refuses_impossible_states() -> None:
    root = bytes(32)
    for state in (
        HasherState("sm3", MIB + 1, (root,)),  # not at a chunk boundary
        HasherState("sm3", 3 * MIB, (root,)),  # 3 chunks: two subtree roots
        HasherState("sm3", MIB, (b"short",)),
        HasherState("sm3", -MIB, ()),
    ):
        with pytest.raises(ValueError, match=r"boundary|subtree roots"):
            FileHasher.resume(state)
    with pytest.raises(ValueError, match="multiple of 32"):
        HasherState.unpack("sm3", MIB, b"x" * 33)
    done = FileHasher("sm3")
    done.finish()
    with pytest.raises(ValueError, match="after finish"):
        done.state()


# --- DatasetAccumulator -------------------------------------------------------------------------


def _accumulate(files: dict[str, bytes], alg: str, seed: int = 0) -> DatasetAccumulator:
    """Add ``files`` (names as given) in a shuffled order, with roots from FileHasher."""
    acc = DatasetAccumulator(alg)
    names = sorted(files)
    random.Random(seed).shuffle(names)  # noqa: S311 - test order, not secrets
    for name in names:
        hasher = FileHasher(alg)
        hasher.update(files[name])
        acc.add(name, *hasher.finish())
    return acc


@pytest.mark.parametrize("alg", ALGS)
def test_golden_dataset(
    golden_dir: Path, golden_ref: dict[str, reference.Digest], alg: str
) -> None:
    acc = _accumulate(golden.golden_files(), alg, seed=7)
    digest = acc.digest()
    ref = golden_ref[alg]
    assert (digest.root, digest.file_count, digest.total_bytes) == (
        ref.root,
        ref.file_count,
        ref.total_bytes,
    )
    assert digest.check_code == ref.check_code
    assert [tuple(r) for r in acc.records()] == ref.files
    assert all(isinstance(r, FileRecord) for r in acc.records())
    assert hash_dataset(golden_dir, alg=alg) == digest
    assert golden.NFC_NAME in [r.name for r in acc.records()]


def test_sort_traps_by_hand() -> None:
    names = ["ab", "a0", "a/c/d", "a/b", "a.b", "a-b", "B.txt", "数据", "\u00e9", "back\\slash"]
    acc = _accumulate({n: n.encode() for n in names}, "sha256", seed=3)
    # Bytewise: "B" < "a-b" < "a.b" < "a/b" < "a/c/d" < "a0" < "ab" < "back\\" < U+00E9 < CJK.
    order = ["B.txt", "a-b", "a.b", "a/b", "a/c/d", "a0", "ab", "back\\slash", "\u00e9", "数据"]
    assert [r.name for r in acc.records()] == order
    leaves = [
        reference.entry(n, len(n.encode()), hashlib.sha256(b"\x00" + n.encode()).digest())
        for n in order
    ]
    assert acc.digest().root == reference.mth("sha256", leaves)


def test_nfd_names_are_normalised() -> None:
    acc = DatasetAccumulator("sha256")
    root = hashlib.sha256(b"").digest()
    record = acc.add("cafe\u0301/the\u0301.txt", 0, root)
    assert record == FileRecord("caf\u00e9/th\u00e9.txt", 0, root)
    acc.add("cafe\u0301/other", 0, root)  # the same directory, spelled the same way
    assert [r.name for r in acc.records()] == ["caf\u00e9/other", "caf\u00e9/th\u00e9.txt"]


def test_counts_check_and_empty() -> None:
    acc = DatasetAccumulator("sha256")
    with pytest.raises(InputError) as info:
        acc.digest()
    assert info.value.code == "no_files"
    empty = acc.digest(allow_empty=True)
    assert (empty.root, empty.file_count, empty.total_bytes) == (hashlib.sha256().digest(), 0, 0)
    assert acc.check("e\u0301") == "\u00e9"
    assert acc.file_count == 0  # check() adds nothing
    acc.add("a", 3, bytes(32))
    acc.add("b/c", 4, bytes(32))
    assert (acc.file_count, acc.total_bytes, acc.alg) == (2, 7, "sha256")
    with pytest.raises(ValueError, match="bad file record"):
        acc.add("d", 1, bytes(31))
    with pytest.raises(ValueError, match="bad file record"):
        acc.add("d", -1, bytes(32))
    assert acc.file_count == 2


BAD_NAMES = [
    ("", "name_invalid"),
    ("/etc/passwd", "name_invalid"),
    ("/", "name_invalid"),
    ("a//b", "name_invalid"),
    ("a/", "name_invalid"),
    (".", "name_invalid"),
    ("..", "name_invalid"),
    ("./a", "name_invalid"),
    ("a/../b", "name_invalid"),
    ("a/..", "name_invalid"),
    ("a\x00b", "name_invalid"),
    ("a\nb", "name_invalid"),
    ("tab\there", "name_invalid"),
    ("del\x7f", "name_invalid"),
    ("c1\x85", "name_invalid"),
    ("bad\udcff.csv", "bad_name"),  # a surrogate escape: bytes that were not UTF-8
    ("\ud800", "bad_name"),
]


@pytest.mark.parametrize(("name", "code"), BAD_NAMES)
def test_bad_names(name: str, code: str) -> None:
    acc = DatasetAccumulator("sha256")
    acc.add("ok", 0, bytes(32))
    for attempt in (acc.check, lambda n: acc.add(n, 0, bytes(32)), normalise_name):
        with pytest.raises(InputError) as info:
            attempt(name)
        assert info.value.code == code
        message = info.value.message("both")
        assert "\n" not in message
        assert "\x00" not in message
    assert [r.name for r in acc.records()] == ["ok"]


def test_bad_name_messages_say_why() -> None:
    with pytest.raises(InputError) as info:
        normalise_name("a/../b")
    assert "'..'" in info.value.message("en")
    assert "“..”" in info.value.message("zh")
    with pytest.raises(InputError) as info:
        normalise_name("/abs")
    assert "relative" in str(info.value)
    with pytest.raises(InputError) as info:
        normalise_name("a\nb")
    assert "a\\nb" in str(info.value)


@pytest.mark.parametrize(
    ("first", "second", "code"),
    [
        ("a.txt", "a.txt", "name_duplicate"),
        ("caf\u00e9", "cafe\u0301", "nfc_collision"),
        ("cafe\u0301", "caf\u00e9", "nfc_collision"),
        ("caf\u00e9/x", "cafe\u0301/y", "nfc_collision"),  # two directories on disk
        ("d/caf\u00e9/x", "d/cafe\u0301/y/z", "nfc_collision"),
        ("a", "a/b", "name_file_and_directory"),
        ("a/b", "a", "name_file_and_directory"),
        ("a/b/c", "a/b", "name_file_and_directory"),
        ("x/y", "x/y/z/w", "name_file_and_directory"),
        ("caf\u00e9", "cafe\u0301/x", "name_file_and_directory"),
    ],
)
def test_collisions(first: str, second: str, code: str) -> None:
    acc = DatasetAccumulator("sha256")
    acc.add(first, 1, bytes(32))
    with pytest.raises(InputError) as info:
        acc.add(second, 2, bytes(32))
    assert info.value.code == code
    assert [r.name for r in acc.records()] == [unicodedata.normalize("NFC", first)]
    assert acc.total_bytes == 1


def test_collision_message_spells_code_points() -> None:
    acc = DatasetAccumulator("sha256")
    acc.add("caf\u00e9", 1, bytes(32))
    with pytest.raises(InputError) as info:
        acc.add("cafe\u0301", 1, bytes(32))
    assert "\\xe9" in str(info.value)
    assert "e\\u0301" in str(info.value)


def test_similar_names_that_do_not_collide() -> None:
    acc = DatasetAccumulator("sha256")
    for name in ["a", "a.b", "a-b", "ab/c", "A/b", "a b", "...", "..a", "a..", ".hidden/x"]:
        acc.add(name, 0, bytes(32))
    assert acc.file_count == 10


# --- against hash_dataset on generated directories ----------------------------------------------

# "e\u0301" and "\u00e9" are the same name after NFC; the dataset picks one spelling per path.
COMPONENTS = ["a", "b", "a.b", "a-b", "a0", "Z", "数据", "caf\u00e9", "x y", "back\\slash"]


def _valid(names: list[str]) -> bool:
    return len(set(names)) == len(names) and not any(
        other.startswith(name + "/") for name in names for other in names
    )


@st.composite
def _datasets(draw: st.DrawFn) -> dict[str, bytes]:
    """Files on disk: NFC-distinct names, each directory spelled NFC or NFD consistently."""
    names = draw(
        st.lists(
            st.lists(st.sampled_from(COMPONENTS), min_size=1, max_size=3).map("/".join),
            min_size=1,
            max_size=8,
            unique=True,
        ).filter(_valid)
    )
    spelling: dict[str, str] = {}  # NFC path prefix -> its spelling on disk

    def spell(path: str) -> str:
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            prefix = "/".join(parts[:depth])
            if prefix not in spelling:
                last = parts[depth - 1]
                if draw(st.booleans()):
                    last = unicodedata.normalize("NFD", last)
                parent = spelling.get("/".join(parts[: depth - 1]), "")
                spelling[prefix] = f"{parent}/{last}" if parent else last
        return spelling[path]

    sizes = st.sampled_from([0, 1, 7, MIB, MIB + 1])
    return {spell(n): golden.content(n, draw(sizes)) for n in names}


@settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(files=_datasets(), alg=st.sampled_from(ALGS), seed=st.integers(0, 1000))
def test_random_datasets_match_hash_dataset(files: dict[str, bytes], alg: str, seed: int) -> None:
    acc = _accumulate(files, alg, seed)
    with tempfile.TemporaryDirectory() as tmp:
        data = golden.write_tree(Path(tmp) / "d", files)
        records: list[FileRecord] = []
        expected = hash_dataset(data, alg=alg, on_file=records.append)
        ref = reference.digest(data, alg)
    assert acc.digest() == expected
    assert acc.records() == records
    assert acc.digest().root == ref.root
