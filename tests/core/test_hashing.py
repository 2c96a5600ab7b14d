"""Dataset hashing (spec sections 2-5) against the reference implementation and hand-made values."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import struct
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataip.core.errors import InputError, UnsupportedAlgorithm
from dataip.core.hashing import (
    CHUNK_SIZE,
    DatasetDigest,
    FileRecord,
    check_code,
    file_entry,
    hash_dataset,
    hash_file,
)

from . import golden, reference

ALGS = ("sm3", "sha256")


def _records(path: Path, **kwargs: Any) -> tuple[DatasetDigest, list[FileRecord]]:
    seen: list[FileRecord] = []
    digest = hash_dataset(path, on_file=seen.append, **kwargs)
    return digest, seen


def _assert_matches(digest: DatasetDigest, ref: reference.Digest) -> None:
    assert digest.alg == ref.alg
    assert digest.root == ref.root
    assert digest.root_hex == ref.root_hex
    assert digest.file_count == ref.file_count
    assert digest.total_bytes == ref.total_bytes
    assert digest.check_code == ref.check_code


# --- the golden dataset ------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ALGS)
def test_golden_dataset(
    golden_dir: Path, golden_ref: dict[str, reference.Digest], alg: str
) -> None:
    digest, seen = _records(golden_dir, alg=alg)
    _assert_matches(digest, golden_ref[alg])
    assert [tuple(r) for r in seen] == golden_ref[alg].files
    assert all(isinstance(r, FileRecord) for r in seen)


def test_golden_dataset_shape(golden_dir: Path, golden_ref: dict[str, reference.Digest]) -> None:
    # Independent of both implementations: what the dataset must contain and in which order.
    names = [name for name, _, _ in golden_ref["sm3"].files]
    assert golden.NFC_NAME in names
    assert golden.NFD_NAME not in names
    assert len(names) == len(golden.golden_files())
    tricky = ["B.txt", "a-b", "a.b", "a/b", "a/c/d.txt", "a0", "ab"]
    assert [n for n in names if n in tricky] == tricky
    assert (
        names.index("emoji/\U0001f600.txt")
        < names.index("latin/\u00ff.txt")
        < names.index("数据/样本.csv")
    )
    assert not any(n.startswith(("empty-dir", "数据/空目录")) for n in names)
    assert golden_ref["sm3"].total_bytes == sum(len(v) for v in golden.golden_files().values())


def test_on_file_order_is_bytewise(golden_dir: Path) -> None:
    _, seen = _records(golden_dir, alg="sha256")
    keys = [r.name.encode("utf-8") for r in seen]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)


def test_default_alg_is_sm3(golden_dir: Path, golden_ref: dict[str, reference.Digest]) -> None:
    _assert_matches(hash_dataset(golden_dir), golden_ref["sm3"])


@pytest.mark.parametrize("alg", ALGS)
def test_jobs_do_not_change_the_result(
    golden_dir: Path, golden_ref: dict[str, reference.Digest], alg: str
) -> None:
    one, seen_one = _records(golden_dir, alg=alg, jobs=1)
    four, seen_four = _records(golden_dir, alg=alg, jobs=4)
    _assert_matches(one, golden_ref[alg])
    _assert_matches(four, golden_ref[alg])
    assert seen_one == seen_four


@pytest.mark.parametrize("alg", ALGS)
@pytest.mark.parametrize("name", sorted(golden.GOLDEN_SIZES))
def test_hash_file_at_chunk_boundaries(golden_dir: Path, name: str, alg: str) -> None:
    data = (golden_dir / name).read_bytes()
    assert len(data) == golden.GOLDEN_SIZES[name]
    assert hash_file(golden_dir / name, alg) == (len(data), reference.file_root(alg, data))


def test_hash_file_by_hand(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert hash_file(empty, "sha256") == (0, hashlib.sha256(b"").digest())
    assert hash_file(empty) == (0, hashlib.new("sm3", b"").digest())

    one = tmp_path / "one"
    one.write_bytes(b"x")
    assert hash_file(one, "sha256") == (1, hashlib.sha256(b"\x00x").digest())

    c0, c1 = b"\x01" * CHUNK_SIZE, b"\x02" * 3
    two = tmp_path / "two"
    two.write_bytes(c0 + c1)
    l0, l1 = hashlib.sha256(b"\x00" + c0).digest(), hashlib.sha256(b"\x00" + c1).digest()
    assert hash_file(two, "sha256") == (CHUNK_SIZE + 3, hashlib.sha256(b"\x01" + l0 + l1).digest())


def test_file_entry_layout() -> None:
    root = bytes(range(32))
    name = "数据/a.csv"
    raw = name.encode("utf-8")
    assert len(raw) == 12
    assert file_entry(name, 5, root) == b"\x00\x00\x00\x0c" + raw + b"\x00" * 7 + b"\x05" + root
    big = 2**40 + 3
    assert file_entry("x", big, root) == struct.pack(">I", 1) + b"x" + struct.pack(">Q", big) + root
    assert file_entry("x", big, root) == reference.entry("x", big, root)


@pytest.mark.parametrize("alg", ALGS)
def test_check_code(alg: str) -> None:
    root_hex = hashlib.sha256(b"some root").hexdigest()
    text = f"DIPCHK1|{alg}|{root_hex}|17|123456789".encode("ascii")
    expected = hashlib.new(alg, text).hexdigest().upper()[:12]
    assert check_code(alg, root_hex, 17, 123456789) == expected
    assert check_code(alg, root_hex, 17, 123456789) == reference.check_code(
        alg, root_hex, 17, 123456789
    )
    assert check_code(alg, root_hex, 17, 123456788) != expected
    assert check_code(alg, root_hex, 1, 0) == reference.check_code(alg, root_hex, 1, 0)


def test_digest_properties() -> None:
    root = hashlib.sha256(b"r").digest()
    d = DatasetDigest(alg="sha256", root=root, file_count=3, total_bytes=10)
    assert d.root_hex == root.hex()
    assert d.check_code == reference.check_code("sha256", root.hex(), 3, 10)


@pytest.mark.parametrize("alg", ALGS)
def test_single_file_uses_its_base_name(golden_dir: Path, alg: str) -> None:
    path = golden_dir / "sizes" / "3MiB.bin"
    data = path.read_bytes()
    digest, seen = _records(path, alg=alg)
    record = ("3MiB.bin", len(data), reference.file_root(alg, data))
    assert [tuple(r) for r in seen] == [record]
    assert digest.root == reference.mth(alg, [reference.entry(*record)])
    assert (digest.file_count, digest.total_bytes) == (1, len(data))


def test_single_file_name_is_nfc(golden_dir: Path) -> None:
    digest, seen = _records(golden_dir / golden.NFD_NAME, alg="sha256")
    assert [r.name for r in seen] == ["caf\u00e9.txt"]
    assert digest.root == reference.digest(golden_dir / golden.NFD_NAME, "sha256").root


def test_sort_order_by_hand(tmp_path: Path) -> None:
    data = golden.write_tree(
        tmp_path / "d", {n: n.encode() for n in ["ab", "a0", "a/b", "a.b", "a-b", "B"]}
    )
    digest, seen = _records(data, alg="sha256")
    order = ["B", "a-b", "a.b", "a/b", "a0", "ab"]
    assert [r.name for r in seen] == order
    leaves = [
        reference.entry(n, len(n), hashlib.sha256(b"\x00" + n.encode()).digest()) for n in order
    ]
    assert digest.root == reference.mth("sha256", leaves)


def test_path_spelling_does_not_matter(
    golden_dir: Path, golden_ref: dict[str, reference.Digest], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = golden_ref["sha256"].root
    assert hash_dataset(str(golden_dir) + "/", alg="sha256").root == expected
    monkeypatch.chdir(golden_dir)
    assert hash_dataset(".", alg="sha256").root == expected
    assert hash_dataset(Path("."), alg="sha256").root == expected
    monkeypatch.chdir(golden_dir / "sizes")
    assert hash_dataset("..", alg="sha256").root == expected
    _, seen = _records(Path("1.bin"), alg="sha256")
    assert [r.name for r in seen] == ["1.bin"]


@pytest.mark.parametrize("jobs", [1, 4])
def test_many_small_files(tmp_path: Path, jobs: int) -> None:
    files = {
        f"d{i % 7}/{'sub/' * (i % 3)}f{i:03d}.txt": golden.content(str(i), i % 50)
        for i in range(300)
    }
    data = golden.write_tree(tmp_path / "d", files)
    digest, seen = _records(data, alg="sm3", jobs=jobs)
    ref = reference.digest(data, "sm3")
    _assert_matches(digest, ref)
    assert [tuple(r) for r in seen] == ref.files


def test_empty_directories_contribute_nothing(tmp_path: Path) -> None:
    a = golden.write_tree(tmp_path / "a", {"x/y.txt": b"1", "z": b"2"})
    b = golden.write_tree(tmp_path / "b", {"x/y.txt": b"1", "z": b"2"}, empty_dirs=("e", "x/f/g"))
    assert hash_dataset(a).root == hash_dataset(b).root


# --- exclusion ---------------------------------------------------------------------------------

EXCLUDE_TREE = {
    "keep.txt": b"k",
    "x.tmp": b"1",
    "d/y.tmp": b"2",
    "x.tmpl": b"3",
    "Z.TMP": b"4",
    ".git/config": b"5",
    "sub/.git/HEAD": b"6",
    "sub/git.txt": b"7",
    "logs/2024-01.txt": b"8",
    "logs/2023-12.txt": b"9",
    "logs/2024-02/a.txt": b"10",
    "old/logs/2024-01.txt": b"11",
    "data/y.csv": b"12",
    "data/sub/x.csv": b"13",
    "data/y.txt": b"14",
    "q1.txt": b"15",
    "q22.txt": b"16",
    "r1.log": b"17",
    "r2.log": b"18",
    "r3.log": b"19",
}
EXCLUDE_CASES = [
    (["*.tmp"], {"x.tmp", "d/y.tmp"}),
    ([".git"], {".git/config", "sub/.git/HEAD"}),
    (["logs/2024-*"], {"logs/2024-01.txt", "logs/2024-02/a.txt"}),
    (["data/*.csv"], {"data/y.csv", "data/sub/x.csv"}),
    (["q?.txt"], {"q1.txt"}),
    (["r[12].log"], {"r1.log", "r2.log"}),
    (["*.TMP"], {"Z.TMP"}),
    (["sub"], {"sub/.git/HEAD", "sub/git.txt", "data/sub/x.csv"}),
    (
        ["logs"],
        {"logs/2024-01.txt", "logs/2023-12.txt", "logs/2024-02/a.txt", "old/logs/2024-01.txt"},
    ),
    (["*.tmp", ".git", "r3.log"], {"x.tmp", "d/y.tmp", ".git/config", "sub/.git/HEAD", "r3.log"}),
    (["nothing-matches"], set()),
]


@pytest.mark.parametrize(
    ("patterns", "excluded"), EXCLUDE_CASES, ids=[" ".join(c[0]) for c in EXCLUDE_CASES]
)
def test_exclude(tmp_path: Path, patterns: list[str], excluded: set[str]) -> None:
    data = golden.write_tree(tmp_path / "d", EXCLUDE_TREE)
    digest, seen = _records(data, alg="sha256", exclude=patterns)
    assert {r.name for r in seen} == set(EXCLUDE_TREE) - excluded
    _assert_matches(digest, reference.digest(data, "sha256", patterns))


def test_excluded_directory_is_not_entered(tmp_path: Path) -> None:
    data = golden.write_tree(
        tmp_path / "d", {"a.txt": b"a", ".git/objects/x": b"x", "logs/2024-01/y": b"y"}
    )
    os.mkfifo(data / ".git" / "fifo")
    (data / ".git" / "link").symlink_to("objects/x")
    (data / "logs" / "2024-01" / "dangling").symlink_to("/nonexistent/target")
    golden.add_invalid_utf8_name(data / "logs" / "2024-01")
    with _fifo_watchdog(data / ".git" / "fifo"):
        digest, seen = _records(data, alg="sha256", exclude=[".git", "logs/2024-*"])
    assert [r.name for r in seen] == ["a.txt"]
    assert digest.root == reference.mth(
        "sha256", [reference.entry("a.txt", 1, hashlib.sha256(b"\x00a").digest())]
    )


def test_excluded_symlink_is_allowed(tmp_path: Path) -> None:
    data = golden.write_tree(tmp_path / "d", {"a.txt": b"a"})
    (data / "link.txt").symlink_to("a.txt")
    plain = golden.write_tree(tmp_path / "p", {"a.txt": b"a"})
    assert hash_dataset(data, exclude=["link.txt"]).root == hash_dataset(plain).root


# --- bad input ---------------------------------------------------------------------------------


class _fifo_watchdog:
    """If the code under test opens a FIFO for reading it blocks forever; after a while open
    the write end so that it returns and the test fails instead of hanging."""

    def __init__(self, fifo: Path, after: float = 20.0) -> None:
        self.fifo = fifo
        self.timer = threading.Timer(after, self._release)

    def _release(self) -> None:
        try:
            fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:
            return
        os.close(fd)

    def __enter__(self) -> None:
        self.timer.start()

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()
        self.timer.join()


def _input_error(path: Path | str, **kwargs: Any) -> InputError:
    with pytest.raises(InputError) as info:
        hash_dataset(path, **kwargs)
    message = str(info.value)
    message.encode("utf-8")  # printable: no lone surrogates
    assert "\n" not in message.strip()
    return info.value


def test_missing_path(tmp_path: Path) -> None:
    err = _input_error(tmp_path / "no-such-dataset")
    assert "no-such-dataset" in str(err)


def test_unknown_algorithm(golden_dir: Path) -> None:
    with pytest.raises(UnsupportedAlgorithm) as info:
        hash_dataset(golden_dir, alg="md5")
    assert "--alg sha256" in str(info.value)


_CHILD = """
import json, sys
from dataip.core.errors import InputError
from dataip.core.hashing import hash_dataset
try:
    d = hash_dataset(sys.argv[2], jobs=int(sys.argv[3]))
except InputError as e:
    print(json.dumps({"input_error": True, "type": type(e).__name__, "message": str(e)}))
except BaseException as e:
    print(json.dumps({"input_error": False, "type": type(e).__name__, "message": str(e)}))
else:
    print(json.dumps({"root": d.root_hex}))
"""


@pytest.mark.parametrize(
    ("what", "jobs"), [("secret.txt", "1"), ("secret.txt", "4"), ("locked", "1")]
)
def test_unreadable_file_or_directory(tmp_path: Path, what: str, jobs: str) -> None:
    data = golden.unreadable_dataset(tmp_path / "d", what)
    proc = golden.run_without_privileges(_CHILD, str(data / what), str(data), jobs)
    if proc.returncode == golden.SETUP_FAILED:
        pytest.skip(f"cannot make a file unreadable here (running as root): {proc.stdout.strip()}")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result.get("input_error") is True, result
    assert what in result["message"]


@pytest.mark.parametrize("kind", ["file", "dir", "dangling"])
def test_symlink_in_dataset(tmp_path: Path, kind: str) -> None:
    data = golden.write_tree(tmp_path / "d", {"real/a.csv": b"1", "b.csv": b"2"})
    target = {"file": "../b.csv", "dir": "../real", "dangling": "/nonexistent"}[kind]
    (data / "real" / "the-link").symlink_to(target)
    err = _input_error(data)
    assert "the-link" in str(err)
    assert "--exclude" in str(err)


def test_fifo_in_dataset(tmp_path: Path) -> None:
    data = golden.write_tree(tmp_path / "d", {"a.csv": b"1"})
    os.mkfifo(data / "the-pipe")
    with _fifo_watchdog(data / "the-pipe"):
        err = _input_error(data)
    assert "the-pipe" in str(err)


def test_fifo_as_path(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "the-pipe")
    with _fifo_watchdog(tmp_path / "the-pipe"):
        err = _input_error(tmp_path / "the-pipe")
    assert "the-pipe" in str(err)


def test_socket_in_dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = golden.write_tree(tmp_path / "d", {"a.csv": b"1"})
    monkeypatch.chdir(data)  # AF_UNIX paths are short; bind a relative name
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.bind("the-socket")
        err = _input_error(data)
    assert "the-socket" in str(err)


def test_names_equal_after_nfc(tmp_path: Path) -> None:
    data = golden.write_tree(
        tmp_path / "d", {"dir/caf\u00e9.txt": b"1", "dir/cafe\u0301.txt": b"2"}
    )
    assert len(os.listdir(data / "dir")) == 2
    err = _input_error(data)
    assert "caf\u00e9.txt" in str(err) or "cafe\u0301.txt" in str(err)


@pytest.mark.parametrize("layout", ["only-empty-dirs", "empty-dir", "all-excluded"])
def test_empty_dataset(tmp_path: Path, layout: str) -> None:
    data = tmp_path / "the-dataset"
    kwargs: dict[str, Any] = {}
    if layout == "only-empty-dirs":
        (data / "a" / "b").mkdir(parents=True)
        (data / "c").mkdir()
    elif layout == "empty-dir":
        data.mkdir()
    else:
        golden.write_tree(data, {"x.tmp": b"1", "y/z.tmp": b"2"})
        kwargs["exclude"] = ["*.tmp"]
    err = _input_error(data, **kwargs)
    assert "the-dataset" in str(err)


def test_name_not_utf8(tmp_path: Path) -> None:
    data = golden.write_tree(tmp_path / "d", {"good.csv": b"1"})
    golden.add_invalid_utf8_name(data, b"bad\xff.csv")
    message = str(_input_error(data))
    assert "bad" in message
    assert "\\xff" in message or "\\udcff" in message, message


def _open_by_us(target: str) -> bool:
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}") == target:
                return True
        except OSError:
            continue
    return False


@pytest.mark.skipif(
    not os.path.isdir("/proc/self/fd"), reason="needs /proc to see when the file is open"
)
def test_file_grows_while_hashed(tmp_path: Path) -> None:
    data = golden.write_tree(tmp_path / "d", {"a.txt": b"first"})
    big = golden.make_sparse(data / "big.bin", 128 * golden.MIB)
    grown = threading.Event()
    stop = threading.Event()

    def grow_when_opened() -> None:
        deadline = time.monotonic() + 60
        while not stop.is_set() and time.monotonic() < deadline:
            if _open_by_us(str(big)):
                with open(big, "ab") as f:
                    f.write(b"appended while being read")
                grown.set()
                return
            time.sleep(0.0005)

    thread = threading.Thread(target=grow_when_opened)
    thread.start()
    try:
        with pytest.raises(InputError) as info:
            hash_dataset(data, alg="sm3", jobs=1)
    finally:
        stop.set()
        thread.join()
    assert grown.is_set(), "big.bin was never seen open in this process: cannot test"
    assert "big.bin" in str(info.value)


def test_file_grows_after_listing(tmp_path: Path) -> None:
    # on_file runs after a.txt is hashed, before (with jobs=1) b.bin is read. The tool may
    # refuse, or hash what it reads, but must never pair one size with another content.
    data = golden.write_tree(
        tmp_path / "d", {"a.txt": b"first", "b.bin": golden.content("b", 3 * golden.MIB + 5)}
    )
    before = reference.digest(data, "sha256")

    def on_file(record: FileRecord) -> None:
        if record.name == "a.txt":
            with open(data / "b.bin", "ab") as f:
                f.write(b"more")

    try:
        digest = hash_dataset(data, alg="sha256", jobs=1, on_file=on_file)
    except InputError as e:  # refusing is as good as hashing consistently
        assert "b.bin" in str(e)  # noqa: PT017
        return
    after = reference.digest(data, "sha256")
    assert (digest.root, digest.total_bytes) in {
        (before.root, before.total_bytes),
        (after.root, after.total_bytes),
    }


def test_file_vanishes_after_listing(tmp_path: Path) -> None:
    data = golden.write_tree(
        tmp_path / "d", {"a.txt": b"first", "b.bin": golden.content("b", 2 * golden.MIB)}
    )
    before = reference.digest(data, "sha256")

    def on_file(record: FileRecord) -> None:
        if record.name == "a.txt" and (data / "b.bin").exists():
            (data / "b.bin").unlink()

    try:
        digest = hash_dataset(data, alg="sha256", jobs=1, on_file=on_file)
    except InputError as e:  # either outcome is right; pytest.raises would demand one
        assert "b.bin" in str(e)  # noqa: PT017
    else:  # it had read b.bin already: then it must report what it read
        assert digest.root == before.root


# --- properties --------------------------------------------------------------------------------

COMPONENTS = ["a", "b", "a.b", "a-b", "a0", "Z", "数据", "\u00e9", "x y"]


def _no_prefix_conflicts(files: dict[str, bytes]) -> bool:
    return not any(other.startswith(name + "/") for name in files for other in files)


DATASETS = st.dictionaries(
    st.lists(st.sampled_from(COMPONENTS), min_size=1, max_size=3).map("/".join),
    st.binary(max_size=40),
    min_size=1,
    max_size=6,
).filter(_no_prefix_conflicts)

PROPERTY_SETTINGS = settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


def _hash_files(files: dict[str, bytes], alg: str) -> tuple[bytes, bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        data = golden.write_tree(Path(tmp) / "d", files)
        return hash_dataset(data, alg=alg).root, reference.digest(data, alg).root


@PROPERTY_SETTINGS
@given(files=DATASETS, alg=st.sampled_from(ALGS))
def test_random_datasets_match_reference(files: dict[str, bytes], alg: str) -> None:
    got, expected = _hash_files(files, alg)
    assert got == expected


def _mutations(files: dict[str, bytes]) -> list[str]:
    kinds = ["rename", "add"]
    if any(files.values()):
        kinds.append("byte")
    if len(files) > 1:
        kinds.append("remove")
    return kinds


@PROPERTY_SETTINGS
@given(files=DATASETS, data=st.data())
def test_any_change_changes_the_root(files: dict[str, bytes], data: st.DataObject) -> None:
    alg = data.draw(st.sampled_from(ALGS), label="alg")
    kind = data.draw(st.sampled_from(_mutations(files)), label="mutation")
    changed = dict(files)
    if kind == "byte":
        name = data.draw(st.sampled_from(sorted(n for n, v in files.items() if v)), label="file")
        pos = data.draw(st.integers(0, len(files[name]) - 1), label="position")
        value = data.draw(
            st.integers(0, 255).filter(lambda b: b != files[name][pos]), label="value"
        )
        changed[name] = files[name][:pos] + bytes([value]) + files[name][pos + 1 :]
    elif kind == "rename":
        name = data.draw(st.sampled_from(sorted(files)), label="file")
        new = name.rpartition("/")[0] + ("/" if "/" in name else "") + "renamed"
        del changed[name]
        changed[new] = files[name]
        if not _no_prefix_conflicts(changed):
            return
    elif kind == "add":
        changed["added.bin"] = data.draw(st.binary(max_size=10), label="content")
    else:
        del changed[data.draw(st.sampled_from(sorted(files)), label="file")]
    before, _ = _hash_files(files, alg)
    after, expected = _hash_files(changed, alg)
    assert after != before
    assert after == expected


def test_copy_of_golden_is_identical(
    golden_dir: Path, tmp_path: Path, golden_ref: dict[str, reference.Digest]
) -> None:
    # The root depends on names and bytes only, not on where the dataset lives or its mtimes.
    copy = tmp_path / "elsewhere" / "copy"
    shutil.copytree(golden_dir, copy)
    assert hash_dataset(copy, alg="sha256").root == golden_ref["sha256"].root
