"""A Merkle tree stored as C2SP tlog-tiles: appending leaves, tree hashes and proofs from tiles.

The transparency log keeps its tree as the tiles that c2sp.org/tlog-tiles serves: a tile at level
``L`` and index ``N`` holds up to ``TILE_WIDTH`` consecutive hashes of the tree's nodes at height
``TILE_HEIGHT * L``, starting at node ``N * TILE_WIDTH`` (level 0 holds the leaf hashes). Only the
rightmost tile of each level is partial, and a tile only ever grows, so a tile's first ``W``
hashes never change: a partial tile of width ``W`` is a prefix of every later version of it.

Every node of the tree that is the root of a perfect subtree (a "complete" node) can be computed
from one tile: a node at height ``h`` covers ``2 ** (h % TILE_HEIGHT)`` consecutive hashes of the
tile level ``h // TILE_HEIGHT``. The root of a tree, and the inclusion and consistency proofs of
RFC 9162 section 2.1, need O(log n) such nodes, so they read a handful of tiles whatever the
size of the log (memory and time flat in the log size).

Which tiles a proof reads follows from its sizes and index alone (``inclusion_tiles``,
``consistency_tiles``), so a store can fetch them all at once and hand them to ``TiledTree``. They
lie at most two to a level: the tile over the leaf's ancestors, whose perfect siblings share it
(``path_tiles``), and the tile where the tree ends, which holds the nodes of every subtree that
ends at the tree's size (``edge_tiles``). A store that learns the size in the same query can thus
ask for both per level before it knows the size.

The tree hash is SHA-256 (RFC 9162); ``read`` is a function ``(level, index) -> bytes`` returning
the stored tile (any width, ``b""`` for a tile not yet stored). Nothing here imports Django.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from typing import Callable

from dataip.core.merkle import (
    DIGEST_SIZE,
    _split,
    consistency_path,
    empty_root,
    inclusion_path,
    node_hash,
)

__all__ = [
    "HASH_ALG",
    "LEVELS",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "TileKey",
    "TiledTree",
    "consistency_tiles",
    "edge_tiles",
    "inclusion_tiles",
    "path_tiles",
    "perfect_root",
    "tile_shift",
    "tile_width",
]

HASH_ALG = "sha256"
TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
_TILE_BYTES = TILE_WIDTH * DIGEST_SIZE
# A tree of fewer than 2**64 leaves has complete nodes up to height 63: tile levels 0 to 7.
LEVELS = 8

TileKey = tuple[int, int]
Reader = Callable[[int, int], bytes]


def tile_width(level: int, index: int, size: int) -> int:
    """How many hashes tile ``(level, index)`` holds in a tree of ``size`` leaves (0 to 256)."""
    nodes = size >> (TILE_HEIGHT * level)
    return max(0, min(TILE_WIDTH, nodes - index * TILE_WIDTH))


def tile_shift(level: int) -> int:
    """Tile ``(level, leaf >> tile_shift(level))`` is the one of ``level`` above leaf ``leaf``."""
    return TILE_HEIGHT * (level + 1)


def path_tiles(index: int) -> list[TileKey]:
    """The tile of every level that holds the ancestors of leaf ``index`` and their siblings."""
    return [(level, index >> tile_shift(level)) for level in range(LEVELS)]


def edge_tiles(size: int) -> list[TileKey]:
    """The tile of every level where a tree of ``size`` leaves ends (it may hold no hash).

    Every complete node of a subtree that ends at ``size`` lies in one of them.
    """
    return path_tiles(size)


def _node_tile(height: int, index: int) -> TileKey:
    """The tile holding the complete node at ``height`` covering leaves from ``index << height``."""
    level, rest = divmod(height, TILE_HEIGHT)
    return level, (index << rest) // TILE_WIDTH


def _complete_nodes(lo: int, hi: int) -> Iterator[tuple[int, int]]:
    """(height, index) of the complete nodes ``TiledTree.subtree(lo, hi)`` combines."""
    n = hi - lo
    if n & (n - 1) == 0 and lo % n == 0:
        yield n.bit_length() - 1, lo // n
        return
    k = _split(n)
    yield from _complete_nodes(lo, lo + k)
    yield from _complete_nodes(lo + k, hi)


def _tiles_read(walk: Callable[[Callable[[int, int], bytes]], object]) -> set[TileKey]:
    """The tiles a proof recursion reads: ``walk(subtree)`` runs it with a recording subtree."""
    keys: set[TileKey] = set()

    def subtree(lo: int, hi: int) -> bytes:
        keys.update(_node_tile(h, i) for h, i in _complete_nodes(lo, hi))
        return b""

    walk(subtree)
    return keys


def inclusion_tiles(index: int, size: int) -> list[TileKey]:
    """The tiles ``leaf_hash(index)`` and ``inclusion_proof(index, size)`` read, in order.

    A subset of ``path_tiles(index) + edge_tiles(size)``; IndexError as for the proof.
    """
    keys = _tiles_read(lambda subtree: inclusion_path(index, size, subtree))
    keys.add(_node_tile(0, index))
    return sorted(keys)


def consistency_tiles(old_size: int, size: int) -> list[TileKey]:
    """The tiles ``consistency_proof(old_size, size)`` reads, in order.

    A subset of ``path_tiles(old_size - 1) + edge_tiles(size)``; IndexError as for the proof.
    """
    return sorted(_tiles_read(lambda subtree: consistency_path(old_size, size, subtree)))


def perfect_root(hashes: Sequence[bytes]) -> bytes:
    """The root of a perfect subtree given its ``2 ** k`` bottom hashes."""
    level = list(hashes)
    while len(level) > 1:
        level = [node_hash(HASH_ALG, level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


@functools.lru_cache(maxsize=256)
def _tile_levels(data: bytes) -> tuple[tuple[bytes, ...], ...]:
    """Every complete node inside a tile: ``[r][i]`` is the node over hashes ``i*2**r`` on.

    Cached by content: a tile's bytes fix its nodes, whichever log they come from, so the upper
    tiles that every proof crosses are hashed once per process, not once per proof. Only tiles
    of level 1 and up come here (a log of 16 million leaves has 257 of them), and the partial
    tile that ends level 0, where most proofs at the published size need a node; 256 at most,
    about 12 MB.
    """
    level = tuple(data[i : i + DIGEST_SIZE] for i in range(0, len(data), DIGEST_SIZE))
    levels = [level]
    while len(level) > 1:
        level = tuple(
            node_hash(HASH_ALG, level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)
        )
        levels.append(level)
    return tuple(levels)


class TiledTree:
    """A tree of ``size`` leaves read from tiles, with a cache of the tiles it has read.

    ``tiles`` are tiles already fetched (say, every one ``inclusion_tiles`` names, in one query;
    ``b""`` for one not stored): ``read`` is called only for the others. ``append`` computes the
    tiles that change when leaves are added; the caller stores them (all in one transaction) and
    the object then describes the larger tree.
    """

    def __init__(
        self, size: int, read: Reader, tiles: Mapping[TileKey, bytes] | None = None
    ) -> None:
        self.size = size
        self._read = read
        self._cache: dict[TileKey, bytes] = dict(tiles or {})

    def tile(self, level: int, index: int) -> bytes:
        """The stored tile ``(level, index)``, as wide as it is stored."""
        key = (level, index)
        data = self._cache.get(key)
        if data is None:
            data = self._cache[key] = self._read(level, index)
        return data

    def _hashes(self, level: int, first: int, count: int) -> list[bytes]:
        """``count`` consecutive hashes of tile level ``level`` from node ``first`` (one tile)."""
        index, offset = divmod(first, TILE_WIDTH)
        data = self.tile(level, index)
        end = (offset + count) * DIGEST_SIZE
        if len(data) < end:
            raise LookupError(f"tile {level}/{index} holds {len(data) // DIGEST_SIZE} hashes")
        return [data[i : i + DIGEST_SIZE] for i in range(offset * DIGEST_SIZE, end, DIGEST_SIZE)]

    def node(self, height: int, index: int) -> bytes:
        """The hash of the complete node at ``height`` covering leaves from ``index << height``."""
        level, rest = divmod(height, TILE_HEIGHT)
        if rest == 0:
            return self._hashes(level, index, 1)[0]
        first = index << rest
        tile, offset = divmod(first, TILE_WIDTH)
        data = self.tile(level, tile)
        if len(data) < (offset + (1 << rest)) * DIGEST_SIZE:
            raise LookupError(f"tile {level}/{tile} holds {len(data) // DIGEST_SIZE} hashes")
        # Full leaf tiles: many, each read by few proofs; not worth keeping, unlike the last one.
        if level == 0 and len(data) == _TILE_BYTES:
            hashes = data[offset * DIGEST_SIZE : (offset + (1 << rest)) * DIGEST_SIZE]
            return perfect_root([hashes[i : i + DIGEST_SIZE] for i in range(0, len(hashes), 32)])
        return _tile_levels(data)[rest][offset >> rest]

    def subtree(self, lo: int, hi: int) -> bytes:
        """The RFC 6962 hash of leaves ``lo..hi-1``, a subtree of the tree (``lo`` aligned)."""
        n = hi - lo
        if n & (n - 1) == 0 and lo % n == 0:
            return self.node(n.bit_length() - 1, lo // n)
        k = _split(n)
        return node_hash(HASH_ALG, self.subtree(lo, lo + k), self.subtree(lo + k, hi))

    def root(self, size: int | None = None) -> bytes:
        """The tree hash at ``size`` leaves (default: the whole tree)."""
        size = self.size if size is None else size
        self._check_size(size)
        return self.subtree(0, size) if size else empty_root(HASH_ALG)

    def leaf_hash(self, index: int) -> bytes:
        """The stored leaf hash of leaf ``index``."""
        if not 0 <= index < self.size:
            raise IndexError(f"leaf index {index} out of range for {self.size} leaves")
        return self._hashes(0, index, 1)[0]

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """The audit path of leaf ``index`` in the tree at ``size`` (RFC 9162 2.1.3.1)."""
        self._check_size(size)
        return inclusion_path(index, size, self.subtree)

    def consistency_proof(self, old_size: int, size: int) -> list[bytes]:
        """The consistency proof from ``old_size`` to ``size`` (RFC 9162 2.1.4.1)."""
        self._check_size(size)
        return consistency_path(old_size, size, self.subtree)

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= self.size:
            raise IndexError(f"tree size {size} out of range: the tree has {self.size} leaves")

    def append(self, leaf_hashes: Sequence[bytes]) -> dict[TileKey, bytes]:
        """Add leaves; return every tile that changed (full contents) for the caller to store."""
        changed: dict[TileKey, bytes] = {}
        new = b"".join(leaf_hashes)
        if any(len(h) != DIGEST_SIZE for h in leaf_hashes):
            raise ValueError("leaf hashes must be 32 bytes")
        start, level = self.size, 0
        while new:
            first = start // TILE_WIDTH
            kept = (start % TILE_WIDTH) * DIGEST_SIZE
            head = self.tile(level, first)
            if len(head) != kept:
                raise LookupError(
                    f"tile {level}/{first} holds {len(head) // DIGEST_SIZE} hashes, "
                    f"expected {kept // DIGEST_SIZE}"
                )
            data = head + new
            parents = []
            for offset in range(0, len(data), _TILE_BYTES):
                tile = data[offset : offset + _TILE_BYTES]
                key = (level, first + offset // _TILE_BYTES)
                changed[key] = self._cache[key] = tile
                if len(tile) == _TILE_BYTES:
                    hashes = [tile[i : i + DIGEST_SIZE] for i in range(0, _TILE_BYTES, DIGEST_SIZE)]
                    parents.append(perfect_root(hashes))
            # Tiles from `first` on that are now full become nodes of the next level; `first`
            # was not full before (it had room for at least one new hash).
            new, start, level = b"".join(parents), first, level + 1
        self.size += len(leaf_hashes)
        return changed
