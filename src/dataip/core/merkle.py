"""RFC 6962 / RFC 9162 Merkle trees over a named hash algorithm.

The tree, its leaf and node hashes, inclusion and consistency proofs follow RFC 9162 section 2.1
(identical to RFC 6962 section 2.1): ``leaf = H(0x00 || data)``, ``node = H(0x01 || left ||
right)``, a tree of ``n > 1`` leaves splits at the largest power of two smaller than ``n``, and
the empty tree's hash is ``H("")``. Verification follows the algorithms of RFC 9162 sections
2.1.3.2 and 2.1.4.2 and raises :class:`~dataip.core.errors.VerificationError` with the exact
reason.

A consistency proof from size 0 is, by this project's decision, the empty proof: the empty tree is
a prefix of every tree, so there is nothing to prove (``verify_consistency`` accepts it, whatever
the new root, provided the old root is the empty tree's hash; a non-empty proof from size 0 is
rejected). RFC 9162 leaves the case undefined; the transparency-dev library treats it as an error.

The hash algorithm is named (``"sm3"`` or ``"sha256"``): the dataset hash uses either, the
transparency log uses SHA-256.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, Callable

from dataip.core.errors import Text, UnsupportedAlgorithm, VerificationError

ALGORITHMS = ("sm3", "sha256")
DIGEST_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"

INCLUSION = Text("包含证明", "inclusion proof")
CONSISTENCY = Text("一致性证明", "consistency proof")

_EMPTY: dict[str, Any] = {}
_LEAF: dict[str, Any] = {}
_NODE: dict[str, Any] = {}


def new_hasher(alg: str) -> Any:
    """A fresh hash object for ``alg`` (``sm3`` or ``sha256``), from OpenSSL through hashlib.

    Raises :class:`UnsupportedAlgorithm` for an unknown name, and when this interpreter's OpenSSL
    has no SM3 (the message points to ``--alg sha256``).
    """
    template = _EMPTY.get(alg)
    if template is None:
        template = _load(alg)
    return template.copy()


def _load(alg: str) -> Any:
    if alg not in ALGORITHMS:
        raise UnsupportedAlgorithm("alg_unknown", alg=alg)
    try:
        empty = hashlib.new(alg)
    except ValueError:
        raise UnsupportedAlgorithm("sm3_unavailable") from None
    # Copying a prepared context is much cheaper than creating one: OpenSSL 3 looks the
    # algorithm up on every hashlib.new() call.
    leaf = empty.copy()
    leaf.update(LEAF_PREFIX)
    node = empty.copy()
    node.update(NODE_PREFIX)
    _EMPTY[alg], _LEAF[alg], _NODE[alg] = empty, leaf, node
    return empty


def empty_root(alg: str) -> bytes:
    """``MTH([]) = H("")``."""
    return bytes(new_hasher(alg).digest())


def leaf_hash(alg: str, data: Any) -> bytes:
    """``H(0x00 || data)``; ``data`` is any bytes-like object."""
    if alg not in _LEAF:
        _load(alg)
    h = _LEAF[alg].copy()
    h.update(data)
    return bytes(h.digest())


def node_hash(alg: str, left: bytes, right: bytes) -> bytes:
    """``H(0x01 || left || right)``."""
    if alg not in _NODE:
        _load(alg)
    h = _NODE[alg].copy()
    h.update(left)
    h.update(right)
    return bytes(h.digest())


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (``n > 1``)."""
    return 1 << ((n - 1).bit_length() - 1)


class TreeBuilder:
    """Computes the root of a growing list of leaves in O(log n) memory.

    ``add_leaf_hash`` takes leaf hashes in order. It also accepts the roots of consecutive
    perfect subtrees of equal size followed by at most one smaller final subtree, which is how the
    file hash folds the roots of chunk segments computed in parallel.
    """

    __slots__ = ("_alg", "_stack", "size")

    def __init__(self, alg: str) -> None:
        new_hasher(alg)  # fail early on an unknown algorithm
        self._alg = alg
        self._stack: list[bytes] = []
        self.size = 0

    def add_leaf_hash(self, h: bytes) -> None:
        stack = self._stack
        stack.append(h)
        # Each trailing one bit of the old size is a complete subtree to merge with.
        n = self.size
        while n & 1:
            right = stack.pop()
            stack[-1] = node_hash(self._alg, stack[-1], right)
            n >>= 1
        self.size += 1

    @property
    def stack(self) -> tuple[bytes, ...]:
        """The roots of the complete subtrees so far, largest first: one per 1 bit of ``size``.

        With ``size`` this is the builder's whole state (see :meth:`restore`).
        """
        return tuple(self._stack)

    @classmethod
    def restore(cls, alg: str, size: int, stack: Sequence[bytes]) -> TreeBuilder:
        """A builder that carries on from ``size`` leaves whose subtree roots are ``stack``."""
        expected = bin(size).count("1")  # int.bit_count() needs Python 3.10
        if size < 0 or len(stack) != expected:
            raise ValueError(f"a tree of {size} leaves has {expected} subtree roots")
        if any(len(h) != DIGEST_SIZE for h in stack):
            raise ValueError(f"subtree roots are {DIGEST_SIZE} bytes each")
        builder = cls(alg)
        builder._stack = [bytes(h) for h in stack]
        builder.size = size
        return builder

    def root(self) -> bytes:
        stack = self._stack
        if not stack:
            return empty_root(self._alg)
        h = stack[-1]
        for left in reversed(stack[:-1]):
            h = node_hash(self._alg, left, h)
        return h


def root_from_leaf_hashes(alg: str, leaf_hashes: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash of a list of leaf hashes."""
    builder = TreeBuilder(alg)
    for h in leaf_hashes:
        builder.add_leaf_hash(h)
    return builder.root()


def mth(alg: str, leaves: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash over leaf *data* (RFC 9162 section 2.1.1)."""
    return root_from_leaf_hashes(alg, [leaf_hash(alg, d) for d in leaves])


def inclusion_proof(alg: str, leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path of leaf ``index`` (RFC 9162 section 2.1.3.1), leaf upward."""
    return inclusion_path(index, len(leaf_hashes), _list_subtree(alg, leaf_hashes))


def consistency_proof(alg: str, leaf_hashes: Sequence[bytes], old_size: int) -> list[bytes]:
    """The consistency proof from ``old_size`` to ``len(leaf_hashes)`` (RFC 9162 2.1.4.1)."""
    return consistency_path(old_size, len(leaf_hashes), _list_subtree(alg, leaf_hashes))


def _list_subtree(alg: str, leaf_hashes: Sequence[bytes]) -> Callable[[int, int], bytes]:
    return lambda lo, hi: root_from_leaf_hashes(alg, leaf_hashes[lo:hi])


def inclusion_path(index: int, size: int, subtree: Callable[[int, int], bytes]) -> list[bytes]:
    """The audit path of leaf ``index`` in a tree of ``size`` leaves, leaf upward.

    ``subtree(lo, hi)`` returns the hash of the RFC 6962 subtree over leaves ``lo..hi-1``; it is
    only asked for the subtrees that the RFC 9162 section 2.1.3.1 recursion names, so a store of
    perfect subtrees (such as tlog tiles) can answer it without reading every leaf.
    """
    if not 0 <= index < size:
        raise IndexError(f"leaf index {index} out of range for {size} leaves")
    path: list[bytes] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            path.append(subtree(lo + k, hi))
            hi = lo + k
        else:
            path.append(subtree(lo, lo + k))
            lo = lo + k
    path.reverse()
    return path


def consistency_path(old_size: int, size: int, subtree: Callable[[int, int], bytes]) -> list[bytes]:
    """The consistency proof from ``old_size`` to ``size`` (RFC 9162 2.1.4.1).

    ``subtree`` is as for :func:`inclusion_path`.
    """
    if not 0 <= old_size <= size:
        raise IndexError(f"old size {old_size} out of range for {size} leaves")
    if old_size in (0, size):
        return []
    proof: list[bytes] = []
    lo, hi, m, complete = 0, size, old_size, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            proof.append(subtree(lo + k, hi))
            hi = lo + k
        else:
            proof.append(subtree(lo, lo + k))
            lo, m, complete = lo + k, m - k, False
    if not complete:
        proof.append(subtree(lo, hi))
    proof.reverse()
    return proof


def _check_hashes(what: Text, proof: Sequence[bytes]) -> None:
    for position, h in enumerate(proof, 1):
        if len(h) != DIGEST_SIZE:
            raise VerificationError(
                "proof_hash_length", what=what, position=position, got=len(h), want=DIGEST_SIZE
            )


def _inclusion_length(index: int, size: int) -> int:
    """The number of hashes in the audit path of ``index`` in a tree of ``size`` leaves."""
    inner = (index ^ (size - 1)).bit_length()
    border = bin(index >> inner).count("1")
    return inner + border


def verify_inclusion(
    alg: str,
    *,
    index: int,
    tree_size: int,
    leaf_hash: bytes,
    proof: Sequence[bytes],
    root: bytes,
) -> None:
    """Check that ``leaf_hash`` is leaf ``index`` of the tree of ``tree_size`` with ``root``.

    RFC 9162 section 2.1.3.2. Returns nothing; raises :class:`VerificationError`.
    """
    if not 0 <= index < tree_size:
        raise VerificationError("inclusion_index", index=index, size=tree_size)
    want = _inclusion_length(index, tree_size)
    if len(proof) != want:
        raise VerificationError("proof_length", what=INCLUSION, got=len(proof), want=want)
    _check_hashes(INCLUSION, [leaf_hash, root, *proof])
    fn, sn, r = index, tree_size - 1, leaf_hash
    for p in proof:
        if fn & 1 or fn == sn:
            r = node_hash(alg, p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(alg, r, p)
        fn >>= 1
        sn >>= 1
    if r != root:
        raise VerificationError("proof_root", what=INCLUSION, computed=r.hex(), expected=root.hex())


def verify_consistency(
    alg: str,
    *,
    old_size: int,
    new_size: int,
    old_root: bytes,
    new_root: bytes,
    proof: Sequence[bytes],
) -> None:
    """Check that the tree (``new_size``, ``new_root``) extends (``old_size``, ``old_root``).

    RFC 9162 section 2.1.4.2, plus the size-0 rule in the module docstring. Returns nothing;
    raises :class:`VerificationError`.
    """
    if old_size < 0 or old_size > new_size:
        raise VerificationError("consistency_sizes", old_size=old_size, new_size=new_size)
    if old_size in (0, new_size):
        _verify_trivial_consistency(
            alg,
            old_size=old_size,
            new_size=new_size,
            old_root=old_root,
            new_root=new_root,
            proof=proof,
        )
        return
    # The old tree is a complete subtree exactly when old_size is a power of two: its root is
    # then the first hash and the proof omits it.
    want = _consistency_length(old_size, new_size)
    if len(proof) != want:
        raise VerificationError("proof_length", what=CONSISTENCY, got=len(proof), want=want)
    _check_hashes(CONSISTENCY, [old_root, new_root, *proof])
    hashes = list(proof)
    if old_size & (old_size - 1) == 0:
        hashes.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = hashes[0]
    for c in hashes[1:]:
        if fn & 1 or fn == sn:
            fr = node_hash(alg, c, fr)
            sr = node_hash(alg, c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(alg, sr, c)
        fn >>= 1
        sn >>= 1
    if fr != old_root:
        raise VerificationError(
            "proof_root", what=CONSISTENCY, computed=fr.hex(), expected=old_root.hex()
        )
    if sr != new_root:
        raise VerificationError(
            "proof_root", what=CONSISTENCY, computed=sr.hex(), expected=new_root.hex()
        )


def _verify_trivial_consistency(
    alg: str,
    *,
    old_size: int,
    new_size: int,
    old_root: bytes,
    new_root: bytes,
    proof: Sequence[bytes],
) -> None:
    """Equal sizes (the roots must be equal) or size 0 (the old root is the empty tree's)."""
    if proof:
        raise VerificationError("proof_length", what=CONSISTENCY, got=len(proof), want=0)
    if old_size == new_size and old_root != new_root:
        raise VerificationError(
            "proof_root", what=CONSISTENCY, computed=old_root.hex(), expected=new_root.hex()
        )
    empty = empty_root(alg)
    if old_size == 0 and old_root != empty:
        raise VerificationError(
            "proof_root", what=CONSISTENCY, computed=old_root.hex(), expected=empty.hex()
        )


def _consistency_length(old_size: int, new_size: int) -> int:
    """The number of hashes in a consistency proof between two sizes (0 < old < new)."""
    inner = ((old_size - 1) ^ (new_size - 1)).bit_length()
    trailing = (old_size & -old_size).bit_length() - 1
    border = bin((old_size - 1) >> inner).count("1")
    start = 0 if old_size & (old_size - 1) == 0 else 1
    return inner - trailing + border + start
