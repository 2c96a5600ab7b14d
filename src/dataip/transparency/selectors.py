"""Reads of the log: checkpoints, tiles, entry bundles, proofs. Public data only.

The tree read for proofs and tiles is the one of the latest published checkpoint: tiles only
grow, so reading them beside a running integration is safe. A proof reads the published size and
every tile it needs in one query (``_proof_tiles``): over TCP each round trip, and each ORM query
built, costs more than the hashing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from cryptography import x509
from django.db import connection, models

from dataip.core import tiles, tsp
from dataip.core.checkpoint import encode_entry_bundle, open_checkpoint
from dataip.core.errors import InputError, VerificationError
from dataip.core.merkle import TreeBuilder, leaf_hash
from dataip.core.note import Verifier
from dataip.core.tiles import HASH_ALG, TILE_WIDTH, TiledTree, perfect_root, tile_width
from dataip.transparency.models import Checkpoint, LogEntry, LogTile

# Sizes and indices are signed 64-bit columns: larger values name no tile.
_MAX_LEAVES = 1 << 63


def tile_reader() -> Callable[[int, int], bytes]:
    """Reads one stored tile (``b""`` if absent)."""

    def read(level: int, index: int) -> bytes:
        data = LogTile.objects.filter(level=level, index=index).values_list("data", flat=True)
        return bytes(data[0]) if data else b""

    return read


def checkpoint_latest() -> Checkpoint | None:
    """The newest published checkpoint (None while the log is empty)."""
    return Checkpoint.objects.order_by("-size").first()


def checkpoint_at(size: int) -> Checkpoint | None:
    """The checkpoint published at exactly ``size`` leaves, if there was one."""
    return Checkpoint.objects.filter(size=size).first()


def checkpoint_covering(index: int) -> Checkpoint | None:
    """The newest time-stamped checkpoint whose tree contains leaf ``index``."""
    return (
        Checkpoint.objects.filter(size__gt=index, timestamp__isnull=False).order_by("-size").first()
    )


def published_size() -> int:
    """The size of the latest checkpoint: what tiles and proofs are served for."""
    latest = Checkpoint.objects.order_by("-size").values_list("size", flat=True).first()
    return latest or 0


def tree_read(size: int | None = None) -> TiledTree:
    """The published tree (its size is the latest checkpoint's)."""
    return TiledTree(published_size() if size is None else size, tile_reader())


def tile_read(*, level: int, index: int, width: int) -> bytes | None:
    """Tile ``level/index`` at ``width`` hashes, or None if the published tree has not that many."""
    if width > tile_width(level, index, published_size()):
        return None
    data = tile_reader()(level, index)
    return data[: width * 32] if len(data) >= width * 32 else None


def entries_read(*, index: int, width: int) -> bytes | None:
    """Entry bundle ``index`` at ``width`` entries, or None if not that many are published."""
    if width > tile_width(0, index, published_size()):
        return None
    first = index * TILE_WIDTH
    statements = list(
        LogEntry.objects.filter(index__gte=first, index__lt=first + width)
        .order_by("index")
        .values_list("statement", flat=True)
    )
    if len(statements) != width:
        return None
    return encode_entry_bundle([s.encode("utf-8") for s in statements])


def entry_at(index: int) -> LogEntry | None:
    """The entry at ``index`` if it is in the published tree."""
    if not 0 <= index < published_size():
        return None
    return LogEntry.objects.filter(index=index).first()


def leaf_indices(leaf_hashes: Iterable[str]) -> list[tuple[str, int]]:
    """(leaf hash, index) of those of ``leaf_hashes`` (hex) already in the log."""
    return list(
        LogEntry.objects.filter(leaf_hash__in=list(leaf_hashes)).values_list("leaf_hash", "index")
    )


def entry_by_leaf_hash(leaf_hash: str) -> LogEntry | None:
    """The integrated entry with this leaf hash (hex), if any."""
    return LogEntry.objects.filter(leaf_hash=leaf_hash).first()


def _proof_tiles(
    keys: Sequence[tiles.TileKey], *, published_edges: bool
) -> tuple[int, dict[tiles.TileKey, bytes]]:
    """The published size and the stored tiles ``keys``, in one query (``b""`` if not stored).

    With ``published_edges``, also the tiles where the published tree ends
    (``tiles.edge_tiles``), computed in the query from the size it reads: a proof at the published
    size thus needs no second round trip. Raw SQL: the ORM cannot join a list of keys to a row of
    aggregates, and building ORM queries costs more than the proof's hashing. Each key is one
    index probe (a correlated subquery per row of a VALUES list): an OR of the keys took
    PostgreSQL longer to plan than to run.
    """
    q = connection.ops.quote_name
    level, index, data = (q(_column(LogTile, f)) for f in ("level", "index", "data"))
    size = q(_column(Checkpoint, "size"))
    wanted: list[str] = []
    params: list[int] = []
    for key in keys:
        wanted.append("(%s, %s, 0)")
        params += key
    if published_edges:
        for lv in range(tiles.LEVELS):
            shift = tiles.tile_shift(lv)
            # A stored size has no bit from 63 up, so its edge is tile 0 there; PostgreSQL shifts
            # by the count modulo 64 and would not give 0 for a shift by 64.
            wanted.append(f"({lv}, NULL, {shift})" if 1 << shift < _MAX_LEAVES else f"({lv}, 0, 0)")
    # Only quoted names and integer constants are formatted in; the keys are parameters.
    published = f"(SELECT MAX({size}) AS {size} FROM {q(Checkpoint._meta.db_table)}) c"  # noqa: S608
    at = f"COALESCE(k.column2, c.{size} >> k.column3)"
    sql = (
        (
            f"SELECT c.{size}, k.column1, {at}, (SELECT t.{data} FROM "  # noqa: S608
            f"{q(LogTile._meta.db_table)} t WHERE t.{level} = k.column1 AND t.{index} = {at})"
            f" FROM {published} CROSS JOIN (VALUES {', '.join(wanted)}) k"
        )
        if wanted
        else f"SELECT c.{size}, NULL, NULL, NULL FROM {published}"  # noqa: S608
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = {
        (lv, ix): b"" if d is None else bytes(d)
        for _, lv, ix, d in rows
        if ix is not None  # an edge of the empty log
    }
    return rows[0][0] or 0, found


def _column(model: type[models.Model], name: str) -> str:
    """The database column of field ``name`` (the raw query follows the model)."""
    column = next(f.column for f in model._meta.concrete_fields if f.name == name)
    if column is None:  # pragma: no cover - concrete fields have a column
        raise LookupError(name)
    return column


def _proof_size(tree_size: int | None, published: int) -> int:
    """``tree_size`` (default: the published size) if a proof can be served for it."""
    size = published if tree_size is None else tree_size
    if not 0 < size <= published:
        raise InputError("log_tree_size", size=size, published=published)
    return size


@dataclass(frozen=True)
class InclusionProof:
    index: int
    tree_size: int
    leaf_hash: bytes
    hashes: list[bytes]


def inclusion_proof(
    *, tree_size: int | None = None, index: int | None = None, leaf_hash: str | None = None
) -> InclusionProof:
    """The inclusion proof of a leaf, by index or by leaf hash, in the tree at ``tree_size``.

    Raises InputError (400) for a size beyond the published tree, an index outside it, or an
    unknown leaf hash. One query by index (the published size and every tile), two by leaf hash.
    """
    if (index is None) == (leaf_hash is None):
        _proof_size(tree_size, published_size())  # a bad size is named first
        raise InputError("log_proof_leaf")
    if index is None:
        entry = entry_by_leaf_hash(str(leaf_hash).lower())
        if entry is None:
            _proof_size(tree_size, published_size())
            raise InputError("log_leaf_unknown", leaf_hash=leaf_hash)
        index = entry.index
    if tree_size is not None and 0 <= index < tree_size <= _MAX_LEAVES:
        keys, edges = tiles.inclusion_tiles(index, tree_size), False
    elif tree_size is None and 0 <= index < _MAX_LEAVES:
        # Which edge tiles the proof needs depends on the published size: the query finds it.
        keys, edges = tiles.path_tiles(index), True
    else:
        keys, edges = [], False
    published, fetched = _proof_tiles(keys, published_edges=edges)
    size = _proof_size(tree_size, published)
    if not 0 <= index < size:
        raise InputError("log_index_range", index=index, size=size)
    tree = TiledTree(published, tile_reader(), fetched)
    return InclusionProof(index, size, tree.leaf_hash(index), tree.inclusion_proof(index, size))


def consistency_proof(*, first: int, second: int | None = None) -> tuple[int, int, list[bytes]]:
    """The consistency proof between two published tree sizes (one query)."""
    if second is not None and 0 <= first <= second <= _MAX_LEAVES:
        keys, edges = tiles.consistency_tiles(first, second), False
    elif second is None and 0 < first <= _MAX_LEAVES:
        keys, edges = tiles.path_tiles(first - 1), True
    else:
        keys, edges = [], False
    published, fetched = _proof_tiles(keys, published_edges=edges)
    second = published if second is None else second
    if not 0 <= first <= second <= published:
        raise InputError("log_consistency_range", first=first, second=second, published=published)
    tree = TiledTree(published, tile_reader(), fetched)
    return first, second, tree.consistency_proof(first, second)


def entries_iter() -> Iterator[LogEntry]:
    """Every entry in index order, streamed (for the audit)."""
    return LogEntry.objects.order_by("index").iterator(chunk_size=2000)


@dataclass
class AuditReport:
    """What ``log_audit`` found: ``problems`` is empty when the log is intact."""

    leaves: int = 0
    checkpoints: int = 0
    timestamps: int = 0
    problems: list[str] = field(default_factory=list)

    def problem(self, zh: str, en: str) -> None:
        self.problems.append(f"{zh} / {en}")


class _TileCheck:
    """Compares recomputed hashes with the stored tiles, level by level, in O(log n) memory."""

    def __init__(self, report: AuditReport) -> None:
        self.report = report
        self.read = tile_reader()
        self.stored: dict[int, bytes] = {}  # level -> the stored tile being compared
        self.pending: dict[int, list[bytes]] = {}  # level -> recomputed hashes of that tile

    def add(self, level: int, position: int, h: bytes) -> None:
        index, offset = divmod(position, TILE_WIDTH)
        if offset == 0 or level not in self.stored:
            self.stored[level] = self.read(level, index)
            self.pending[level] = []
        stored = self.stored[level][offset * 32 : offset * 32 + 32]
        if stored != h:
            self.report.problem(
                f"第 {level} 层瓦片 {index} 的第 {offset} 个哈希与重新计算的不符",
                f"tile {level}/{index}: hash {offset} differs from the recomputed one",
            )
        self.pending[level].append(h)
        if len(self.pending[level]) == TILE_WIDTH:
            self.add(level + 1, index, perfect_root(self.pending[level]))

    def finish(self, size: int) -> None:
        for level, data in self.stored.items():
            width = len(self.pending[level])
            if len(data) != width * 32 and width < TILE_WIDTH:
                self.report.problem(
                    f"第 {level} 层最后一个瓦片存有 {len(data) // 32} 个哈希，应为 {width} 个",
                    f"the last tile of level {level} holds {len(data) // 32} hashes, not {width}",
                )
        extra = [
            (t.level, t.index)
            for t in LogTile.objects.only("level", "index").iterator()
            if tile_width(t.level, t.index, size) == 0
        ]
        for level, index in extra:
            self.report.problem(
                f"瓦片 {level}/{index} 超出了日志的范围",
                f"tile {level}/{index} lies beyond the log",
            )


def log_audit(*, verifiers: Sequence[Verifier], trusted: Sequence[x509.Certificate]) -> AuditReport:
    """Recompute the tree from the stored statements and check every kept checkpoint against it.

    Catches an operator who edits history with database access: a statement that no longer
    matches its leaf hash or its tile, a removed or added entry, a tile or checkpoint that
    differs from the recomputed tree, a checkpoint whose signature or time stamp fails.
    Memory is flat in the log size.
    """
    report = AuditReport()
    tiles = _TileCheck(report)
    tree = TreeBuilder(HASH_ALG)
    checkpoints = Checkpoint.objects.order_by("size").iterator(chunk_size=500)
    cp = next(checkpoints, None)
    expected = 0
    for entry in entries_iter():
        if entry.index != expected:
            report.problem(
                f"日志缺少第 {expected} 至 {entry.index - 1} 条记录",
                f"leaves {expected} to {entry.index - 1} are missing from the log",
            )
            break
        computed = leaf_hash(HASH_ALG, entry.statement.encode("utf-8"))
        if computed.hex() != entry.leaf_hash:
            report.problem(
                f"第 {entry.index} 条记录的内容与其叶哈希不符（内容被修改）",
                f"leaf {entry.index}: the stored statement no longer matches its leaf hash "
                "(the statement was edited)",
            )
        tiles.add(0, entry.index, computed)
        tree.add_leaf_hash(computed)
        expected += 1
        while cp is not None and cp.size == tree.size:
            _check_checkpoint(report, cp, tree.root(), verifiers, trusted)
            cp = next(checkpoints, None)
    report.leaves = expected
    tiles.finish(expected)
    while cp is not None:
        report.checkpoints += 1
        report.problem(
            f"检查点（大小 {cp.size}）超出了日志现有的 {expected} 条记录（记录被删除）",
            f"the checkpoint at size {cp.size} is beyond the {expected} leaves in the log "
            "(leaves were removed)",
        )
        cp = next(checkpoints, None)
    return report


def _check_checkpoint(
    report: AuditReport,
    cp: Checkpoint,
    root: bytes,
    verifiers: Sequence[Verifier],
    trusted: Sequence[x509.Certificate],
) -> None:
    report.checkpoints += 1
    where_zh, where_en = f"检查点（大小 {cp.size}）", f"the checkpoint at size {cp.size}"
    if cp.root != root.hex():
        report.problem(
            f"{where_zh}的根与重新计算的根不符",
            f"{where_en}: its root differs from the recomputed root",
        )
    body = None
    for verifier in verifiers:
        try:
            body = open_checkpoint(cp.note, verifier)
            break
        except VerificationError:
            continue
    if body is None:
        report.problem(f"{where_zh}的签名无效", f"{where_en}: its signature does not verify")
    elif body.size != cp.size or body.root != root:
        report.problem(
            f"{where_zh}所签署的大小或根与重新计算的不符",
            f"{where_en}: the signed size or root differs from the recomputed tree",
        )
    if cp.timestamp is None:
        return
    try:
        tsp.verify_token(bytes(cp.timestamp), cp.note.encode("utf-8"), trusted=trusted)
    except VerificationError as e:
        report.problem(f"{where_zh}的时间戳无效：{e.message('zh')}", f"{where_en}: {e}")
    else:
        report.timestamps += 1
