#!/usr/bin/env python3
"""Benchmark uploads of files to hash: one request, resumable, and resumable after a break.

Usage (from the repository root):

    .venv/bin/python scripts/bench_upload.py [--quick] [--strict] [--size-mib N] [--reps N]

One run, side by side on the same file of random bytes (docs/benchmarks.md, "Uploads"):

  openssl     ``openssl dgst -sm3 FILE``: the hashing alone, no HTTP, one core (the floor)
  tool        ``dataip hash FILE``: the offline tool on the same file
  one-request ``curl -F file=@FILE .../api/v1/evidence/upload``: hashed while it streams
  resumable   POST .../uploads, PATCH pieces of 32 MiB over one keep-alive connection, complete
                                              target: time resumable / one-request <= 1.5
  break       resumable, with the connection dropped in the middle of the piece that reaches
              half the file, then HEAD and the rest: bytes sent / file size
                                              target <= 1 + 1 MiB / size (at most 1 MiB again)
  memory      peak RSS of the web server's worker processes during each upload, minus their
              RSS before it                   target <= 64 MB for any size

The platform runs as ``dataip serve`` (gunicorn, SQLite, a scratch data directory, no task
worker). MB means 10^6 bytes; MB/s is file bytes divided by wall time. Exit status: 0 even when a
target fails (benchmarks inform), 1 with --strict when one fails, 2 when the benchmark could not
run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MIB = 1 << 20
MB = 1_000_000
PIECE = 32 * MIB  # as the evidence page sends them
# A resumable upload waits for each piece's answer (its new offset) before sending the next, and
# writes the hash state once per piece: one round trip and one small transaction per 32 MiB.
TARGET_RATIO = 1.5
TARGET_RSS = 64 * MB
CURL = shutil.which("curl") or "curl"
OPENSSL = shutil.which("openssl") or "openssl"
PS = shutil.which("ps") or "ps"


def log(message: str) -> None:
    print(f"[bench-upload] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_data(path: Path, size: int) -> None:
    if path.exists() and path.stat().st_size == size:
        return
    rng = random.Random(f"bench-upload-{size}")
    with path.open("wb") as out:
        left = size
        while left:
            block = min(left, MIB)
            out.write(rng.randbytes(block))
            left -= block


def rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def descendants(pid: int) -> list[int]:
    out = subprocess.run(
        [PS, "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False
    )
    children = [int(p) for p in out.stdout.split()]
    return children + [g for c in children for g in descendants(c)]


class Peak(threading.Thread):
    """Samples the summed RSS of the given processes every 20 ms until stopped."""

    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.pids = pids
        self.before = sum(rss(p) for p in pids)
        self.peak = self.before
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.02):
            self.peak = max(self.peak, sum(rss(p) for p in self.pids))

    def stop(self) -> int:
        self._done.set()
        self.join()
        return self.peak - self.before


class Server:
    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.env = {
            **os.environ,
            "DATAIP_DATA_DIR": str(data_dir),
            "DATABASE_URL": "",
            "DATAIP_UPLOAD_MAX_BYTES": str(64 << 30),
        }
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                *(str(BIN / "dataip"), "serve", "--addr", f"127.0.0.1:{self.port}"),
                *("--workers", "2", "--no-task-worker"),
            ],
            env=self.env,
            stdout=(data_dir / "serve.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/api/v1/health", timeout=2):  # noqa: S310
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise SystemExit(2)
        self.token = subprocess.run(
            [str(BIN / "dataip"), "manage", "shell", "-c", BENCH_USER_SCRIPT],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()[-1]

    def workers(self) -> list[int]:
        return descendants(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


BENCH_USER_SCRIPT = """
from dataip.accounts.models import User
from dataip.accounts import services
user, _ = User.objects.get_or_create(username="bench")
print(services.api_token_create(actor=user, name="bench")[1])
"""


class Api:
    """One keep-alive connection to the server, with the bench user's token."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
        self.conn.connect()
        # As browsers and curl do: without it, Nagle's algorithm and delayed ACKs hold each
        # request's last segment for ~40 ms.
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        head = {"Authorization": f"Bearer {self.server.token}", **(headers or {})}
        if isinstance(body, dict):
            body = json.dumps(body).encode()
            head["Content-Type"] = "application/json"
        self.conn.request(method, path, body=body, headers=head)
        response = self.conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()


def open_upload(api: Api, size: int, name: str) -> tuple[str, str]:
    status, _, body = api.call(
        "POST", "/api/v1/evidence/uploads", {"files": [{"name": name, "size": size}]}
    )
    if status != 201:
        raise SystemExit(f"open: {status} {body[:300]!r}")
    upload = json.loads(body)
    return upload["id"], upload["files"][0]["url"]


def send_from(api: Api, url: str, data: Path, offset: int, size: int) -> int:
    """PATCH pieces from ``offset`` to the end; returns the bytes sent."""
    sent = 0
    with data.open("rb") as f:
        while offset < size:
            f.seek(offset)
            piece = f.read(PIECE)
            status, headers, body = api.call(
                "PATCH",
                url,
                piece,
                {"Content-Type": "application/offset+octet-stream", "Upload-Offset": str(offset)},
            )
            if status != 204:
                raise SystemExit(f"patch: {status} {body[:300]!r}")
            sent += len(piece)
            offset = int(headers["Upload-Offset"])
    return sent


def complete(api: Api, upload_id: str) -> str:
    status, _, body = api.call("POST", f"/api/v1/evidence/uploads/{upload_id}/complete")
    if status not in {200, 201}:
        raise SystemExit(f"complete: {status} {body[:300]!r}")
    return str(json.loads(body)["root"])


def resumable(server: Server, data: Path, size: int) -> tuple[str, int]:
    api = Api(server)
    upload_id, url = open_upload(api, size, data.name)
    sent = send_from(api, url, data, 0, size)
    return complete(api, upload_id), sent


def with_break(server: Server, data: Path, size: int) -> tuple[str, int]:
    """Send the first half through a socket that is closed mid-piece, then resume."""
    api = Api(server)
    upload_id, url = open_upload(api, size, data.name)
    half = size // 2
    sent = send_from(api, url, data, 0, half - half % PIECE) if half >= PIECE else 0
    offset = sent
    cut = min(PIECE, size - offset) // 2 + 12345  # into the piece, past a few whole MiB
    with socket.create_connection(("127.0.0.1", server.port)) as sock, data.open("rb") as f:
        f.seek(offset)
        head = (
            f"PATCH {url} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {server.token}\r\n"
            "Content-Type: application/offset+octet-stream\r\n"
            f"Upload-Offset: {offset}\r\nContent-Length: {min(PIECE, size - offset)}\r\n\r\n"
        )
        sock.sendall(head.encode() + f.read(cut))
        sent += cut
        sock.shutdown(socket.SHUT_WR)
        sock.recv(1)
    _, headers, _ = api.call("HEAD", url)
    offset = int(headers["Upload-Offset"])
    sent += send_from(api, url, data, offset, size)
    return complete(api, upload_id), sent


def one_request(server: Server, data: Path) -> str:
    out = subprocess.run(
        [
            *(CURL, "-sS", "-H", f"Authorization: Bearer {server.token}"),
            *("-F", f"file=@{data};filename={data.name}"),
            f"{server.base}/api/v1/evidence/upload?alg=sm3",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return str(json.loads(out.stdout)["root"])


def timed(
    call: Callable[[], Any], reps: int, pids: list[int] | None = None
) -> tuple[float, Any, int]:
    """Best wall time of ``reps`` runs, the last result, the largest RSS increase."""
    best, result, grown = float("inf"), None, 0
    for _ in range(reps):
        peak = Peak(pids) if pids else None
        if peak:
            peak.start()
        start = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - start)
        if peak:
            grown = max(grown, peak.stop())
    return best, result, grown


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="256 MiB, one run each")
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--strict", action="store_true")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "bench-data")
    args = parser.parse_args()
    size = (256 if args.quick else args.size_mib) * MIB
    reps = 1 if args.quick else args.reps
    for tool in ("curl", "openssl"):
        if shutil.which(tool) is None:
            log(f"{tool} is needed")
            return 2
    args.data_dir.mkdir(parents=True, exist_ok=True)
    data = args.data_dir / f"upload-{size // MIB}MiB.bin"
    log(f"data: {data} ({size / MB:.0f} MB)")
    make_data(data, size)
    got = measure(data, size, reps)
    if got is None:
        return 2
    passed = report(got, size, reps)
    return 1 if not passed and args.strict else 0


def measure(data: Path, size: int, reps: int) -> dict[str, Any] | None:
    """Every run's best time and worker RSS growth; None when the roots disagree."""
    with tempfile.TemporaryDirectory(prefix="dataip-bench-upload-") as tmp:
        server = Server(Path(tmp))
        try:
            pids = server.workers()
            log("openssl dgst -sm3")
            t_openssl, _, _ = timed(
                lambda: subprocess.run(
                    [OPENSSL, "dgst", "-sm3", str(data)], check=True, capture_output=True
                ),
                reps,
            )
            log("dataip hash")
            t_tool, tool_out, _ = timed(
                lambda: (
                    subprocess.run(
                        [str(BIN / "dataip"), "hash", str(data), "--json"],
                        check=True,
                        capture_output=True,
                        text=True,
                    ).stdout
                ),
                reps,
            )
            root = json.loads(tool_out)["root"]
            log("one request")
            t_one, one_root, rss_one = timed(lambda: one_request(server, data), reps, pids)
            log("resumable")
            t_res, (res_root, _), rss_res = timed(lambda: resumable(server, data, size), reps, pids)
            log("resumable with a break")
            t_brk, (brk_root, brk_sent), rss_brk = timed(
                lambda: with_break(server, data, size), 1, pids
            )
        finally:
            server.stop()
    if not (root == one_root == res_root == brk_root):
        log(f"roots differ: tool {root}, one {one_root}, resumable {res_root}, break {brk_root}")
        return None
    return {
        "openssl": (t_openssl, None),
        "tool": (t_tool, None),
        "one": (t_one, rss_one),
        "resumable": (t_res, rss_res),
        "break": (t_brk, rss_brk),
        "break_sent": brk_sent,
    }


def report(got: dict[str, Any], size: int, reps: int) -> bool:
    """Print the figures and the targets; True when every target is met."""
    (t_openssl, _), (t_tool, _) = got["openssl"], got["tool"]
    (t_one, rss_one), (t_res, rss_res), (t_brk, rss_brk) = (
        got["one"],
        got["resumable"],
        got["break"],
    )
    brk_sent = got["break_sent"]
    rows = [
        ("openssl dgst -sm3 (hash only)", t_openssl, None),
        ("dataip hash (offline tool)", t_tool, None),
        ("one request (curl -F)", t_one, rss_one),
        ("resumable, 32 MiB pieces", t_res, rss_res),
        ("resumable, broken once", t_brk, rss_brk),
    ]
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"\n{size / MB:.0f} MB file, best of {reps} ({when}):\n")
    print("| run | time s | MB/s | worker RSS growth MB |")
    print("|---|---:|---:|---:|")
    for name, seconds, grown in rows:
        shown = "" if grown is None else f"{grown / MB:.1f}"
        print(f"| {name} | {seconds:.2f} | {size / MB / seconds:.0f} | {shown} |")
    ratio = t_res / t_one
    resent = brk_sent / size
    limit_resent = 1 + MIB / size
    worst_rss = max(rss_one, rss_res, rss_brk)
    targets = [
        (
            "time resumable / one request",
            f"{ratio:.3f}",
            f"<= {TARGET_RATIO}",
            ratio <= TARGET_RATIO,
        ),
        (
            "bytes sent / size, broken once",
            f"{resent:.4f}",
            f"<= {limit_resent:.4f}",
            resent <= limit_resent,
        ),
        (
            "worker RSS growth",
            f"{worst_rss / MB:.1f} MB",
            f"<= {TARGET_RSS / MB:.0f} MB",
            worst_rss <= TARGET_RSS,
        ),
    ]
    print("\n| target | value | limit | |\n|---|---:|---:|---|")
    for name, value, limit, ok in targets:
        print(f"| {name} | {value} | {limit} | {'PASS' if ok else 'FAIL'} |")
    print(
        f"\n(time resumable / openssl: {t_res / t_openssl:.2f}; one request / openssl: "
        f"{t_one / t_openssl:.2f}; dataip hash / openssl: {t_tool / t_openssl:.2f})"
    )
    return all(ok for *_, ok in targets)


if __name__ == "__main__":
    sys.exit(main())
