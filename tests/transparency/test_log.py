"""The log: sequencing, checkpoints, tiles over HTTP, proofs, audit."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import shutil
import subprocess

import pytest
from tests.core import reference

from dataip.core.errors import InputError
from dataip.core.tiles import TiledTree
from dataip.transparency import selectors
from dataip.transparency.keys import log_signer, time_stamping
from dataip.transparency.models import Checkpoint, LogEntry, LogTile, PendingStatement
from dataip.transparency.services import log_integrate

from . import tlog_client

pytestmark = pytest.mark.django_db


def _fetch(client):
    def fetch(path: str) -> tuple[int, bytes]:
        response = client.get("/log/" + path)
        return response.status_code, response.content

    return fetch


def test_statements_become_leaves_in_order_with_one_checkpoint_per_batch(append):
    leaves = append(3)
    assert [e.leaf_hash for e in LogEntry.objects.order_by("index")] == leaves
    for entry in LogEntry.objects.all():
        assert hashlib.sha256(b"\x00" + entry.statement.encode()).hexdigest() == entry.leaf_hash
        assert entry.statement == json.dumps(
            json.loads(entry.statement), separators=(",", ":"), sort_keys=True
        )
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [3]
    append(2)
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [3, 5]
    assert not PendingStatement.objects.exists()
    hashes = [bytes.fromhex(h) for h in LogEntry.objects.values_list("leaf_hash", flat=True)]
    assert Checkpoint.objects.get(size=5).root == reference.root_of_hashes("sha256", hashes).hex()


def test_nothing_pending_publishes_nothing(db):
    assert log_integrate() is None
    assert not Checkpoint.objects.exists()


def test_batches_are_limited(append, settings):
    settings.DATAIP_LOG_BATCH = 4
    append(10)
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [4, 8, 10]


def test_a_whole_log_read_by_an_independent_tlog_tiles_client(append, client):
    append(300)
    append(70_000 - 300)
    log = tlog_client.read_log(_fetch(client), log_signer().vkey)
    assert log.size == 70_000
    assert json.loads(log.entries[299]) == {"n": 299, "type": "test/v1"}
    # A level-2 tile exists once 65,536 leaves are in.
    assert LogTile.objects.filter(level=2).exists()
    # Three levels in the database: the edge tiles the proof query computes reach level 2.
    rng = random.Random(70_000)  # noqa: S311 - reproducible indices, not secrets
    sizes = [65_535, 65_536, 65_537, 65_792, 69_999, 70_000, *rng.sample(range(1, 70_001), 6)]
    _assert_same_as_tile_by_tile([(s, i) for s in sizes for i in {0, s - 1, rng.randrange(s)}])


def test_tiles_and_checkpoint_responses(append, client):
    append(300)
    full = client.get("/log/tile/0/000")
    assert full.status_code == 200 and len(full.content) == 256 * 32
    assert "immutable" in full["Cache-Control"]
    partial = client.get("/log/tile/0/001.p/44")
    assert partial.status_code == 200 and len(partial.content) == 44 * 32
    assert client.get("/log/tile/0/001.p/10").content == partial.content[: 10 * 32]
    for missing in (
        "tile/0/001",
        "tile/0/001.p/45",
        "tile/0/002.p/1",
        "tile/1/000",
        "tile/1/000.p/2",
        "tile/entries/001.p/45",
        "tile/0/x000/001",
        "tile/0/1",
        "tile/0/001.p/0",
        "tile/0/000.p/256",
        "tile/abc",
    ):
        assert client.get("/log/" + missing).status_code == 404, missing
    assert client.get("/log/tile/1/000.p/1").content == reference.root_of_hashes(
        "sha256",
        [bytes.fromhex(h) for h in LogEntry.objects.values_list("leaf_hash", flat=True)[:256]],
    )
    checkpoint = client.get("/log/checkpoint")
    assert checkpoint["Content-Type"].startswith("text/plain")
    assert checkpoint["Cache-Control"] == "no-cache"
    assert checkpoint.content.decode().startswith("dataip.localhost/log\n300\n")
    assert client.get("/log/key").content.decode() == log_signer().vkey + "\n"


def test_an_empty_log(db, client):
    assert client.get("/log/checkpoint").status_code == 404
    assert client.get("/log/tile/0/000.p/1").status_code == 404
    assert client.get("/api/v1/log/checkpoint").status_code == 404


def test_inclusion_and_consistency_proofs_over_the_api(append, client):
    append(5)
    append(6)
    hashes = [bytes.fromhex(h) for h in LogEntry.objects.values_list("leaf_hash", flat=True)]
    r = client.get("/api/v1/log/proof/inclusion", {"index": 3, "tree_size": 5})
    assert r.status_code == 200
    assert r.json()["hashes"] == [h.hex() for h in reference.audit_path("sha256", hashes[:5], 3)]
    r = client.get("/api/v1/log/proof/inclusion", {"leaf_hash": hashes[7].hex()})
    assert r.json()["index"] == 7 and r.json()["tree_size"] == 11
    root = bytes.fromhex(client.get("/api/v1/log/checkpoint").json()["root"])
    assert reference.inclusion_ok(
        "sha256", 7, 11, hashes[7], [bytes.fromhex(h) for h in r.json()["hashes"]], root
    )
    r = client.get("/api/v1/log/proof/consistency", {"first": 5, "second": 11})
    assert r.json()["hashes"] == [h.hex() for h in reference.consistency_path("sha256", hashes, 5)]
    assert client.get("/api/v1/log/checkpoints/5").json()["size"] == 5
    assert client.get("/api/v1/log/checkpoints/6").status_code == 404
    assert client.get(f"/api/v1/log/checkpoints/{2**70}").status_code == 404
    assert client.get(f"/api/v1/log/entries/{2**70}").status_code == 404
    assert client.get("/api/v1/log/proof/inclusion", {"index": 2**70}).status_code == 400
    assert (
        client.get(f"/log/tile/0/x{'9' * 3}/x999/x999/x999/x999/x999/x999/001").status_code == 404
    )
    entry = client.get("/api/v1/log/entries/10").json()
    assert entry["statement"]["type"] == "test/v1" and entry["leaf_hash"] == hashes[10].hex()


def _assert_same_as_tile_by_tile(pairs: list[tuple[int, int]]) -> None:
    """The proofs the selectors serve equal those of the tree read one tile per query."""
    published = selectors.published_size()
    by_tile = TiledTree(published, selectors.tile_reader())
    for size, index in pairs:
        expected = (index, size, by_tile.leaf_hash(index), by_tile.inclusion_proof(index, size))
        proof = selectors.inclusion_proof(index=index, tree_size=size)
        assert (proof.index, proof.tree_size, proof.leaf_hash, proof.hashes) == expected
        first = index + 1  # a consistency proof from a size beside it
        assert selectors.consistency_proof(first=first, second=size) == (
            first,
            size,
            by_tile.consistency_proof(first, size),
        )
        if size == published:
            proof = selectors.inclusion_proof(index=index)
            assert (proof.index, proof.tree_size, proof.leaf_hash, proof.hashes) == expected
            assert selectors.consistency_proof(first=first)[2] == by_tile.consistency_proof(
                first, size
            )


def test_proofs_from_one_query_equal_the_tile_by_tile_ones(append):
    # Checkpoints at 300, 1,000 and 3,000 leaves: partial tiles at both levels, stored tiles
    # wider than those of the smaller trees.
    append(300)
    append(700)
    append(2_000)
    rng = random.Random(9162)  # noqa: S311 - reproducible indices, not secrets
    sizes = {1, 2, 255, 256, 257, 299, 300, 511, 512, 513, 1_000, 2_816, 2_999, 3_000}
    sizes |= {rng.randint(1, 3_000) for _ in range(40)}
    pairs = [(s, i) for s in sorted(sizes) for i in {0, s - 1, rng.randrange(s)}]
    _assert_same_as_tile_by_tile(pairs)
    hashes = [bytes.fromhex(h) for h in LogEntry.objects.values_list("leaf_hash", flat=True)]
    for size, index in pairs[::20]:
        proof = selectors.inclusion_proof(index=index, tree_size=size)
        assert proof.hashes == reference.audit_path("sha256", hashes[:size], index)


def test_a_proof_is_one_query(append, django_assert_max_num_queries):
    leaves = append(700)
    with django_assert_max_num_queries(1):
        selectors.inclusion_proof(index=400)
    with django_assert_max_num_queries(1):
        selectors.inclusion_proof(index=400, tree_size=600)
    with django_assert_max_num_queries(1):
        selectors.consistency_proof(first=300)
    with django_assert_max_num_queries(1):
        selectors.consistency_proof(first=300, second=513)
    with django_assert_max_num_queries(2):  # the entry, then the proof
        assert selectors.inclusion_proof(leaf_hash=leaves[400]).index == 400


def test_proofs_of_an_empty_log_and_of_lost_tiles(db, append):
    with pytest.raises(InputError) as error:
        selectors.inclusion_proof(index=0)
    assert error.value.code == "log_tree_size"
    assert selectors.consistency_proof(first=0) == (0, 0, [])
    append(300)
    # A tile lost from the database fails the proof as reading it tile by tile does.
    LogTile.objects.filter(level=0, index=1).delete()
    by_tile = TiledTree(300, selectors.tile_reader())
    with pytest.raises(LookupError, match="tile 0/1 holds 0 hashes"):
        by_tile.inclusion_proof(3, 300)  # needs a node of the lost tile
    with pytest.raises(LookupError, match="tile 0/1 holds 0 hashes"):
        by_tile.leaf_hash(260)  # a leaf hash in it
    for index in (3, 260):
        with pytest.raises(LookupError, match="tile 0/1 holds 0 hashes"):
            selectors.inclusion_proof(index=index)


@pytest.mark.parametrize(
    ("path", "params", "code"),
    [
        ("inclusion", {"index": 11}, "log_index_range"),
        ("inclusion", {"index": 3, "tree_size": 12}, "log_tree_size"),
        ("inclusion", {"index": 0, "tree_size": 0}, "log_tree_size"),
        ("inclusion", {"index": -1}, "log_index_range"),
        ("inclusion", {}, "log_proof_leaf"),
        ("inclusion", {"index": 1, "leaf_hash": "00" * 32}, "log_proof_leaf"),
        ("inclusion", {"leaf_hash": "00" * 32}, "log_leaf_unknown"),
        ("consistency", {"first": 12}, "log_consistency_range"),
        ("consistency", {"first": 5, "second": 4}, "log_consistency_range"),
        ("consistency", {"first": -1}, "log_consistency_range"),
    ],
)
def test_bad_proof_requests_are_400s(append, client, path, params, code):
    append(11)
    r = client.get(f"/api/v1/log/proof/{path}", params)
    assert r.status_code == 400
    assert r.json()["code"] == code
    english = client.get(f"/api/v1/log/proof/{path}", params, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["detail"].isascii()


def test_malformed_proof_parameters_are_4xx(append, client):
    append(2)
    assert client.get("/api/v1/log/proof/inclusion", {"index": "x"}).status_code == 422
    assert client.get("/api/v1/log/proof/inclusion", {"leaf_hash": "zz"}).status_code == 422
    assert client.get("/api/v1/log/entries/2").status_code == 404


def test_every_checkpoint_is_time_stamped_and_openssl_accepts_the_token(append, client, tmp_path):
    append(2)
    cp = Checkpoint.objects.get()
    assert cp.timestamp is not None and cp.timestamped_at is not None
    api = client.get("/api/v1/log/checkpoint").json()
    assert base64.b64decode(api["timestamp"]) == bytes(cp.timestamp)
    openssl = shutil.which("openssl")
    assert openssl, "openssl is needed to check time stamps independently"
    (tmp_path / "note").write_bytes(cp.note.encode())
    (tmp_path / "token.der").write_bytes(bytes(cp.timestamp))
    chain = client.get("/log/tsa.pem").content.decode()
    assert chain == time_stamping().chain_pem
    certs = chain.split("-----END CERTIFICATE-----\n")
    (tmp_path / "tsa.pem").write_text(certs[0] + "-----END CERTIFICATE-----\n")
    (tmp_path / "ca.pem").write_text(certs[1] + "-----END CERTIFICATE-----\n")

    def openssl_verify() -> subprocess.CompletedProcess[str]:
        command = ["ts", "-verify", "-token_in", "-in", "token.der", "-data", "note"]
        command += ["-CAfile", "ca.pem", "-untrusted", "tsa.pem"]
        return subprocess.run(
            [openssl, *command], cwd=tmp_path, capture_output=True, text=True, check=False
        )

    result = openssl_verify()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Verification: OK" in result.stdout
    (tmp_path / "note").write_bytes(cp.note.encode() + b" ")
    assert openssl_verify().returncode != 0


def test_a_checkpoint_signature_verifies_independently(append):
    append(1)
    cp = Checkpoint.objects.get()
    origin, size, root = tlog_client.verify_checkpoint(cp.note, log_signer().vkey)
    assert (origin, size, root.hex()) == ("dataip.localhost/log", 1, cp.root)


# --- the audit ------------------------------------------------------------------------------


def _audit():
    from dataip.transparency.keys import log_verifiers

    return selectors.log_audit(verifiers=log_verifiers(), trusted=time_stamping().certificates[-1:])


def test_audit_passes_on_an_intact_log(append):
    append(300)
    append(3)
    report = _audit()
    assert report.problems == []
    assert (report.leaves, report.checkpoints, report.timestamps) == (303, 2, 2)


def test_audit_names_an_edited_statement(append):
    append(20)
    entry = LogEntry.objects.get(index=7)
    edited = entry.statement.replace('"n":7', '"n":8')
    LogEntry.objects.filter(index=7).update(statement=edited)
    problems = _audit().problems
    assert any("leaf 7:" in p and "edited" in p for p in problems), problems


def test_audit_catches_an_edit_that_also_rewrote_the_leaf_hash_and_tile(append):
    append(20)
    edited = LogEntry.objects.get(index=7).statement.replace('"n":7', '"n":999')
    new_leaf = hashlib.sha256(b"\x00" + edited.encode()).digest()
    LogEntry.objects.filter(index=7).update(statement=edited, leaf_hash=new_leaf.hex())
    tile = LogTile.objects.get(level=0, index=0)
    data = bytearray(tile.data)
    data[7 * 32 : 8 * 32] = new_leaf
    LogTile.objects.filter(pk=tile.pk).update(data=bytes(data))
    problems = _audit().problems
    assert any("size 20: its root differs" in p for p in problems), problems


def test_audit_names_a_removed_row(append):
    append(20)
    LogEntry.objects.filter(index=12).delete()
    problems = _audit().problems
    assert any("leaves 12 to 12 are missing" in p for p in problems), problems


def test_audit_names_removed_tail_rows(append):
    append(10)
    append(10)
    LogEntry.objects.filter(index__gte=15).delete()
    problems = _audit().problems
    assert any("checkpoint at size 20 is beyond the 15 leaves" in p for p in problems), problems


def test_audit_catches_a_forged_checkpoint(append):
    append(5)
    cp = Checkpoint.objects.get()
    Checkpoint.objects.filter(pk=cp.pk).update(note=cp.note.replace("\n5\n", "\n6\n", 1))
    problems = _audit().problems
    assert any("signature does not verify" in p for p in problems), problems


def test_audit_catches_a_swapped_time_stamp(append):
    append(5)
    append(5)
    first, second = Checkpoint.objects.order_by("size")
    assert second.timestamp is not None
    Checkpoint.objects.filter(pk=first.pk).update(timestamp=bytes(second.timestamp))
    problems = _audit().problems
    assert any("checkpoint at size 5: " in p and "time" in p.lower() for p in problems), problems


def test_the_audit_command(append, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    append(4)
    call_command("log_audit")
    assert "audit passed: 4 leaves, 1 checkpoints, 1 time stamps" in capsys.readouterr().out
    LogEntry.objects.filter(index=2).update(statement='{"n":99,"type":"test/v1"}')
    with pytest.raises(CommandError, match=r"audit FAILED: \d problem"):
        call_command("log_audit")
    assert "leaf 2:" in capsys.readouterr().err


def test_administrators_see_the_key_ids(append, admin_client):
    append(1)
    page = admin_client.get("/admin/transparency/checkpoint/")
    assert page.status_code == 200
    assert log_signer().vkey in page.content.decode()
    assert log_signer().key_id.hex() in page.content.decode()
    assert "SHA-256 " in page.content.decode()
