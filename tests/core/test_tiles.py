"""The tiled tree (dataip.core.tiles) against the independent reference implementation."""

from __future__ import annotations

import hashlib

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
