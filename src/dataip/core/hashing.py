"""The dataset hash, format v1: file roots, entries, the dataset root and the check code.

The normative definition is ``docs/hash-format-v1.md``; section numbers below refer to it. The
Merkle tree is RFC 6962's (:mod:`dataip.core.merkle`).

How it runs, so that terabytes hash fast in constant memory:

- a first pass walks the metadata only: it counts files and bytes (for progress and ETA) and
  reports every symbolic link, special file, bad or colliding name at once, before any hashing;
- the second pass walks directories in the final sorted order (each directory's children sorted
  by NFC name bytes, a directory's key followed by ``/``, which is the same as sorting the full
  names), so entries stream into the dataset tree without holding the file list;
- files are cut into tasks: small files in batches, large files in aligned segments of
  ``SEGMENT_CHUNKS`` chunks whose subtree roots fold into the file root (a segment is a perfect
  subtree, except the file's last, which is its tree's last subtree);
- a pool of threads runs the tasks (OpenSSL releases the GIL while it hashes large buffers),
  a bounded window of them at a time, and results are folded in order by the calling thread;
- each task compares the file's ``fstat`` before and after reading with the walk's ``lstat``, so
  a file that changes while it is hashed is an error, not a silently wrong hash.

Memory: one chunk buffer per thread, the listing of the directory being walked, O(log n) tree
state. Nothing here imports Django; the module runs on Python 3.9+ with the standard library.
"""

from __future__ import annotations

import collections
import os
import stat
import struct
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Callable, NamedTuple

from dataip.core.errors import InputError, Interrupted
from dataip.core.merkle import ALGORITHMS, TreeBuilder, _load, empty_root, leaf_hash, new_hasher

__all__ = [
    "ALGORITHMS",
    "CHUNK_SIZE",
    "DEFAULT_ALG",
    "DatasetDigest",
    "FileRecord",
    "Progress",
    "check_code",
    "file_entry",
    "hash_dataset",
    "hash_file",
    "new_hasher",
]

DEFAULT_ALG = "sm3"
CHUNK_SIZE = 1 << 20
#: Chunks in one parallel task of a large file; a power of two so segments are perfect subtrees.
SEGMENT_CHUNKS = 8
#: Small files are hashed in batches of at most this many files or bytes.
BATCH_FILES = 64
BATCH_BYTES = 4 * CHUNK_SIZE
CHECK_CODE_PREFIX = "DIPCHK1|"
CHECK_CODE_LENGTH = 12
#: How many problem names one error message lists before "…".
MAX_NAMED = 10


class FileRecord(NamedTuple):
    """One file of a dataset: its NFC name, its size in bytes and its 32-byte file root."""

    name: str
    size: int
    root: bytes


@dataclass(frozen=True)
class DatasetDigest:
    """The result of hashing a dataset (section 4 and 5)."""

    alg: str
    root: bytes
    file_count: int
    total_bytes: int

    @property
    def root_hex(self) -> str:
        """The hash value (哈希值): the dataset root in lower-case hex."""
        return self.root.hex()

    @property
    def check_code(self) -> str:
        """The hash check code (哈希校验码)."""
        return check_code(self.alg, self.root_hex, self.file_count, self.total_bytes)


class Progress:
    """Receives progress; the default does nothing. Called from the hashing thread only."""

    #: Whether ``start`` needs the total bytes: finding them costs a ``stat`` per file.
    needs_totals = False

    def scanning(self, files: int, total_bytes: int) -> None:
        """The metadata pass has seen ``files`` files so far."""

    def start(self, files: int, total_bytes: int) -> None:
        """Hashing starts; the totals come from the metadata pass."""

    def advance(self, files: int, nbytes: int) -> None:
        """``files`` more files and ``nbytes`` more bytes are hashed."""

    def finish(self) -> None:
        """Hashing ended, successfully or not."""


def file_entry(name: str, size: int, root: bytes) -> bytes:
    """``uint32_be(len(name)) || name || uint64_be(size) || root`` (section 4)."""
    encoded = name.encode("utf-8")
    return struct.pack(">I", len(encoded)) + encoded + struct.pack(">Q", size) + root


def check_code(alg: str, root_hex: str, file_count: int, total_bytes: int) -> str:
    """The hash check code (section 5): 12 upper-case hex digits."""
    text = f"{CHECK_CODE_PREFIX}{alg}|{root_hex}|{file_count}|{total_bytes}"
    h = new_hasher(alg)
    h.update(text.encode("ascii"))
    return str(h.hexdigest()[:CHECK_CODE_LENGTH].upper())


def hash_file(path: os.PathLike[str] | str, alg: str = DEFAULT_ALG) -> tuple[int, bytes]:
    """The size and file root (section 3) of one regular file."""
    if not os.path.isfile(path):
        raise InputError("not_a_file" if os.path.exists(path) else "path_missing", path=path)
    records: list[FileRecord] = []
    hash_dataset(path, alg=alg, on_file=records.append)
    return records[0].size, records[0].root


def hash_dataset(
    path: os.PathLike[str] | str,
    *,
    alg: str = DEFAULT_ALG,
    jobs: int | None = None,
    exclude: Sequence[str] = (),
    on_file: Callable[[FileRecord], None] | None = None,
    progress: Progress | None = None,
    allow_empty: bool = False,
) -> DatasetDigest:
    """Hash the dataset at ``path`` (a file or a directory) with format v1.

    ``on_file`` is called once per file, in the dataset's sorted order, after the file is
    hashed. ``jobs`` threads hash in parallel (default: the usable cores). ``allow_empty`` lets
    an empty dataset through (``verify`` compares it); otherwise it is an error. Raises an
    :class:`InputError` naming the culprit for any bad input, and :class:`Interrupted` on
    Ctrl-C.
    """
    new_hasher(alg)  # an unknown algorithm fails before any I/O
    top = os.fspath(path)
    progress = progress or Progress()
    matcher = _Matcher(exclude)
    try:
        top_stat = os.stat(top)
    except FileNotFoundError:
        raise InputError("path_missing", path=top) from None
    except OSError as e:
        raise InputError("unreadable", name=top, reason=e.strerror) from None
    if stat.S_ISREG(top_stat.st_mode):
        base = _nfc_name(os.path.basename(os.path.abspath(top)), _raise)
        single = _File(base, top, top_stat.st_size, top_stat.st_mtime_ns, top_stat.st_ino)

        def walk(problem: Callable[..., None], sizes: bool = True) -> Iterator[_File]:
            del problem, sizes
            yield single

    elif stat.S_ISDIR(top_stat.st_mode):

        def walk(problem: Callable[..., None], sizes: bool = True) -> Iterator[_File]:
            return _walk(top, "", matcher, problem, sizes)

    else:
        raise InputError("path_special", path=top)

    try:
        files, total = _scan(walk, progress)
        if files == 0 and not allow_empty:
            raise InputError("empty_dataset", path=top)
        progress.start(files, total)
        return _hash_files(walk(_raise), alg, jobs or _default_jobs(), on_file, progress)
    except KeyboardInterrupt:
        raise Interrupted() from None
    finally:
        progress.finish()


class _File(NamedTuple):
    name: str  # NFC relative name, "/"-separated
    path: str  # path to open
    size: int
    mtime_ns: int
    ino: int


def _default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _raise(code: str, **params: object) -> None:
    """The hashing pass's problem handler: the first problem ends it."""
    if code == "link":
        raise InputError("links_or_special", count=1, names=params["name"])
    raise InputError(code, **params)


def _escape(name: str) -> str:
    """A printable form of a name that may hold undecodable bytes (surrogate escapes)."""
    return repr(os.fsencode(name))[2:-1] if _has_surrogates(name) else name


def _spelled(name: str) -> str:
    """A name with its code points, to tell apart names that look the same."""
    return name if name.isascii() else f"{_escape(name)} ({ascii(name)[1:-1]})"


def _has_surrogates(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _nfc_name(name: str, problem: Callable[..., None]) -> str:
    if name.isascii():
        return name
    if _has_surrogates(name):
        problem("bad_name", name=_escape(name))
        return name
    return unicodedata.normalize("NFC", name)


class _Matcher:
    """The --exclude patterns: without ``/`` against each component, with ``/`` the full name."""

    def __init__(self, patterns: Sequence[str]) -> None:
        normal = [unicodedata.normalize("NFC", p) for p in patterns]
        self.component = [p for p in normal if "/" not in p]
        self.full = [p.strip("/") for p in normal if "/" in p]

    def __bool__(self) -> bool:
        return bool(self.component or self.full)

    def __call__(self, name: str, relname: str) -> bool:
        return any(fnmatchcase(name, p) for p in self.component) or any(
            fnmatchcase(relname, p) for p in self.full
        )


def _list(
    directory: str, prefix: str, matcher: _Matcher, problem: Callable[..., None]
) -> list[tuple[bytes, str, bool]]:
    """The children of ``directory`` as (sort key, name on disk, is a directory), sorted."""
    children: list[tuple[bytes, str, bool]] = []
    try:
        with os.scandir(directory) as it:
            for entry in it:
                name = _nfc_name(entry.name, problem)
                if matcher and matcher(name, prefix + name):
                    continue
                if entry.is_symlink():
                    problem("link", name=_escape(prefix + name))
                elif entry.is_dir(follow_symlinks=False):
                    children.append((_key(name) + b"/", entry.name, True))
                elif entry.is_file(follow_symlinks=False):
                    children.append((_key(name), entry.name, False))
                else:
                    problem("link", name=_escape(prefix + name))
    except OSError as e:
        raise InputError("unreadable", name=prefix or directory, reason=e.strerror) from None
    children.sort()
    return children


def _walk(
    directory: str, prefix: str, matcher: _Matcher, problem: Callable[..., None], sizes: bool
) -> Iterator[_File]:
    """The regular files below ``directory`` in format-v1 order (full names sorted by bytes).

    Only the directory being listed is held in memory, as (sort key, name on disk, is a
    directory) per child: the memory a file costs is bounded by its directory's listing.
    """
    previous = (b"", "")
    for key, disk_name, is_dir in _list(directory, prefix, matcher, problem):
        relname = prefix + (key[:-1] if is_dir else key).decode("utf-8", "surrogateescape")
        if key == previous[0]:
            problem(
                "nfc_collision",
                first=_spelled(prefix + previous[1]),
                second=_spelled(prefix + disk_name),
            )
            continue
        previous = (key, disk_name)
        path = directory + os.sep + disk_name  # os.path.join costs more, on every file
        if is_dir:
            yield from _walk(path, relname + "/", matcher, problem, sizes)
            continue
        if not sizes:
            yield _File(relname, path, 0, 0, 0)
            continue
        try:
            st = os.lstat(path)
        except OSError as e:
            raise InputError("unreadable", name=_escape(relname), reason=e.strerror) from None
        if not stat.S_ISREG(st.st_mode):
            raise InputError("file_changed", name=_escape(relname))
        yield _File(relname, path, st.st_size, st.st_mtime_ns, st.st_ino)


def _key(name: str) -> bytes:
    try:
        return name.encode("utf-8")
    except UnicodeEncodeError:
        # Only reached while the scan collects problems; the name is reported, never hashed.
        return os.fsencode(name)


def _scan(walk: Callable[[Callable[..., None], bool], Iterator[_File]], progress: Progress) -> Any:
    """The metadata pass: totals, and every problem at once; sizes only if progress shows them."""
    links: list[str] = []
    others: list[InputError] = []

    def problem(code: str, **params: object) -> None:
        if code == "link":
            links.append(str(params["name"]))
        else:
            others.append(InputError(code, **params))

    files = total = 0
    for f in walk(problem, progress.needs_totals):
        files += 1
        total += f.size
        if not files & 0x3FFF:
            progress.scanning(files, total)
    if others:
        raise others[0]
    if links:
        shown = ", ".join(links[:MAX_NAMED]) + (", …" if len(links) > MAX_NAMED else "")
        raise InputError("links_or_special", count=len(links), names=shown)
    return files, total


# A piece of work: (file, first chunk, number of chunks). A task is a list of pieces.
_Piece = tuple[_File, int, int]


def _chunks(size: int) -> int:
    return -(-size // CHUNK_SIZE)


def _tasks(files: Iterator[_File]) -> Iterator[list[_Piece]]:
    batch: list[_Piece] = []
    batch_bytes = 0
    for f in files:
        n = _chunks(f.size)
        if n <= SEGMENT_CHUNKS:
            batch.append((f, 0, n))
            batch_bytes += f.size
            if len(batch) >= BATCH_FILES or batch_bytes >= BATCH_BYTES:
                yield batch
                batch, batch_bytes = [], 0
            continue
        if batch:
            yield batch
            batch, batch_bytes = [], 0
        for first in range(0, n, SEGMENT_CHUNKS):
            yield [(f, first, min(SEGMENT_CHUNKS, n - first))]
    if batch:
        yield batch


class _Stopped(Exception):
    """A worker saw the stop flag."""


class _Hasher:
    """Runs tasks: computes the Merkle root of each piece's chunks."""

    def __init__(self, alg: str) -> None:
        _load(alg)
        self.alg = alg
        self.stop = threading.Event()
        self._local = threading.local()

    def run(self, task: list[_Piece]) -> list[bytes]:
        buf = getattr(self._local, "buf", None)
        if buf is None:
            buf = self._local.buf = memoryview(bytearray(CHUNK_SIZE))
        return [self._piece(f, first, count, buf) for f, first, count in task]

    def _piece(self, f: _File, first: int, count: int, buf: memoryview) -> bytes:
        try:
            fd = os.open(f.path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        except OSError as e:
            raise InputError("unreadable", name=_escape(f.name), reason=e.strerror) from None
        try:
            self._check_unchanged(fd, f)
            offset = first * CHUNK_SIZE
            if offset:
                os.lseek(fd, offset, os.SEEK_SET)
            remaining = min(count * CHUNK_SIZE, f.size - offset)
            if remaining <= CHUNK_SIZE:
                root = self._small(fd, f, remaining)
            else:
                root = self._large(fd, f, remaining, buf)
            self._check_unchanged(fd, f)
            return root
        except OSError as e:
            raise InputError("unreadable", name=_escape(f.name), reason=e.strerror) from None
        finally:
            os.close(fd)

    def _small(self, fd: int, f: _File, size: int) -> bytes:
        """An empty file or a single chunk, as most files are: one read, no tree."""
        if not size:
            return empty_root(self.alg)
        # A regular file reads in full unless it ends early: a short read means it shrank.
        data = os.read(fd, size)
        if len(data) != size:
            raise InputError("file_changed", name=_escape(f.name))
        return leaf_hash(self.alg, data)

    def _large(self, fd: int, f: _File, remaining: int, buf: memoryview) -> bytes:
        """Several chunks, read into this thread's reusable buffer."""
        tree = TreeBuilder(self.alg)
        with open(fd, "rb", buffering=0, closefd=False) as raw:
            while remaining > 0:
                if self.stop.is_set():
                    raise _Stopped()
                want = min(CHUNK_SIZE, remaining)
                got = 0
                while got < want:
                    n = raw.readinto(buf[got:want])
                    if not n:
                        raise InputError("file_changed", name=_escape(f.name))
                    got += n
                tree.add_leaf_hash(leaf_hash(self.alg, buf[:want]))
                remaining -= want
        return tree.root()

    @staticmethod
    def _check_unchanged(fd: int, f: _File) -> None:
        st = os.fstat(fd)
        if (
            st.st_size != f.size
            or st.st_mtime_ns != f.mtime_ns
            or (f.ino and st.st_ino and st.st_ino != f.ino)
        ):
            raise InputError("file_changed", name=_escape(f.name))


def _hash_files(
    files: Iterator[_File],
    alg: str,
    jobs: int,
    on_file: Callable[[FileRecord], None] | None,
    progress: Progress,
) -> DatasetDigest:
    hasher = _Hasher(alg)
    dataset = TreeBuilder(alg)
    file_tree = TreeBuilder(alg)  # the large file being folded, segment by segment
    count = total = 0

    def fold(task: list[_Piece], roots: list[bytes]) -> None:
        nonlocal file_tree, count, total
        done_files = done_bytes = 0
        for (f, first, n), piece_root in zip(task, roots):
            done_bytes += min(n * CHUNK_SIZE, f.size - first * CHUNK_SIZE)
            chunks = _chunks(f.size)
            if first == 0 and n == chunks:
                root = piece_root  # the whole file was one piece
            else:
                if first == 0:
                    file_tree = TreeBuilder(alg)
                file_tree.add_leaf_hash(piece_root)
                if first + n < chunks:
                    continue
                root = file_tree.root()
            dataset.add_leaf_hash(leaf_hash(alg, file_entry(f.name, f.size, root)))
            count += 1
            total += f.size
            done_files += 1
            if on_file is not None:
                on_file(FileRecord(f.name, f.size, root))
        progress.advance(done_files, done_bytes)

    if jobs <= 1:
        for task in _tasks(files):
            fold(task, hasher.run(task))
    else:
        pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="dataip-hash")
        pending: collections.deque[tuple[list[_Piece], Future[list[bytes]]]] = collections.deque()
        window = jobs * 4
        try:
            for task in _tasks(files):
                pending.append((task, pool.submit(hasher.run, task)))
                if len(pending) >= window:
                    done, future = pending.popleft()
                    fold(done, future.result())
            while pending:
                done, future = pending.popleft()
                fold(done, future.result())
        except BaseException:
            hasher.stop.set()
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    return DatasetDigest(alg, dataset.root(), count, total)
