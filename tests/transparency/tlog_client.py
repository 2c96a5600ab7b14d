"""An independent tlog-tiles client, written from the C2SP specifications alone.

It shares no code with dataip: it parses and verifies the signed checkpoint itself (Ed25519 via
``cryptography``), builds tile paths itself, and recomputes the tree with the test suite's
reference Merkle implementation. ``read_log`` fetches the whole log and checks every tile and
entry bundle against the checkpoint, as any tlog-tiles client must be able to.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from tests.core import reference

Fetch = Callable[[str], tuple[int, bytes]]  # path under /log/ -> (status, body)


@dataclass
class Log:
    origin: str
    size: int
    root: bytes
    entries: list[bytes]


def tile_path(level: int | str, index: int, width: int = 256) -> str:
    """c2sp.org/tlog-tiles: N as 3-digit elements, all but the last prefixed with "x"."""
    digits = f"{index:03d}"
    digits = "0" * (-len(digits) % 3) + digits
    parts = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    encoded = "/".join(["x" + p for p in parts[:-1]] + parts[-1:])
    suffix = "" if width == 256 else f".p/{width}"
    return f"tile/{level}/{encoded}{suffix}"


def verify_checkpoint(note: str, vkey: str) -> tuple[str, int, bytes]:
    """Check the Ed25519 signature of ``vkey`` on the note; return (origin, size, root)."""
    name, key_id_hex, key_b64 = vkey.split("+", 2)
    key = base64.b64decode(key_b64)
    assert key[0] == 1 and len(key) == 33
    key_id = hashlib.sha256(name.encode() + b"\n" + key).digest()[:4]
    assert key_id.hex() == key_id_hex
    text, _, signatures = note.partition("\n\n")
    text += "\n"
    verified = False
    for line in signatures.splitlines():
        assert line.startswith("\u2014 "), line
        signer, sig_b64 = line[2:].split(" ")
        sig = base64.b64decode(sig_b64)
        if signer == name and sig[:4] == key_id:
            Ed25519PublicKey.from_public_bytes(key[1:]).verify(sig[4:], text.encode())
            verified = True
    assert verified, "no signature by the log's key"
    origin, size, root_b64, *_extensions = text.splitlines()
    assert origin == name
    return origin, int(size), base64.b64decode(root_b64)


def _tile(fetch: Fetch, level: int | str, index: int, width: int) -> bytes:
    status, body = fetch(tile_path(level, index, width))
    assert status == 200, (tile_path(level, index, width), status)
    return body


def read_log(fetch: Fetch, vkey: str) -> Log:
    """Fetch and verify the whole log."""
    status, note = fetch("checkpoint")
    assert status == 200
    origin, size, root = verify_checkpoint(note.decode(), vkey)
    # Level 0 tiles: the leaf hashes; entry bundles: the leaves.
    leaf_hashes: list[bytes] = []
    entries: list[bytes] = []
    for index in range((size + 255) // 256):
        width = min(256, size - index * 256)
        data = _tile(fetch, 0, index, width)
        assert len(data) == 32 * width
        leaf_hashes += [data[i : i + 32] for i in range(0, len(data), 32)]
        bundle = _tile(fetch, "entries", index, width)
        while bundle:
            n = int.from_bytes(bundle[:2], "big")
            entries.append(bundle[2 : 2 + n])
            bundle = bundle[2 + n :]
    assert len(entries) == size
    for i, entry in enumerate(entries):
        assert reference.leaf_hash("sha256", entry) == leaf_hashes[i], f"entry {i}"
    assert reference.root_of_hashes("sha256", leaf_hashes) == root
    # Higher levels: each hash is the root of 256 hashes of the level below.
    below, level = leaf_hashes, 1
    while len(below) >= 256:
        nodes = [
            reference.root_of_hashes("sha256", below[i : i + 256])
            for i in range(0, len(below) - 255, 256)
        ]
        for index in range((len(nodes) + 255) // 256):
            width = min(256, len(nodes) - index * 256)
            assert _tile(fetch, level, index, width) == b"".join(
                nodes[index * 256 : index * 256 + width]
            )
        below, level = nodes, level + 1
    return Log(origin, size, root, entries)
