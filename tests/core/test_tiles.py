"""The tiled tree (dataip.core.tiles) against the independent reference implementation."""

from __future__ import annotations

import hashlib
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataip.core import tiles

from . import reference


def _leaf(i: int) -> bytes:
    return reference.leaf_hash("sha256", i.to_bytes(8, "big"))


class Store:
    """A dict of tiles, as the database holds them."""

    def __init__(self) -> None:
        self.tiles: dict[tuple[int, int], bytes] = {}
        self.reads = 0

    def read(self, level: int, index: int) -> bytes:
        self.reads += 1
        return self.tiles.get((level, index), b"")

    def tree(self, size: int) -> tiles.TiledTree:
        return tiles.TiledTree(size, self.read)


def _grow(store: Store, batches: list[int]) -> list[bytes]:
    hashes: list[bytes] = []
    for n in batches:
        tree = store.tree(len(hashes))
        new = [_leaf(len(hashes) + i) for i in range(n)]
        store.tiles.update(tree.append(new))
        hashes.extend(new)
    return hashes


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 700), min_size=1, max_size=6))
def test_roots_and_proofs_match_the_reference(batches: list[int]) -> None:
    store = Store()
    hashes = _grow(store, batches)
    tree = store.tree(len(hashes))
    sizes = sorted(
        {0, 1, len(hashes), len(hashes) // 2, len(hashes) // 3} & set(range(len(hashes) + 1))
    )
    for size in sizes:
        assert tree.root(size) == reference.root_of_hashes("sha256", hashes[:size])
        for index in {0, size // 2, size - 1} & set(range(size)):
            assert tree.inclusion_proof(index, size) == reference.audit_path(
                "sha256", hashes[:size], index
            )
        for old in {0, 1, size // 2, size - 1, size} & set(range(size + 1)):
            if old > 0:
                assert tree.consistency_proof(old, size) == reference.consistency_path(
                    "sha256", hashes[:size], old
                )


def test_tile_contents_follow_tlog_tiles() -> None:
    store = Store()
    hashes = _grow(store, [256 * 256 + 300])
    # Level 0 tile 1 holds leaf hashes 256..511; level 1 tile 0 holds the 256 roots of the
    # 256-leaf subtrees; level 2 tile 0 holds the root of the first 65,536 leaves.
    assert store.tiles[0, 1] == b"".join(hashes[256:512])
    level1 = [reference.root_of_hashes("sha256", hashes[i : i + 256]) for i in range(0, 65792, 256)]
    assert store.tiles[1, 0] == b"".join(level1[:256])
    assert store.tiles[1, 1] == level1[256]
    assert store.tiles[2, 0] == reference.root_of_hashes("sha256", hashes[:65536])
    assert store.tiles[0, 257] == b"".join(hashes[65792:])
    assert (2, 1) not in store.tiles
    assert tiles.tile_width(0, 257, len(hashes)) == 44
    assert tiles.tile_width(1, 1, len(hashes)) == 1
    assert tiles.tile_width(2, 0, len(hashes)) == 1
    assert tiles.tile_width(0, 300, len(hashes)) == 0


def test_proofs_read_few_tiles_at_a_million_leaves() -> None:
    # Build the upper levels directly: the leaves' own tiles are only read near the proof.
    store = Store()
    size = 1_000_000
    hashes = _grow(store, [size])
    tree = store.tree(size)
    store.reads = 0
    proof = tree.inclusion_proof(123_456, size)
    assert proof == reference.audit_path("sha256", hashes, 123_456)
    assert store.reads <= 8


def test_errors() -> None:
    store = Store()
    _grow(store, [10])
    tree = store.tree(10)
    with pytest.raises(IndexError):
        tree.inclusion_proof(10, 10)
    with pytest.raises(IndexError):
        tree.root(11)
    with pytest.raises(IndexError):
        tree.leaf_hash(10)
    with pytest.raises(ValueError, match="32 bytes"):
        tree.append([b"short"])
    assert tree.leaf_hash(3) == _leaf(3)
    # A store that lost the partial tile cannot be appended to silently.
    store.tiles[0, 0] = store.tiles[0, 0][:32]
    with pytest.raises(LookupError, match="expected 10"):
        store.tree(10).append([_leaf(10)])
    assert tiles.TiledTree(0, store.read).root() == hashlib.sha256(b"").digest()


# --- prefetching: which tiles a proof reads ---------------------------------------------------

# Three tile levels, every level ending in a partial tile: 2 * 65,536 + 3 * 256 + 100 leaves.
_LOG = 2 * 65_536 + 3 * 256 + 100


@pytest.fixture(scope="module")
def log() -> tuple[Store, list[bytes]]:
    store = Store()
    # Several appends, so that stored partial tiles are wider than those of smaller trees.
    hashes = _grow(store, [1, 300, 65_536, 1_000, _LOG - 66_837])
    assert len(hashes) == _LOG
    return store, hashes


def _sizes(rng: random.Random) -> list[int]:
    """Random sizes and those at and around every tile boundary of every level."""
    edges = [256, 2 * 256, 65_536, 2 * 65_536, _LOG - 100]
    around = {s + d for s in edges for d in (-1, 0, 1)}
    return sorted(around | {1, 2, 3, 255, _LOG} | {rng.randint(1, _LOG) for _ in range(60)})


def _no_reads(level: int, index: int) -> bytes:
    raise AssertionError(f"tile {level}/{index} was not prefetched")


def _prefetched(store: Store, keys: list[tiles.TileKey]) -> tiles.TiledTree:
    return tiles.TiledTree(_LOG, _no_reads, {k: store.tiles.get(k, b"") for k in keys})


class Recorder:
    """A tile-by-tile reader of the store that records which tiles it read."""

    def __init__(self, store: Store) -> None:
        self.store, self.read = store, set[tiles.TileKey]()

    def __call__(self, level: int, index: int) -> bytes:
        self.read.add((level, index))
        return self.store.tiles.get((level, index), b"")


def test_prefetched_inclusion_proofs_equal_the_tile_by_tile_ones(
    log: tuple[Store, list[bytes]],
) -> None:
    store, hashes = log
    rng = random.Random(6962)  # noqa: S311 - reproducible sizes, not secrets
    pairs = [(size, index) for size in _sizes(rng) for index in {0, size - 1, rng.randrange(size)}]
    pairs += [(size, rng.randrange(size)) for size in [rng.randint(1, _LOG) for _ in range(300)]]
    for size, index in pairs:
        recorder = Recorder(store)
        by_tile = tiles.TiledTree(_LOG, recorder)
        expected = (by_tile.leaf_hash(index), by_tile.inclusion_proof(index, size))
        keys = tiles.inclusion_tiles(index, size)
        # Exactly the tiles the tile-by-tile path reads: no more, no fewer.
        assert set(keys) == recorder.read, (index, size)
        assert len(keys) <= 2 * (size.bit_length() + 7) // 8 + 1
        tree = _prefetched(store, keys)
        assert (tree.leaf_hash(index), tree.inclusion_proof(index, size)) == expected
        # Before the size is known: the ancestors' and the edge's tile of every level suffice.
        assert set(keys) <= set(tiles.path_tiles(index)) | set(tiles.edge_tiles(size))
        if size == _LOG:
            tree = _prefetched(store, tiles.path_tiles(index) + tiles.edge_tiles(size))
            assert tree.inclusion_proof(index, size) == expected[1]
    # The oracle, on a few (it recomputes every subtree from the leaves).
    for size, index in pairs[:: len(pairs) // 12]:
        assert _prefetched(store, tiles.inclusion_tiles(index, size)).inclusion_proof(
            index, size
        ) == reference.audit_path("sha256", hashes[:size], index)


def test_prefetched_consistency_proofs_equal_the_tile_by_tile_ones(
    log: tuple[Store, list[bytes]],
) -> None:
    store, hashes = log
    rng = random.Random(9162)  # noqa: S311 - reproducible sizes, not secrets
    sizes = _sizes(rng)
    pairs = [(old, size) for size in sizes for old in {0, 1, size // 2, size - 1, size}]
    pairs += [(rng.randint(0, size), size) for size in sizes for _ in range(3)]
    pairs = [(old, size) for old, size in pairs if 0 <= old <= size]
    for old, size in pairs:
        recorder = Recorder(store)
        expected = tiles.TiledTree(_LOG, recorder).consistency_proof(old, size)
        keys = tiles.consistency_tiles(old, size)
        assert set(keys) == recorder.read, (old, size)
        assert _prefetched(store, keys).consistency_proof(old, size) == expected
        if old > 0:
            assert set(keys) <= set(tiles.path_tiles(old - 1)) | set(tiles.edge_tiles(size))
        if size == _LOG and old > 0:
            tree = _prefetched(store, tiles.path_tiles(old - 1) + tiles.edge_tiles(size))
            assert tree.consistency_proof(old, size) == expected
    for old, size in pairs[:: len(pairs) // 8]:
        assert _prefetched(store, tiles.consistency_tiles(old, size)).consistency_proof(
            old, size
        ) == reference.consistency_path("sha256", hashes[:size], old)


def test_tile_coordinates() -> None:
    # Leaf 70,000 lies in tile 0/273 (70,000 // 256), its level-1 ancestor in tile 1/1
    # (70,000 // 65,536), every higher one in tile 0 of its level.
    assert tiles.path_tiles(70_000) == [(0, 273), (1, 1)] + [(level, 0) for level in range(2, 8)]
    # The largest size the database holds: node 2**63 - 1 >> 48 of level 6 is in tile 6/127.
    assert tiles.edge_tiles(2**63 - 1)[6:] == [(6, 127), (7, 0)]
    # One leaf: the leaf's own tile only. Leaf 5 of 6: the sibling leaf 4 and the node over
    # leaves 0-3, all in tile 0/0.
    assert tiles.inclusion_tiles(0, 1) == [(0, 0)]
    assert tiles.inclusion_tiles(5, 6) == [(0, 0)]
    # Leaf 0 of 65,537: the node over leaves 0-255 and up (tile 1/0), the edge leaf 65,536
    # (tile 0/256); the leaf's own tile for its leaf hash and siblings.
    assert tiles.inclusion_tiles(0, 65_537) == [(0, 0), (0, 256), (1, 0)]
    assert tiles.consistency_tiles(0, 10) == tiles.consistency_tiles(10, 10) == []
    # From a perfect tree of 256 leaves the proof is only the new leaf 256: its root is known.
    assert tiles.consistency_tiles(256, 257) == [(0, 1)]
    with pytest.raises(IndexError):
        tiles.inclusion_tiles(10, 10)
    with pytest.raises(IndexError):
        tiles.consistency_tiles(11, 10)
