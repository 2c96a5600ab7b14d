"""``/api/v1/log/``: the log's checkpoint, entries and proofs as JSON (public)."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from dataip.core.checkpoint import Checkpoint as CheckpointBody
from dataip.core.note import parse_note
from dataip.transparency import selectors

router = Router(tags=["log"])


class CheckpointOut(Schema):
    origin: str
    size: int
    root: str = Field(description="Tree hash, lower-case hex")
    note: str = Field(description="The signed checkpoint (c2sp.org/tlog-checkpoint)")
    published_at: datetime
    timestamp: str | None = Field(description="RFC 3161 token over SHA-256(note), base64 DER")
    timestamped_at: datetime | None


class EntryOut(Schema):
    index: int
    leaf_hash: str
    statement: dict[str, Any]
    integrated_at: datetime


class InclusionOut(Schema):
    index: int
    tree_size: int
    leaf_hash: str
    hashes: list[str] = Field(description="Audit path, leaf upward, lower-case hex")


class ConsistencyOut(Schema):
    first: int
    second: int
    hashes: list[str]


class InclusionQuery(Schema):
    tree_size: int | None = Field(None, description="Default: the latest checkpoint's size")
    index: int | None = None
    leaf_hash: str | None = Field(None, pattern="^[0-9a-fA-F]{64}$")


class ConsistencyQuery(Schema):
    first: int
    second: int | None = Field(None, description="Default: the latest checkpoint's size")


def _checkpoint_out(cp: Any) -> CheckpointOut:
    body = CheckpointBody.parse(parse_note(cp.note)[0])
    token = bytes(cp.timestamp) if cp.timestamp is not None else None
    return CheckpointOut(
        origin=body.origin,
        size=cp.size,
        root=cp.root,
        note=cp.note,
        published_at=cp.published_at,
        timestamp=base64.b64encode(token).decode() if token else None,
        timestamped_at=cp.timestamped_at,
    )


@router.get("/checkpoint", response=CheckpointOut, summary="The latest checkpoint")
def checkpoint_latest(request: HttpRequest) -> CheckpointOut:
    cp = selectors.checkpoint_latest()
    if cp is None:
        raise HttpError(404, "日志为空 / the log is empty")
    return _checkpoint_out(cp)


@router.get("/checkpoints/{size}", response=CheckpointOut, summary="The checkpoint at a size")
def checkpoint_at(request: HttpRequest, size: int) -> CheckpointOut:
    cp = selectors.checkpoint_at(size) if 0 < size <= selectors.published_size() else None
    if cp is None:
        raise HttpError(404, f"没有大小为 {size} 的检查点 / no checkpoint at size {size}")
    return _checkpoint_out(cp)


@router.get("/entries/{index}", response=EntryOut, summary="One entry of the log")
def entry(request: HttpRequest, index: int) -> EntryOut:
    found = selectors.entry_at(index)
    if found is None:
        raise HttpError(404, f"日志中没有第 {index} 条 / no entry {index} in the log")
    return EntryOut(
        index=found.index,
        leaf_hash=found.leaf_hash,
        statement=json.loads(found.statement),
        integrated_at=found.integrated_at,
    )


@router.get("/proof/inclusion", response=InclusionOut, summary="Inclusion proof")
def inclusion(request: HttpRequest, query: Query[InclusionQuery]) -> InclusionOut:
    """By ``index`` or ``leaf_hash``, in the tree of ``tree_size`` leaves (RFC 9162 2.1.3)."""
    proof = selectors.inclusion_proof(
        tree_size=query.tree_size, index=query.index, leaf_hash=query.leaf_hash
    )
    return InclusionOut(
        index=proof.index,
        tree_size=proof.tree_size,
        leaf_hash=proof.leaf_hash.hex(),
        hashes=[h.hex() for h in proof.hashes],
    )


@router.get("/proof/consistency", response=ConsistencyOut, summary="Consistency proof")
def consistency(request: HttpRequest, query: Query[ConsistencyQuery]) -> ConsistencyOut:
    """Between tree sizes ``first`` and ``second`` (RFC 9162 2.1.4)."""
    first, second, hashes = selectors.consistency_proof(first=query.first, second=query.second)
    return ConsistencyOut(first=first, second=second, hashes=[h.hex() for h in hashes])
