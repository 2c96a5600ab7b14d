"""Single-file proofs (``dataip-file-proof/1``, section 7 of docs/hash-format-v1.md).

In a dispute over one file, the holder shows that file and a proof that it belongs to the
registered dataset, without revealing any other file: the file's entry, its leaf index and the
RFC 6962 inclusion proof (RFC 9162 section 2.1.3) up to the dataset root, which the registration
records together with its check code.
"""

from __future__ import annotations

import bisect
import os
import unicodedata
from typing import Any

from dataip.core.documents import PROOF, Fields
from dataip.core.errors import InputError, VerificationError
from dataip.core.hashing import CHUNK_SIZE, check_code, file_entry, hash_file
from dataip.core.manifest import Manifest
from dataip.core.merkle import inclusion_proof, leaf_hash, verify_inclusion

PROOF_FORMAT = "dataip-file-proof/1"


def make_file_proof(manifest: Manifest, name: str) -> dict[str, Any]:
    """The proof that the file ``name`` belongs to the manifest's dataset.

    ``name`` is the file's name in the dataset; the platform's separator is accepted for ``/``.
    """
    wanted = unicodedata.normalize("NFC", name.replace(os.sep, "/"))
    keys = [r.name.encode("utf-8") for r in manifest.files]
    index = bisect.bisect_left(keys, wanted.encode("utf-8", "surrogateescape"))
    if index == len(keys) or manifest.files[index].name != wanted:
        raise InputError("name_not_in_manifest", name=name)
    alg = manifest.alg
    leaves = [leaf_hash(alg, file_entry(*r)) for r in manifest.files]
    record = manifest.files[index]
    return {
        "format": PROOF_FORMAT,
        "alg": alg,
        "chunk_size": CHUNK_SIZE,
        "root": manifest.root_hex,
        "check_code": manifest.check_code,
        "file_count": manifest.file_count,
        "total_bytes": manifest.total_bytes,
        "file": {"name": record.name, "size": record.size, "root": record.root.hex()},
        "index": index,
        "path": [h.hex() for h in inclusion_proof(alg, leaves, index)],
    }


def verify_file_proof(
    file_path: str | os.PathLike[str],
    proof: dict[str, Any],
    *,
    expected_root: str | None = None,
    source: str = "proof",
) -> None:
    """Check that the file at ``file_path`` is the file the proof proves, in the proven dataset.

    ``expected_root`` is the hash value the dataset is registered with, when the caller has it.
    Returns nothing; raises :class:`ManifestError` for a malformed proof and
    :class:`VerificationError` saying exactly what does not match. ``source`` names the proof in
    messages.
    """
    fields = Fields(proof, PROOF, source)
    alg, root, recorded_code, file_count, total_bytes = fields.dataset_header(PROOF_FORMAT)
    file_fields = fields.object("file")
    name = file_fields.name("name")
    size = file_fields.integer("size")
    file_root = file_fields.hex64("root")
    index = fields.integer("index")
    path: list[bytes] = []
    for i, element in enumerate(fields.array("path")):
        key = f"path[{i}]"
        path.append(Fields({key: element}, PROOF, source).hex64(key))

    if expected_root is not None and expected_root.lower() != root.hex():
        raise VerificationError("proof_root_mismatch", root=root.hex(), expected=expected_root)
    computed_code = check_code(alg, root.hex(), file_count, total_bytes)
    if computed_code != recorded_code:
        raise VerificationError(
            "check_code_mismatch", recorded=recorded_code, computed=computed_code
        )
    verify_inclusion(
        alg,
        index=index,
        tree_size=file_count,
        leaf_hash=leaf_hash(alg, file_entry(name, size, file_root)),
        proof=path,
        root=root,
    )
    actual_size, actual_root = hash_file(file_path, alg)
    if actual_size != size:
        raise VerificationError(
            "proof_file_mismatch", field="size", expected=size, actual=actual_size
        )
    if actual_root != file_root:
        raise VerificationError(
            "proof_file_mismatch", field="root", expected=file_root.hex(), actual=actual_root.hex()
        )
