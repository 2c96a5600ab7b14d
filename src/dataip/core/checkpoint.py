"""Transparency log checkpoints, tile paths, entry bundles and proofs, per the C2SP specs.

* c2sp.org/tlog-checkpoint: a checkpoint is a signed note (:mod:`dataip.core.note`) whose text is
  at least three non-empty lines: the log's *origin*, the tree size in decimal without leading
  zeros, the base64 RFC 6962 root hash, then optional opaque extension lines. The log's key name
  should equal the origin; :func:`open_checkpoint` requires it unless told the origin.
* c2sp.org/tlog-tiles: the log's tree is served as tiles ``tile/<L>/<N>[.p/<W>]`` and its entries
  as bundles ``tile/entries/<N>[.p/<W>]``; ``L`` is 0 to 63 with no leading zeros, ``N`` is
  written in 3-digit groups of which all but the last start with ``x`` (1234067 is
  ``x001/x234/067``), and ``.p/<W>`` marks a partial tile of width 1 to 255. An entry bundle is
  the entries, each prefixed by its length as a big-endian uint16.
* c2sp.org/tlog-proof: an offline inclusion proof is the line ``c2sp.org/tlog-proof@v1``, an
  optional ``extra <base64>`` line, ``index <N>``, the inclusion proof's hashes one base64 line
  each (leaf's sibling first), an empty line, and the signed checkpoint verbatim.

Parsers are strict: each value has exactly one accepted spelling (ASCII digits without leading
zeros, canonical padded base64, the shortest index groups), so that two different strings never
mean the same resource or proof. Tree sizes and indices are below 2**64. Malformed checkpoints,
bundles and proofs raise :class:`~dataip.core.errors.VerificationError` (they come from a log
under verification); bad arguments and tile paths raise :class:`~dataip.core.errors.InputError`.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass

from dataip.core.errors import InputError, Text, VerificationError
from dataip.core.merkle import DIGEST_SIZE, verify_inclusion
from dataip.core.note import (
    Signer,
    Verifier,
    _b64,
    _b64decode,
    _text_problem,
    open_note,
    parse_note,
    sign_note,
)
from dataip.core.tiles import TILE_HEIGHT, TILE_WIDTH

__all__ = [
    "MAX_TILE_LEVEL",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "TLOG_PROOF_HEADER",
    "Checkpoint",
    "TilePath",
    "TlogProof",
    "decode_entry_bundle",
    "encode_entry_bundle",
    "entries_path",
    "format_tlog_proof",
    "open_checkpoint",
    "parse_tile_path",
    "parse_tlog_proof",
    "sign_checkpoint",
    "tile_path",
    "verify_tlog_proof",
]

MAX_TILE_LEVEL = 63
#: Tree sizes and leaf indices are uint64 in every tlog implementation.
MAX_TREE_SIZE = 2**64 - 1
#: An audit path in a tree of fewer than 2**64 leaves has at most 64 hashes.
MAX_PROOF_HASHES = 64
MAX_ENTRY_SIZE = 0xFFFF
_LENGTH = struct.Struct(">H")

TLOG_PROOF_HEADER = "c2sp.org/tlog-proof@v1"
_EXTRA_PREFIX = "extra "
_INDEX_PREFIX = "index "
_CHECKPOINT_LINES = 3

_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_TILE_PATH = re.compile(
    r"tile/(?P<level>entries|0|[1-9][0-9]*)/(?P<index>(?:x[0-9]{3}/)*[0-9]{3})"
    r"(?:\.p/(?P<width>[1-9][0-9]*))?"
)
_INDEX_GROUP = 3

ORIGIN = Text("来源", "origin")
SIZE = Text("树大小", "tree size")
ROOT = Text("根哈希", "root hash")
EXTENSION = Text("扩展行", "extension line")


def _decimal(text: str) -> int | None:
    """An ASCII decimal with no leading zeros below 2**64, or None."""
    if not _DECIMAL.fullmatch(text):
        return None
    value = int(text)
    return value if value <= MAX_TREE_SIZE else None


def _line_problem(line: str) -> Text | None:
    if not line:
        return Text("为空", "it is empty")
    if "\n" in line:
        return Text("含有换行符", "it contains a newline")
    return _text_problem(line)


@dataclass(frozen=True)
class Checkpoint:
    """The text of a checkpoint: a log's tree head (origin, size, root) and extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        problem = _line_problem(self.origin)
        if problem is not None:
            raise InputError("checkpoint_field", field=ORIGIN, problem=problem)
        size_ok = isinstance(self.size, int) and not isinstance(self.size, bool)
        if not size_ok or not 0 <= self.size <= MAX_TREE_SIZE:
            raise InputError(
                "checkpoint_field",
                field=SIZE,
                problem=Text(
                    f"{self.size} 不在 0 至 2^64-1 之间", f"{self.size} is not 0 to 2^64-1"
                ),
            )
        if len(self.root) != DIGEST_SIZE:
            raise InputError(
                "checkpoint_field",
                field=ROOT,
                problem=Text(
                    f"长度为 {len(self.root)} 字节，应为 {DIGEST_SIZE}",
                    f"it is {len(self.root)} bytes long, expected {DIGEST_SIZE}",
                ),
            )
        for line in self.extensions:
            problem = _line_problem(line)
            if problem is not None:
                raise InputError("checkpoint_field", field=EXTENSION, problem=problem)

    def text(self) -> str:
        """The checkpoint's note text: every line, the last included, ends in a newline."""
        lines = [self.origin, str(self.size), _b64(self.root), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Parse a checkpoint's note text (not a signed note: see :func:`open_checkpoint`).

        Raises :class:`VerificationError` (``checkpoint_malformed``).
        """
        problem = _text_problem(text)
        if problem is None and not text.endswith("\n"):
            problem = Text("未以换行符结尾", "it does not end in a newline")
        lines = text[:-1].split("\n")
        if problem is None and len(lines) < _CHECKPOINT_LINES:
            problem = Text(
                f"只有 {len(lines)} 行，至少应有 3 行",
                f"it has {len(lines)} line(s), at least 3 are needed",
            )
        if problem is None and "" in lines:
            problem = Text(
                f"第 {lines.index('') + 1} 行为空", f"line {lines.index('') + 1} is empty"
            )
        if problem is not None:
            raise VerificationError("checkpoint_malformed", problem=problem)
        size = _decimal(lines[1])
        if size is None:
            raise VerificationError(
                "checkpoint_malformed",
                problem=Text(
                    "第 2 行不是树大小（十进制，无前导零，小于 2^64）",
                    "line 2 is not a tree size (decimal, no leading zeros, below 2^64)",
                ),
            )
        root = _b64decode(lines[2])
        if root is None or len(root) != DIGEST_SIZE:
            raise VerificationError(
                "checkpoint_malformed",
                problem=Text(
                    "第 3 行不是 32 字节根哈希的 base64 编码",
                    "line 3 is not the base64 of a 32-byte root hash",
                ),
            )
        return cls(lines[0], size, root, tuple(lines[3:]))


def sign_checkpoint(checkpoint: Checkpoint, signer: Signer) -> str:
    """The signed note of ``checkpoint`` by ``signer`` (whose name should be the origin)."""
    return sign_note(checkpoint.text(), [signer])


def open_checkpoint(note: str, verifier: Verifier, *, origin: str | None = None) -> Checkpoint:
    """Verify a signed checkpoint by ``verifier`` and return it.

    The origin line must equal ``origin``, by default the verifier's key name (the spec's
    "SHOULD match"; give ``origin`` for logs such as sum.golang.org whose origin differs).
    Raises :class:`VerificationError`.
    """
    text, _ = open_note(note, [verifier])
    checkpoint = Checkpoint.parse(text)
    expected = verifier.name if origin is None else origin
    if checkpoint.origin != expected:
        raise VerificationError("checkpoint_origin", found=checkpoint.origin, expected=expected)
    return checkpoint


@dataclass(frozen=True)
class TilePath:
    """A parsed tile path: ``level`` is None for an entry bundle; ``width`` 256 is a full tile."""

    level: int | None
    index: int
    width: int


def _encode_index(index: int) -> str:
    digits = str(index)
    digits = "0" * (-len(digits) % _INDEX_GROUP) + digits
    groups = [digits[i : i + _INDEX_GROUP] for i in range(0, len(digits), _INDEX_GROUP)]
    return "/".join(["x" + g for g in groups[:-1]] + groups[-1:])


def _path(level: str, index: int, width: int) -> str:
    if isinstance(index, bool) or index < 0:
        raise InputError(
            "tile_coordinates",
            problem=Text(f"序号 {index} 为负数", f"the index {index} is negative"),
        )
    if isinstance(width, bool) or not 1 <= width <= TILE_WIDTH:
        raise InputError(
            "tile_coordinates",
            problem=Text(
                f"宽度 {width} 不在 1 至 {TILE_WIDTH} 之间",
                f"the width {width} is not 1 to {TILE_WIDTH}",
            ),
        )
    partial = f".p/{width}" if width < TILE_WIDTH else ""
    return f"tile/{level}/{_encode_index(index)}{partial}"


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """``tile/<level>/<index>[.p/<width>]``, e.g. ``tile/0/x001/x234/067``, ``tile/1/005.p/7``."""
    if isinstance(level, bool) or not 0 <= level <= MAX_TILE_LEVEL:
        raise InputError(
            "tile_coordinates",
            problem=Text(
                f"层级 {level} 不在 0 至 {MAX_TILE_LEVEL} 之间",
                f"the level {level} is not 0 to {MAX_TILE_LEVEL}",
            ),
        )
    return _path(str(level), index, width)


def entries_path(index: int, width: int = TILE_WIDTH) -> str:
    """``tile/entries/<index>[.p/<width>]``: the entry bundle matching level-0 tile ``index``."""
    return _path("entries", index, width)


def parse_tile_path(path: str) -> TilePath:
    """Parse a tile or entry bundle path (``tile/...``), accepting only the canonical spelling.

    Raises :class:`InputError` (``tile_path``).
    """
    shown = path if len(path) <= 120 else path[:117] + "..."  # noqa: PLR2004
    m = _TILE_PATH.fullmatch(path)
    problem: Text | None = None
    if m is None:
        problem = Text(
            "不符合 tile/<L>/<N>[.p/<W>] 或 tile/entries/<N>[.p/<W>]",
            "it does not match tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>]",
        )
    else:
        level = None if m["level"] == "entries" else int(m["level"])
        index = int(m["index"].replace("x", "").replace("/", ""))
        width = TILE_WIDTH if m["width"] is None else int(m["width"])
        if level is not None and level > MAX_TILE_LEVEL:
            problem = Text(
                f"层级应为 0 至 {MAX_TILE_LEVEL}", f"the level must be 0 to {MAX_TILE_LEVEL}"
            )
        elif m["width"] is not None and width >= TILE_WIDTH:
            problem = Text(
                f"部分瓦片的宽度应为 1 至 {TILE_WIDTH - 1}",
                f"a partial tile's width must be 1 to {TILE_WIDTH - 1}",
            )
        elif m["index"] != _encode_index(index):
            problem = Text(
                "序号有多余的前导零分组", "the index has superfluous leading zero groups"
            )
        else:
            return TilePath(level, index, width)
    raise InputError("tile_path", path=shown, problem=problem)


def encode_entry_bundle(entries: Sequence[bytes]) -> bytes:
    """The entry bundle of 1 to 256 entries, each at most 65535 bytes long."""
    if not 1 <= len(entries) <= TILE_WIDTH:
        raise InputError(
            "entry_bundle",
            problem=Text(
                f"有 {len(entries)} 条，应为 1 至 {TILE_WIDTH} 条",
                f"{len(entries)} entries given, expected 1 to {TILE_WIDTH}",
            ),
        )
    out = bytearray()
    for position, entry in enumerate(entries):
        if len(entry) > MAX_ENTRY_SIZE:
            raise InputError(
                "entry_bundle",
                problem=Text(
                    f"第 {position} 条长 {len(entry)} 字节，超过 {MAX_ENTRY_SIZE}",
                    f"entry {position} is {len(entry)} bytes long, more than {MAX_ENTRY_SIZE}",
                ),
            )
        out += _LENGTH.pack(len(entry))
        out += entry
    return bytes(out)


def decode_entry_bundle(data: bytes, *, width: int | None = None) -> list[bytes]:
    """The entries of a bundle: 1 to 256 of them, exactly ``width`` if given.

    Raises :class:`VerificationError` (``entry_bundle_malformed``) on a truncated bundle, an
    empty one, or a wrong number of entries.
    """
    entries: list[bytes] = []
    offset = 0
    while offset < len(data):
        if offset + _LENGTH.size > len(data):
            raise VerificationError(
                "entry_bundle_malformed",
                problem=Text(
                    f"第 {len(entries)} 条的长度前缀被截断",
                    f"the length of entry {len(entries)} is truncated",
                ),
            )
        (length,) = _LENGTH.unpack_from(data, offset)
        offset += _LENGTH.size
        if offset + length > len(data):
            raise VerificationError(
                "entry_bundle_malformed",
                problem=Text(f"第 {len(entries)} 条被截断", f"entry {len(entries)} is truncated"),
            )
        entries.append(bytes(data[offset : offset + length]))
        offset += length
        if len(entries) > TILE_WIDTH:
            break
    expected = f"1 to {TILE_WIDTH}" if width is None else str(width)
    if (width is None and not 1 <= len(entries) <= TILE_WIDTH) or (
        width is not None and len(entries) != width
    ):
        count = f"{len(entries)}+" if len(entries) > TILE_WIDTH else str(len(entries))
        raise VerificationError(
            "entry_bundle_malformed",
            problem=Text(
                f"有 {count} 条，应为 {expected.replace(' to ', ' 至 ')} 条",
                f"it has {count} entries, expected {expected}",
            ),
        )
    return entries


@dataclass(frozen=True)
class TlogProof:
    """A c2sp.org/tlog-proof: leaf ``index``, its audit path, the signed checkpoint note, extra."""

    index: int
    hashes: tuple[bytes, ...]
    checkpoint: str
    extra: bytes | None = None


def format_tlog_proof(
    *, index: int, hashes: Sequence[bytes], checkpoint: str, extra: bytes | None = None
) -> str:
    """The text of a tlog-proof; ``checkpoint`` is the signed checkpoint note, verbatim.

    Raises :class:`InputError` (``tlog_proof_field``) on a value :func:`parse_tlog_proof` would
    not accept back.
    """
    problem: Text | None = None
    if isinstance(index, bool) or not 0 <= index <= MAX_TREE_SIZE:
        problem = Text(f"叶序号 {index} 不在 0 至 2^64-1 之间", f"index {index} is not 0 to 2^64-1")
    elif len(hashes) > MAX_PROOF_HASHES:
        problem = Text(f"哈希超过 {MAX_PROOF_HASHES} 个", f"more than {MAX_PROOF_HASHES} hashes")
    elif any(len(h) != DIGEST_SIZE for h in hashes):
        problem = Text(
            f"哈希长度应为 {DIGEST_SIZE} 字节", f"every hash must be {DIGEST_SIZE} bytes long"
        )
    elif extra is not None and not extra:
        problem = Text(
            "附加数据为空（无附加数据时请传 None）", "extra is empty (pass None for none)"
        )
    if problem is None:
        try:
            _parse_checkpoint_note(checkpoint)
        except VerificationError as e:
            problem = Text(e.message("zh"), e.message("en"))
    if problem is not None:
        raise InputError("tlog_proof_field", problem=problem)
    lines = [TLOG_PROOF_HEADER]
    if extra is not None:
        lines.append(_EXTRA_PREFIX + _b64(extra))
    lines.append(_INDEX_PREFIX + str(index))
    lines += [_b64(h) for h in hashes]
    return "".join(line + "\n" for line in lines) + "\n" + checkpoint


def _parse_checkpoint_note(note: str) -> Checkpoint:
    text, _ = parse_note(note)
    return Checkpoint.parse(text)


def _proof_malformed(zh: str, en: str) -> VerificationError:
    return VerificationError("tlog_proof_malformed", problem=Text(zh, en))


def parse_tlog_proof(text: str) -> TlogProof:
    """Parse a tlog-proof, checking the syntax of every part, the checkpoint note's included.

    Signatures and the proof itself are not verified: see :func:`verify_tlog_proof`. Raises
    :class:`VerificationError` (``tlog_proof_malformed``).
    """
    head, blank, checkpoint = text.partition("\n\n")
    if not blank:
        raise _proof_malformed("没有位于检查点之前的空行", "no empty line before the checkpoint")
    lines = head.split("\n")
    if lines[0] != TLOG_PROOF_HEADER:
        raise _proof_malformed(
            f"第 1 行应为 {TLOG_PROOF_HEADER}", f"line 1 must be {TLOG_PROOF_HEADER}"
        )
    n = 1
    extra: bytes | None = None
    if n < len(lines) and lines[n].startswith(_EXTRA_PREFIX):
        extra = _b64decode(lines[n][len(_EXTRA_PREFIX) :])
        if not extra:
            raise _proof_malformed(
                "extra 行不是非空数据的 base64 编码", "the extra line is not base64 of some data"
            )
        n += 1
    index = None
    if n < len(lines) and lines[n].startswith(_INDEX_PREFIX):
        index = _decimal(lines[n][len(_INDEX_PREFIX) :])
    if index is None:
        raise _proof_malformed(
            f"第 {n + 1} 行应为 index <叶序号>（十进制，无前导零）",
            f"line {n + 1} must be 'index <N>' (decimal, no leading zeros)",
        )
    hash_lines = lines[n + 1 :]
    if len(hash_lines) > MAX_PROOF_HASHES:
        raise _proof_malformed(
            f"包含证明超过 {MAX_PROOF_HASHES} 个哈希", f"more than {MAX_PROOF_HASHES} proof hashes"
        )
    hashes: list[bytes] = []
    for line_number, line in enumerate(hash_lines, n + 2):
        h = _b64decode(line)
        if h is None or len(h) != DIGEST_SIZE:
            raise _proof_malformed(
                f"第 {line_number} 行不是 32 字节哈希的 base64 编码",
                f"line {line_number} is not the base64 of a 32-byte hash",
            )
        hashes.append(h)
    _parse_checkpoint_note(checkpoint)
    return TlogProof(index, tuple(hashes), checkpoint, extra)


def verify_tlog_proof(
    proof: TlogProof, *, leaf_hash: bytes, verifier: Verifier, origin: str | None = None
) -> Checkpoint:
    """Check that ``leaf_hash`` is leaf ``proof.index`` of the tree the log signed in the proof.

    Opens the checkpoint as :func:`open_checkpoint` does, then verifies the RFC 9162 inclusion
    proof (SHA-256). Witness cosignatures are not checked. Returns the checkpoint; raises
    :class:`VerificationError`.
    """
    checkpoint = open_checkpoint(proof.checkpoint, verifier, origin=origin)
    verify_inclusion(
        "sha256",
        index=proof.index,
        tree_size=checkpoint.size,
        leaf_hash=leaf_hash,
        proof=proof.hashes,
        root=checkpoint.root,
    )
    return checkpoint
