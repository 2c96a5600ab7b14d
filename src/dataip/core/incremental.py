"""The dataset hash, format v1, computed from streamed pieces instead of a directory on disk.

The normative definition is ``docs/hash-format-v1.md``; section numbers below refer to it. The
Merkle tree is RFC 6962's (:mod:`dataip.core.merkle`). This is what the platform uses to hash
files uploaded over HTTP while they arrive: the bytes of each file come in pieces of any size,
in order, and are never held whole.

- :class:`FileHasher` computes one file's size and file root (section 3) from its bytes in
  pieces of any size. It buffers at most one chunk (``CHUNK_SIZE`` bytes) and keeps O(log n)
  tree state, so a file of any size costs about 1 MiB.
- :meth:`FileHasher.state` and :meth:`FileHasher.resume` let the hashing of one file stop and
  carry on later, in another process: the state at the last chunk boundary is the offset and
  at most 64 subtree roots (about 2 KiB), so a resumable upload keeps no file bytes at all.
- :class:`DatasetAccumulator` collects (name, size, file root) triples in any order, checks and
  normalises each name as section 2 requires of names taken from a directory, and yields the
  dataset digest (sections 4 and 5) and the file records in the dataset's sorted order (for a
  manifest, section 6). It holds one record per file.

Names arrive as relative paths (``"data/2024/a.csv"``), not from a directory walk, so the checks
that a directory enforces by construction are explicit here: no absolute path, no empty, ``.``
or ``..`` component, no name that is both a file and a directory, no two names equal after NFC
(files or directories: :func:`~dataip.core.hashing.hash_dataset` refuses two directories whose
names differ only in normalisation, and so does this; a file and a directory whose names are
equal after NFC are refused here, though a disk can hold them), and no control characters (a browser
cannot produce them and a terminal would print them as commands). A name that is not valid
Unicode (a ``str`` holding lone surrogates) is refused as in ``hash_dataset``. A backslash is an
ordinary character, as on POSIX file systems: ``hash_dataset`` on Linux accepts ``a\\b``.

The result is bit-identical to ``hash_dataset`` over the same files laid out as a directory.
Nothing here imports Django; the module runs on Python 3.9+ with the standard library.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from dataip.core.errors import InputError, Text
from dataip.core.hashing import CHUNK_SIZE, DEFAULT_ALG, DatasetDigest, FileRecord, file_entry
from dataip.core.merkle import DIGEST_SIZE, TreeBuilder, leaf_hash

__all__ = ["DatasetAccumulator", "FileHasher", "HasherState", "normalise_name"]

SEPARATOR = "/"
#: The components that would leave or stay in a directory: never names of files.
DOT_COMPONENTS = frozenset({".", ".."})
#: The Unicode general category of control characters (C0, DEL and C1).
CONTROL_CATEGORY = "Cc"

ABSOLUTE = Text("不能以“/”开头（应为相对路径）", "it starts with '/' (it must be a relative path)")
EMPTY_COMPONENT = Text(
    "含有空的路径分量（开头、结尾或连续的“/”）",
    "it has an empty component (a leading, trailing or doubled '/')",
)
DOT_COMPONENT = Text("含有“.”或“..”路径分量", "it has a '.' or '..' component")
CONTROL_CHARACTER = Text("含有控制字符", "it contains a control character")


@dataclass(frozen=True)
class HasherState:
    """Where a :class:`FileHasher` stands at its last chunk boundary: enough to carry on.

    ``offset`` is the number of bytes hashed into the tree, a multiple of ``CHUNK_SIZE``;
    ``stack`` the roots of the complete subtrees over those chunks (one per 1 bit of
    ``offset // CHUNK_SIZE``). :meth:`pack` and :meth:`unpack` store ``stack`` as one byte
    string.
    """

    alg: str
    offset: int
    stack: tuple[bytes, ...]

    def pack(self) -> bytes:
        return b"".join(self.stack)

    @classmethod
    def unpack(cls, alg: str, offset: int, packed: bytes) -> HasherState:
        if len(packed) % DIGEST_SIZE:
            raise ValueError(f"packed subtree roots are a multiple of {DIGEST_SIZE} bytes")
        stack = tuple(packed[i : i + DIGEST_SIZE] for i in range(0, len(packed), DIGEST_SIZE))
        return cls(alg, offset, stack)


class FileHasher:
    """The size and file root (section 3) of one file whose bytes arrive in pieces.

    ``update`` takes bytes-like pieces of any size, in order; ``finish`` returns ``(size,
    root)``. At most one chunk is buffered: full chunks of a large piece are hashed in place,
    without a copy. An empty file's root is ``H("")``. After ``finish`` the hasher is spent.
    """

    __slots__ = ("_alg", "_buffer", "_fill", "_finished", "_size", "_tree")

    def __init__(self, alg: str = DEFAULT_ALG) -> None:
        self._alg = alg
        self._tree = TreeBuilder(alg)  # fails at once on an unknown algorithm
        self._buffer = bytearray(CHUNK_SIZE)
        self._fill = 0
        self._size = 0
        self._finished = False

    @property
    def size(self) -> int:
        """The number of bytes received so far."""
        return self._size

    def update(self, data: Any) -> None:
        """Add the next ``data`` (any bytes-like object) of the file."""
        if self._finished:
            raise ValueError("FileHasher.update() after finish()")
        view = memoryview(data).cast("B")
        length = len(view)
        self._size += length
        offset = 0
        if self._fill:
            # Complete the buffered chunk first.
            take = min(CHUNK_SIZE - self._fill, length)
            self._buffer[self._fill : self._fill + take] = view[:take]
            self._fill += take
            offset = take
            if self._fill < CHUNK_SIZE:
                return
            self._tree.add_leaf_hash(leaf_hash(self._alg, self._buffer))
            self._fill = 0
        # A full chunk is a leaf whatever follows it, so it is hashed as soon as it is complete.
        while length - offset >= CHUNK_SIZE:
            self._tree.add_leaf_hash(leaf_hash(self._alg, view[offset : offset + CHUNK_SIZE]))
            offset += CHUNK_SIZE
        rest = length - offset
        if rest:
            self._buffer[:rest] = view[offset:]
            self._fill = rest

    def state(self) -> HasherState:
        """The state at the last chunk boundary; bytes buffered after it are not in it.

        :meth:`resume` from it needs the file's bytes from ``state().offset`` on.
        """
        if self._finished:
            raise ValueError("FileHasher.state() after finish()")
        return HasherState(self._alg, self._size - self._fill, self._tree.stack)

    @classmethod
    def resume(cls, state: HasherState) -> FileHasher:
        """A hasher that carries on from ``state``: give it the bytes from ``state.offset`` on.

        Raises ``ValueError`` for a state that no hasher could have produced.
        """
        if state.offset % CHUNK_SIZE:
            raise ValueError(f"offset {state.offset} is not at a chunk boundary")
        hasher = cls(state.alg)
        hasher._tree = TreeBuilder.restore(state.alg, state.offset // CHUNK_SIZE, state.stack)
        hasher._size = state.offset
        return hasher

    def finish(self) -> tuple[int, bytes]:
        """``(size, file root)``: the last, shorter chunk (if any) is a leaf of its own."""
        if self._finished:
            raise ValueError("FileHasher.finish() called twice")
        self._finished = True
        if self._fill:
            self._tree.add_leaf_hash(leaf_hash(self._alg, memoryview(self._buffer)[: self._fill]))
            self._fill = 0
        self._buffer = bytearray()
        return self._size, self._tree.root()


def normalise_name(name: str) -> str:
    """Check one relative file name on its own and return its NFC form (section 2).

    Raises :class:`InputError`: ``bad_name`` for a name that is not valid Unicode,
    ``name_invalid`` for an absolute name, an empty, ``.`` or ``..`` component, or a control
    character. The checks run on the name as given and again on its NFC form.
    """
    shown = _shown(name)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError("bad_name", name=shown) from None
    normal = unicodedata.normalize("NFC", name)
    for candidate in (name, normal) if normal != name else (name,):
        problem = _problem(candidate)
        if problem is not None:
            raise InputError("name_invalid", name=shown, problem=problem)
    return normal


def _problem(name: str) -> Text | None:
    if any(unicodedata.category(c) == CONTROL_CATEGORY for c in name):
        return CONTROL_CHARACTER
    if name.startswith(SEPARATOR):
        return ABSOLUTE
    components = name.split(SEPARATOR)
    if "" in components:
        return EMPTY_COMPONENT
    if DOT_COMPONENTS.intersection(components):
        return DOT_COMPONENT
    return None


def _shown(name: str) -> str:
    """A one-line, printable form of a name for messages: odd characters as escapes."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in name)


def _spelled(name: str) -> str:
    """A name with its code points, to tell apart names that look the same (as hash_dataset)."""
    return name if name.isascii() else f"{_shown(name)} ({ascii(name)[1:-1]})"


class DatasetAccumulator:
    """Collects the files of a dataset in any order and computes its digest (sections 2-5).

    ``add`` checks each name against the rules of :func:`normalise_name` and against the files
    added before it, and records ``(NFC name, size, root)``. ``digest`` and ``records`` sort the
    files by the UTF-8 bytes of their names, as ``hash_dataset`` does. Memory: one record per
    file plus one entry per distinct directory.
    """

    def __init__(self, alg: str = DEFAULT_ALG) -> None:
        TreeBuilder(alg)  # fails at once on an unknown algorithm
        self._alg = alg
        # NFC name -> (name as given, record) for files; NFC path -> (path as given, a file
        # below it) for directories.
        self._files: dict[str, tuple[str, FileRecord]] = {}
        self._dirs: dict[str, tuple[str, str]] = {}
        self._total = 0

    @property
    def alg(self) -> str:
        return self._alg

    @property
    def file_count(self) -> int:
        return len(self._files)

    @property
    def total_bytes(self) -> int:
        return self._total

    def check(self, name: str) -> str:
        """The NFC form of ``name`` if ``add`` would accept it now; else raises as ``add``.

        Lets a caller refuse a bad name before it reads the file's bytes.
        """
        normal = normalise_name(name)
        earlier = self._files.get(normal)
        if earlier is not None:
            if earlier[0] == name:
                raise InputError("name_duplicate", name=_shown(normal))
            raise InputError("nfc_collision", first=_spelled(earlier[0]), second=_spelled(name))
        below = self._dirs.get(normal)
        if below is not None:
            raise InputError("name_file_and_directory", name=_shown(normal), other=below[1])
        given = name.split(SEPARATOR)
        parts = normal.split(SEPARATOR)
        for depth in range(1, len(parts)):
            prefix = SEPARATOR.join(parts[:depth])
            if prefix in self._files:
                raise InputError(
                    "name_file_and_directory", name=_shown(prefix), other=_shown(normal)
                )
            seen = self._dirs.get(prefix)
            # NFC never changes the number of components ("/" neither composes nor decomposes).
            spelled = SEPARATOR.join(given[:depth])
            if seen is not None and seen[0] != spelled:
                raise InputError("nfc_collision", first=_spelled(seen[0]), second=_spelled(spelled))
        return normal

    def add(self, name: str, size: int, root: bytes) -> FileRecord:
        """Record a file; returns its record with the NFC name.

        ``name`` is the relative path with ``/`` between components, ``size`` its length in
        bytes and ``root`` its file root (section 3, e.g. from :class:`FileHasher`). Raises
        :class:`InputError` (``bad_name``, ``name_invalid``, ``name_duplicate``,
        ``nfc_collision``, ``name_file_and_directory``) and records nothing then.
        """
        if size < 0 or len(root) != DIGEST_SIZE:
            raise ValueError(f"bad file record: size {size}, root of {len(root)} bytes")
        normal = self.check(name)
        record = FileRecord(normal, size, bytes(root))
        self._files[normal] = (name, record)
        given = name.split(SEPARATOR)
        parts = normal.split(SEPARATOR)
        for depth in range(1, len(parts)):
            self._dirs.setdefault(
                SEPARATOR.join(parts[:depth]), (SEPARATOR.join(given[:depth]), _shown(normal))
            )
        self._total += size
        return record

    def records(self) -> list[FileRecord]:
        """The files in the dataset's order: by the UTF-8 bytes of their NFC names."""
        return sorted(
            (record for _, record in self._files.values()),
            key=lambda record: record.name.encode("utf-8"),
        )

    def digest(self, *, allow_empty: bool = False) -> DatasetDigest:
        """The dataset root, file count and total bytes (sections 4 and 5).

        An empty dataset is an error (``no_files``) unless ``allow_empty``; its root is then
        ``H("")``.
        """
        if not self._files and not allow_empty:
            raise InputError("no_files")
        tree = TreeBuilder(self._alg)
        for record in self.records():
            tree.add_leaf_hash(leaf_hash(self._alg, file_entry(*record)))
        return DatasetDigest(self._alg, tree.root(), len(self._files), self._total)
