#!/usr/bin/env python3
"""Benchmark `dataip hash` against the reference tools, side by side, in one run.

Usage (from the repository root):

    .venv/bin/python scripts/bench.py [--quick] [--data-dir DIR] [--only NAMES] [--strict]

What is measured (see docs/benchmarks.md for the meaning of every figure):

  sm3     ~2 GiB mixed dataset (6 x 256 MiB + 20,000 files of 4-64 KiB):
          `dataip hash DATA --json` vs `openssl dgst -sm3 FILES...`      target ratio <= 0.6
          peak RSS of dataip                                             target <= 150 MB
  sha256  same dataset: `dataip hash DATA --alg sha256 --json` vs `sha256sum FILES...`
                                                                         target ratio <= 1.0
  small   the 20,000 small files alone, sm3 and sha256: files/s        target >= 20,000 files/s
  tiny    20,000 files of 0-1 KiB, sm3 and sha256: files/s (per-file overhead)
                                                                         target >= 20,000 files/s
  sparse  one sparse 20 GiB file (no disk I/O): throughput and peak RSS target <= 150 MB
  many    1,000,000 empty files: files/s and (peak RSS - baseline RSS) / files
                                                                         target <= 300 bytes/file

The peer tools run as ONE process over all files (several sequential processes only if the
argument list would exceed ARG_MAX; their wall times are summed). Every timing is the best of
--reps runs (median also shown) after one warm-up run; the commands compared in a group are
interleaved run by run, and the data is read into the page cache again right before every run
(this VM reclaims idle page cache within a minute; the "disk MB" column shows what each run still
read from storage). Every run of a tool is a fresh child process whose peak RSS is read from
os.wait4()'s rusage; the process tree of dataip is also sampled through /proc, so that worker
processes (if any) are counted too.

Generated data lives in bench-data/ (gitignored) or --data-dir and is reused between runs; every
data set has a stamp file next to it (never inside it, so it is not hashed) recording the
deterministic generation parameters.

Exit status: 0 even when a target fails (benchmarks inform, they are not tests); 1 with --strict
when a target fails; 2 when the benchmark itself could not run (bad usage, tool error, ...).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import random
import re
import shutil
import signal
import ssl
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GEN_VERSION = 1  # bump when the generated content changes
KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB
MB = 1_000_000
CHUNK = 1 << 20

GROUPS = ("sm3", "sha256", "small", "tiny", "sparse", "many")

PROFILES: dict[str, dict[str, Any]] = {
    "full": {
        "big_files": 6,
        "big_size": 256 * MiB,
        "small_files": 20_000,
        "small_dirs": 100,
        "small_min": 4 * KiB,
        "small_max": 64 * KiB,
        "tiny_files": 20_000,
        "tiny_dirs": 100,
        "tiny_max": 1 * KiB,
        "sparse_size": 20 * GiB,
        "many_files": 1_000_000,
        "many_dirs": 1_000,
        "reps": 3,
    },
    # 1/8 of the data (the tiny-file set is kept at 20,000 files: it is only ~10 MB and the
    # per-file figure needs enough files to dominate the process start-up time).
    "quick": {
        "big_files": 6,
        "big_size": 32 * MiB,
        "small_files": 2_500,
        "small_dirs": 100,
        "small_min": 4 * KiB,
        "small_max": 64 * KiB,
        "tiny_files": 20_000,
        "tiny_dirs": 100,
        "tiny_max": 1 * KiB,
        "sparse_size": 20 * GiB // 8,
        "many_files": 100_000,
        "many_dirs": 100,
        "reps": 1,
    },
}

TARGET_SM3_RATIO = 0.6
TARGET_SHA256_RATIO = 1.0
TARGET_FILES_PER_S = 20_000
TARGET_RSS = 150 * MB
TARGET_BYTES_PER_FILE = 300
IDLE_LOAD = 0.2  # cores: below this the machine counts as idle for --idle-wait


class BenchError(Exception):
    pass


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# formatting


def fmt_bytes(n: float) -> str:
    if n >= GiB:
        return f"{n / GiB:.2f} GiB"
    if n >= MiB:
        return f"{n / MiB:.1f} MiB"
    if n >= KiB:
        return f"{n / KiB:.1f} KiB"
    return f"{n:.0f} B"


def fmt_mb(n: float) -> str:
    return f"{n / MB:.1f} MB"


def fmt_int(n: float) -> str:
    return f"{n:,.0f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Iterable[int] = ()) -> str:
    right = set(right)
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            out.append(cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]))
        return "  ".join(out).rstrip()

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), sep] + [line(r) for r in rows])


# --------------------------------------------------------------------------------------------
# machine


def cmd_output(argv: Sequence[str]) -> str:
    try:
        return subprocess.run(
            argv, check=False, capture_output=True, text=True, timeout=30
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


def machine_info(data_dir: Path, dataip: Sequence[str]) -> dict[str, str]:
    cpu = "?"
    flags: set[str] = set()
    try:
        with open("/proc/cpuinfo") as f:
            for ln in f:
                if ln.startswith("model name") and cpu == "?":
                    cpu = ln.split(":", 1)[1].strip()
                elif ln.startswith("flags") and not flags:
                    flags = set(ln.split(":", 1)[1].split())
    except OSError:
        pass
    mem = meminfo()
    try:
        ncpu_aff = len(os.sched_getaffinity(0))
    except AttributeError:
        ncpu_aff = os.cpu_count() or 1
    commit = cmd_output(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    # Only the code under test counts: this script and the docs may be edited between runs.
    dirty = cmd_output(["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"])
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "cpu": cpu + (" (sha_ni)" if "sha_ni" in flags else ""),
        "cores": f"{ncpu_aff} usable / {os.cpu_count()} online",
        "load": "load average "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
        + " (1, 5, 15 min) at the start",
        "memory": f"{mem.get('MemTotal', 0) / GiB:.1f} GiB total, "
        f"{mem.get('MemAvailable', 0) / GiB:.1f} GiB available",
        "os": f"{platform.system()} {platform.release()}; {os_release()}",
        "filesystem": f"{cmd_output(['stat', '-f', '-c', '%T', str(data_dir)])} ({data_dir})",
        "python": f"{platform.python_implementation()} {platform.python_version()} "
        f"({sys.executable})",
        "openssl": f"{cmd_output(['openssl', 'version'])}; Python ssl: {ssl.OPENSSL_VERSION}",
        "sha256sum": cmd_output(["sha256sum", "--version"]).splitlines()[0:1][0]
        if cmd_output(["sha256sum", "--version"])
        else "?",
        "dataip": " ".join(dataip)
        + f" (git {commit}{', with uncommitted changes in src/' if dirty else ''})",
    }


def os_release() -> str:
    try:
        with open("/etc/os-release") as f:
            for ln in f:
                if ln.startswith("PRETTY_NAME="):
                    return ln.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return "?"


def meminfo() -> dict[str, int]:
    out: dict[str, int] = {}
    try:
        with open("/proc/meminfo") as f:
            for ln in f:
                k, v = ln.split(":", 1)
                parts = v.split()
                out[k] = int(parts[0]) * (1024 if len(parts) > 1 and parts[1] == "kB" else 1)
    except OSError:
        pass
    return out


# --------------------------------------------------------------------------------------------
# data generation (deterministic, reused through stamp files)


@dataclass
class Dataset:
    name: str
    path: Path
    files: int
    bytes: int


def stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".stamp")


def read_stamp(path: Path) -> dict[str, Any] | None:
    try:
        with open(stamp_path(path)) as f:
            doc = json.load(f)
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def ensure(path: Path, params: dict[str, Any], make: Callable[[Path], tuple[int, int]]) -> Dataset:
    """Return the dataset at `path`, generating it unless its stamp matches `params`."""
    want = {"gen_version": GEN_VERSION, **params}
    st = read_stamp(path)
    if st is not None and st.get("params") == want and path.exists():
        return Dataset(path.name, path, st["files"], st["bytes"])
    log(f"generating {path} ...")
    t0 = time.perf_counter()
    tmp = path.with_name(path.name + ".tmp")
    for p in (tmp, path):
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)
        elif p.exists() or p.is_symlink():
            p.unlink()
    with contextlib.suppress(FileNotFoundError):
        stamp_path(path).unlink()
    files, nbytes = make(tmp)
    os.rename(tmp, path)
    with open(stamp_path(path), "w") as f:
        json.dump({"params": want, "files": files, "bytes": nbytes}, f, indent=1)
        f.write("\n")
    log(
        f"generated {path}: {fmt_int(files)} files, {fmt_bytes(nbytes)} "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    return Dataset(path.name, path, files, nbytes)


def write_random(path: Path, size: int, rng: random.Random) -> None:
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, CHUNK)
            f.write(rng.randbytes(n))
            left -= n


def gen_mixed(p: dict[str, Any]) -> Callable[[Path], tuple[int, int]]:
    def make(root: Path) -> tuple[int, int]:
        (root / "big").mkdir(parents=True)
        files = nbytes = 0
        for i in range(p["big_files"]):
            write_random(
                root / "big" / f"big{i}.bin",
                p["big_size"],
                random.Random(f"dataip-bench/v1/big/{i}"),
            )
            files += 1
            nbytes += p["big_size"]
        f2, b2 = gen_small_files(
            root / "small",
            p["small_files"],
            p["small_dirs"],
            p["small_min"],
            p["small_max"],
            seed="dataip-bench/v1/small",
        )
        return files + f2, nbytes + b2

    return make


def gen_small_files(
    root: Path, count: int, ndirs: int, lo: int, hi: int, *, seed: str
) -> tuple[int, int]:
    rng = random.Random(seed)
    dirs = [root / f"d{j:03d}" for j in range(ndirs)]
    for d in dirs:
        d.mkdir(parents=True)
    nbytes = 0
    for i in range(count):
        size = rng.randint(lo, hi)
        with open(dirs[i % ndirs] / f"f{i:06d}.bin", "wb") as f:
            f.write(rng.randbytes(size))
        nbytes += size
    return count, nbytes


def gen_tiny(p: dict[str, Any]) -> Callable[[Path], tuple[int, int]]:
    def make(root: Path) -> tuple[int, int]:
        return gen_small_files(
            root, p["tiny_files"], p["tiny_dirs"], 0, p["tiny_max"], seed="dataip-bench/v1/tiny"
        )

    return make


def gen_empty(count: int, ndirs: int) -> Callable[[Path], tuple[int, int]]:
    def make(root: Path) -> tuple[int, int]:
        per = -(-count // ndirs)
        made = 0
        flags = os.O_CREAT | os.O_WRONLY | os.O_EXCL
        for j in range(ndirs):
            d = root / f"d{j:04d}"
            d.mkdir(parents=True)
            ds = str(d)
            for i in range(min(per, count - made)):
                os.close(os.open(f"{ds}/e{i:04d}", flags, 0o644))
                made += 1
            if ndirs >= 100 and (j + 1) % (ndirs // 10) == 0:
                log(f"  {fmt_int(made)} / {fmt_int(count)} empty files")
        return made, 0

    return make


def ensure_sparse(path: Path, size: int) -> Dataset:
    st = None
    with contextlib.suppress(FileNotFoundError):
        st = path.stat()
    if st is None or st.st_size != size or st.st_blocks != 0:
        log(f"creating sparse file {path} ({fmt_bytes(size)})")
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        with open(path, "wb") as f:
            f.truncate(size)  # same as `truncate -s`
        if path.stat().st_blocks != 0:
            log(f"warning: {path} is not sparse on this file system")
    return Dataset(path.name, path, 1, size)


def free_inodes(path: Path) -> int:
    s = os.statvfs(path)
    return s.f_favail


def free_bytes(path: Path) -> int:
    s = os.statvfs(path)
    return s.f_bavail * s.f_frsize


# --------------------------------------------------------------------------------------------
# page cache


def list_files(root: Path) -> list[str]:
    """All regular files below root, as sorted paths relative to root."""
    out: list[str] = []
    stack = [""]
    while stack:
        rel = stack.pop()
        with os.scandir(os.path.join(root, rel) if rel else root) as it:
            for e in it:
                r = f"{rel}/{e.name}" if rel else e.name
                if e.is_dir(follow_symlinks=False):
                    stack.append(r)
                elif e.is_file(follow_symlinks=False):
                    out.append(r)
    out.sort()
    return out


def warm(ds: Dataset, read: bool = True) -> tuple[int, int]:
    """Read every file once (or only stat it) so that data and metadata are cached."""
    buf = bytearray(CHUNK)
    mv = memoryview(buf)
    files = nbytes = 0
    if ds.path.is_file():
        paths = [str(ds.path)]
    else:
        paths = [os.path.join(ds.path, r) for r in list_files(ds.path)]
    for p in paths:
        if read:
            with open(p, "rb", buffering=0) as f:
                while True:
                    n = f.readinto(mv)
                    if not n:
                        break
                    nbytes += n
        else:
            nbytes += os.stat(p).st_size
        files += 1
    if (files, nbytes) != (ds.files, ds.bytes):
        raise BenchError(
            f"{ds.path}: found {files} files / {nbytes} bytes, the stamp says "
            f"{ds.files} / {ds.bytes}; delete it (and its .stamp) to regenerate"
        )
    return files, nbytes


def residency(ds: Dataset, files: list[str]) -> float | None:
    """Fraction of the dataset's bytes in the page cache (util-linux fincore), or None."""
    if not shutil.which("fincore") or not ds.bytes:
        return None
    res = 0
    cols = ["fincore", "-b", "-n", "-o", "RES,SIZE"]
    for batch in arg_batches(cols, files):
        r = subprocess.run(
            [*cols, *batch], cwd=ds.path, check=False, capture_output=True, text=True
        )
        if r.returncode != 0:
            return None
        nums = [int(x) for x in r.stdout.split()]
        # RES counts whole pages: clamp to the file size so that small files read as 100%
        res += sum(min(a, b) for a, b in zip(nums[0::2], nums[1::2], strict=True))
    return res / ds.bytes


def drop_cache(path: Path) -> None:
    """Drop the page cache of one file (clean pages only; no privileges needed)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


# --------------------------------------------------------------------------------------------
# running children


@dataclass
class Run:
    wall: float
    maxrss: int  # bytes, from wait4 (the largest single process of the tree)
    tree_rss: int = 0  # bytes, sampled sum over the process tree
    procs: int = 1  # most processes seen at once in the tree
    rc: int = 0
    cpu: float = 0.0  # user + system seconds of the tool (and its waited-for children)
    busy: float = 0.0  # CPU seconds the whole machine was busy (incl. steal) during the run
    disk: int = 0  # bytes read from storage, not from the page cache (rusage ru_inblock)

    @property
    def other(self) -> float:
        """Average number of cores used by everything else (other processes, steal)."""
        return max(0.0, self.busy - self.cpu) / self.wall if self.wall > 0 else 0.0


class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process and its descendants through /proc."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self.procs = 1
        self.done = threading.Event()
        self.page = os.sysconf("SC_PAGE_SIZE")

    def tree(self) -> list[int]:
        out, stack = [], [self.pid]
        while stack:
            pid = stack.pop()
            out.append(pid)
            try:
                for tid in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{tid}/children") as f:
                        stack.extend(int(x) for x in f.read().split())
            except OSError:
                pass
        return out

    def run(self) -> None:
        while not self.done.is_set():
            total = 0
            pids = self.tree()
            for pid in pids:
                try:
                    with open(f"/proc/{pid}/statm") as f:
                        total += int(f.read().split()[1]) * self.page
                except (OSError, IndexError, ValueError):
                    pass
            self.peak = max(self.peak, total)
            self.procs = max(self.procs, len(pids))
            self.done.wait(self.interval)


# The measuring wrapper: a minimal Python (-I -S) that spawns ONE child, waits for it with
# wait4() and reports the child's wall time and rusage through a pipe. It exists because Linux
# carries a process's RSS high-water mark across exec(): a tool spawned straight from this
# (large) benchmark process would report at least this process's peak RSS as its own. A child
# spawned from the small wrapper inherits only the wrapper's (~8 MB) mark, reported as the floor.
_WRAPPER = """
import os, sys, time
fd = int(sys.argv[1])
argv = sys.argv[2:]
def busy():
    with open("/proc/stat", "rb") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v[0:3]) + sum(v[5:8])  # user nice system irq softirq steal
b0 = busy()
t0 = time.perf_counter()
try:
    pid = os.posix_spawnp(argv[0], argv, os.environ)
except OSError as e:
    os.write(fd, f"error {e}\\n".encode())
    sys.exit(127)
os.write(fd, f"pid {pid}\\n".encode())
while True:
    try:
        _, status, ru = os.wait4(pid, 0)
        break
    except InterruptedError:
        pass
wall = time.perf_counter() - t0
b1 = busy()
cpu = ru.ru_utime + ru.ru_stime
rc = os.waitstatus_to_exitcode(status)
os.write(fd, f"done {wall!r} {ru.ru_maxrss} {rc} {cpu!r} {b1 - b0} {ru.ru_inblock}\\n".encode())
"""


def run_child(
    argv: Sequence[str], cwd: Path | None, out_path: Path, err_path: Path, sample: bool = False
) -> Run:
    """Run argv once as a fresh process; return its wall time, peak RSS and exit status."""
    rfd, wfd = os.pipe()
    sampler = None
    try:
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            p = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", _WRAPPER, str(wfd), *argv],
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                pass_fds=(wfd,),
            )
            os.close(wfd)
            wfd = -1
            with os.fdopen(rfd, "r") as pipe:
                rfd = -1
                first = pipe.readline().split()
                if first[:1] == ["pid"] and sample:
                    sampler = TreeSampler(int(first[1]))
                    sampler.start()
                last = pipe.readline().split()
            p.wait()
    finally:
        if sampler:
            sampler.done.set()
            sampler.join()
        for fd in (rfd, wfd):
            if fd >= 0:
                os.close(fd)
    if first[:1] != ["pid"] or last[:1] != ["done"]:
        raise BenchError(f"could not run {argv[0]}: {' '.join(first or last) or p.returncode}")
    return Run(
        wall=float(last[1]),
        maxrss=int(last[2]) * 1024,
        rc=int(last[3]),
        cpu=float(last[4]),
        busy=int(last[5]) / os.sysconf("SC_CLK_TCK"),
        disk=int(last[6]) * 512,
        tree_rss=sampler.peak if sampler else 0,
        procs=sampler.procs if sampler else 1,
    )


def cpu_busy() -> float:
    """CPU seconds the machine has been busy (user, nice, system, irq, softirq, steal)."""
    with open("/proc/stat", "rb") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (sum(v[0:3]) + sum(v[5:8])) / os.sysconf("SC_CLK_TCK")


def machine_load(seconds: float) -> float:
    """Average number of busy cores over the next `seconds`."""
    b0, t0 = cpu_busy(), time.monotonic()
    time.sleep(seconds)
    return (cpu_busy() - b0) / (time.monotonic() - t0)


def rss_floor(out_dir: Path) -> int:
    """The peak RSS that the wrapper reports for a trivial command (`true`)."""
    return min(
        run_child(["true"], None, out_dir / "true.out", out_dir / "true.err").maxrss
        for _ in range(3)
    )


def arg_batches(prefix: Sequence[str], files: Sequence[str]) -> list[list[str]]:
    """Split files into argument lists that fit ARG_MAX (like xargs)."""
    ptr = 8
    limit = os.sysconf("SC_ARG_MAX")
    limit -= sum(len(k) + len(v) + 2 + ptr for k, v in os.environ.items()) + ptr
    limit -= sum(len(a) + 1 + ptr for a in prefix) + ptr
    limit -= 4096  # margin, as xargs keeps one
    limit = min(limit, 1 << 20)  # keep batches reasonable whatever the stack limit
    batches: list[list[str]] = []
    cur: list[str] = []
    used = 0
    for f in files:
        need = len(os.fsencode(f)) + 1 + ptr
        if cur and used + need > limit:
            batches.append(cur)
            cur, used = [], 0
        cur.append(f)
        used += need
    if cur:
        batches.append(cur)
    return batches


@dataclass
class Timing:
    label: str
    runs: list[Run] = field(default_factory=list)
    files: int = 0
    bytes: int = 0
    batches: int = 1
    note: str = ""

    @property
    def best(self) -> float:
        return min(r.wall for r in self.runs)

    @property
    def median(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def cores(self) -> float:
        """CPU time over wall time of the best run: how many cores the tool kept busy."""
        r = min(self.runs, key=lambda r: r.wall)
        return r.cpu / r.wall if r.wall > 0 else 0.0

    @property
    def disk(self) -> int:
        """Bytes the best run read from storage rather than the page cache."""
        return min(self.runs, key=lambda r: r.wall).disk

    @property
    def max_disk(self) -> int:
        return max(r.disk for r in self.runs)

    @property
    def other(self) -> float:
        """Median load of everything else during the timed runs, in cores."""
        return statistics.median(r.other for r in self.runs)

    @property
    def maxrss(self) -> int:
        return max(r.maxrss for r in self.runs)

    @property
    def tree_rss(self) -> int:
        return max(r.tree_rss for r in self.runs)

    @property
    def procs(self) -> int:
        return max(r.procs for r in self.runs)

    @property
    def peak_rss(self) -> int:
        """The peak RSS used for targets: wait4's maxrss, or the sampled sum over the process
        tree when the tool ran more than one process (wait4 reports only the largest one)."""
        return self.maxrss if self.procs <= 1 else max(self.maxrss, self.tree_rss)

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "files": self.files,
            "bytes": self.bytes,
            "batches": self.batches,
            "best_s": self.best,
            "median_s": self.median,
            "walls_s": [r.wall for r in self.runs],
            "cpu_s": [r.cpu for r in self.runs],
            "disk_read_bytes": [r.disk for r in self.runs],
            "other_cores": [r.other for r in self.runs],
            "maxrss": self.maxrss,
            "tree_rss": self.tree_rss,
            "procs": self.procs,
            "note": self.note,
        }


@dataclass
class Job:
    """One measured command: `once(i)` performs run i (0 is the warm-up)."""

    key: str
    timing: Timing
    once: Callable[[int], Run]
    before: Callable[[], None] | None = None


class Bench:
    def __init__(
        self, args: argparse.Namespace, prof: dict[str, Any], data_dir: Path, dataip: list[str]
    ) -> None:
        self.args = args
        self.prof = prof
        self.reps = args.reps or prof["reps"]
        self.data_dir = data_dir
        self.out_dir = data_dir / "out"
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.dataip = dataip
        self.timings: dict[str, Timing] = {}
        # name, measured (best runs), from the median runs, target, result
        self.targets: list[tuple[str, str, str, str, str]] = []
        self.errors: list[str] = []
        self.notes: list[str] = []
        self.floor = rss_floor(self.out_dir)

    # -- tools --------------------------------------------------------------------------------

    def dataip_argv(self, path: Path, alg: str | None) -> list[str]:
        argv = [*self.dataip, "hash", str(path)]
        if alg:
            argv += ["--alg", alg]
        if self.args.jobs:
            argv += ["--jobs", str(self.args.jobs)]
        return [*argv, "--json"]

    # -- measuring ----------------------------------------------------------------------------

    def measure(self, jobs: list[Job]) -> list[Timing | None]:
        """Run each job 1 (warm-up) + reps times. Several jobs are interleaved run by run (A B A
        B ...), so that slow drifts of the machine's speed affect both sides of a ratio alike.
        Returns each job's timing, or None for a job that failed (the error is recorded)."""
        failed: set[int] = set()
        for i in range(1 + self.reps):
            for n, job in enumerate(jobs):
                if n in failed:
                    continue
                self.wait_idle()
                if job.before:
                    job.before()
                try:
                    r = job.once(i)
                except BenchError as e:
                    self.errors.append(str(e))
                    log(f"ERROR: {e}")
                    failed.add(n)
                    continue
                if i:
                    job.timing.runs.append(r)
                log(
                    f"  {job.timing.label} run {i}{' (warm-up)' if i == 0 else ''}: "
                    f"{r.wall:.3f} s, cpu {r.cpu:.2f} s, other load {r.other:.2f} cores, "
                    f"disk read {fmt_mb(r.disk)}, maxrss {fmt_mb(r.maxrss)}"
                    + (f", tree {fmt_mb(r.tree_rss)} / {r.procs} proc" if r.tree_rss else "")
                )
        out: list[Timing | None] = []
        for n, job in enumerate(jobs):
            if n in failed:
                out.append(None)
            else:
                self.timings[job.key] = job.timing
                out.append(job.timing)
        return out

    def dataip_job(
        self,
        key: str,
        label: str,
        ds: Dataset,
        alg: str | None,
        before: Callable[[], None] | None = None,
    ) -> Job:
        argv = self.dataip_argv(ds.path, alg)
        out = self.out_dir / f"{key}.json"
        err = self.out_dir / f"{key}.stderr"
        log(f"{label}: {' '.join(argv)}  (1 warm-up + {self.reps})")

        def once(i: int) -> Run:
            r = run_child(argv, None, out, err, sample=True)
            if r.rc != 0:
                tail = err.read_bytes()[-2000:].decode("utf-8", "replace").strip()
                raise BenchError(f"{label}: `{' '.join(argv)}` exited with {r.rc}: {tail}")
            if i == 0:
                self.check_dataip_output(label, out, ds, alg or "sm3")
            return r

        return Job(key, Timing(label, files=ds.files, bytes=ds.bytes), once, before)

    def check_dataip_output(self, label: str, out: Path, ds: Dataset, alg: str) -> None:
        try:
            with open(out, "rb") as f:
                doc = json.load(f)
        except ValueError as e:
            raise BenchError(f"{label}: --json output is not JSON: {e}") from None
        if not isinstance(doc, dict):
            raise BenchError(f"{label}: --json output is not an object")
        for key, want in (("file_count", ds.files), ("total_bytes", ds.bytes), ("alg", alg)):
            if key in doc and doc[key] != want:
                raise BenchError(f"{label}: {key} = {doc[key]!r}, expected {want!r}")
            if key not in doc:
                self.notes.append(f"{label}: --json output has no '{key}'; not checked")
        root = doc.get("root")
        if not (isinstance(root, str) and re.fullmatch(r"[0-9a-f]{64}", root)):
            raise BenchError(f"{label}: --json output has no valid 'root': {root!r}")
        if ds.name == "sparse" and ds.files == 1:
            want_root = zeros_dataset_root(alg, ds.path.name, ds.bytes)
            if root != want_root:
                raise BenchError(
                    f"{label}: root {root} differs from the independently computed "
                    f"{want_root} for {ds.bytes} zero bytes"
                )

    def peer_job(
        self,
        key: str,
        label: str,
        prefix: list[str],
        ds: Dataset,
        files: list[str],
        *,
        before: Callable[[], None] | None = None,
    ) -> Job:
        batches = arg_batches(prefix, files)
        out = self.out_dir / f"{key}.out"
        err = self.out_dir / f"{key}.stderr"
        log(
            f"{label}: {' '.join(prefix)} FILES... ({len(files)} files, {len(batches)} "
            f"process(es); 1 warm-up + {self.reps})"
        )

        def once(i: int) -> Run:
            del i
            wall = cpu = busy = 0.0
            rss = disk = lines = 0
            for b in batches:
                r = run_child([*prefix, *b], ds.path, out, err)
                if r.rc != 0:
                    tail = err.read_bytes()[-2000:].decode("utf-8", "replace").strip()
                    raise BenchError(f"{label}: exited with {r.rc}: {tail}")
                wall += r.wall
                cpu += r.cpu
                busy += r.busy
                disk += r.disk
                rss = max(rss, r.maxrss)
                with open(out, "rb") as f:
                    lines += sum(1 for _ in f)
            if lines != len(files):
                raise BenchError(f"{label}: printed {lines} lines for {len(files)} files")
            return Run(wall=wall, maxrss=rss, cpu=cpu, busy=busy, disk=disk)

        timing = Timing(label, files=len(files), bytes=ds.bytes, batches=len(batches))
        return Job(key, timing, once, before)

    def wait_idle(self) -> None:
        """With --idle-wait S, wait up to S seconds for other processes to leave the CPUs."""
        if self.args.idle_wait <= 0:
            return
        deadline = time.monotonic() + self.args.idle_wait
        t0 = time.monotonic()
        while True:
            load = machine_load(0.5)
            if load < IDLE_LOAD:
                break
            if time.monotonic() > deadline:
                self.notes.append(
                    f"--idle-wait: the machine was still busy ({load:.2f} cores) after "
                    f"{self.args.idle_wait:.0f} s; ran anyway"
                )
                break
        if time.monotonic() - t0 > 1:
            log(f"  waited {time.monotonic() - t0:.0f} s for an idle machine")

    # -- targets ------------------------------------------------------------------------------

    def target(
        self,
        name: str,
        value: float,
        op: str,
        limit: float,
        *,
        shown: str,
        limit_shown: str,
        median_shown: str = "-",
    ) -> None:
        """Record a target; PASS/FAIL is judged on `value`, the figure of the best runs."""
        ok = value <= limit if op == "<=" else value >= limit
        self.targets.append(
            (name, shown, median_shown, f"{op} {limit_shown}", "PASS" if ok else "FAIL")
        )

    def error_target(self, name: str, limit_shown: str) -> None:
        self.targets.append((name, "-", "-", limit_shown, "ERROR"))

    # -- groups -------------------------------------------------------------------------------

    def mixed(self) -> Dataset:
        p = self.prof
        params = {
            k: p[k]
            for k in (
                "big_files",
                "big_size",
                "small_files",
                "small_dirs",
                "small_min",
                "small_max",
            )
        }
        need = p["big_files"] * p["big_size"] + p["small_files"] * p["small_max"]
        if not read_stamp(self.data_dir / "mixed") and free_bytes(self.data_dir) < need * 1.2:
            raise BenchError(f"not enough disk space in {self.data_dir} for {fmt_bytes(need)}")
        return ensure(self.data_dir / "mixed", params, gen_mixed(p))

    def warm_check(self, ds: Dataset, what: str) -> list[str]:
        avail = meminfo().get("MemAvailable", 0)
        if avail and ds.bytes > avail * 0.8:
            self.notes.append(
                f"{what}: {fmt_bytes(ds.bytes)} may not fit in the page cache "
                f"({fmt_bytes(avail)} available): timings may include disk reads"
            )
        t0 = time.perf_counter()
        warm(ds)
        log(f"warmed {ds.path} in {time.perf_counter() - t0:.1f} s")
        files = list_files(ds.path)
        self.check_cached(ds, files, what, "after warming")
        return files

    def check_cached(self, ds: Dataset, files: list[str], what: str, when: str) -> None:
        res = residency(ds, files)
        if res is None:
            return
        # Logged only: what counts is whether each run read from storage (the disk MB column).
        log(f"{what}: {res * 100:.1f}% of {ds.path} is in the page cache {when}")

    def rewarm(self, ds: Dataset, read: bool = True) -> Callable[[], None]:
        """Read the data again right before each run. Not a formality: memory reclaim (such as
        a hypervisor's DAMON pageout of pages idle for ~30 s) can evict a page cache that was
        warmed a minute earlier, and a run that reads from disk is not the figure wanted."""

        def before() -> None:
            warm(ds, read)

        return before

    def group_sm3_sha256(self, alg: str) -> None:
        ds = self.mixed()
        files = self.warm_check(ds, "mixed dataset")
        a = alg if alg == "sha256" else None
        lbl = f"mixed {fmt_bytes(ds.bytes)}, {fmt_int(ds.files)} files"
        peer_key, peer_label, prefix, limit = (
            ("mixed-openssl", "openssl dgst -sm3", ["openssl", "dgst", "-sm3"], TARGET_SM3_RATIO)
            if alg == "sm3"
            else ("mixed-sha256sum", "sha256sum", ["sha256sum"], TARGET_SHA256_RATIO)
        )
        name = f"{alg.upper() if alg == 'sm3' else 'SHA-256'} {lbl}"
        d, peer = self.measure(
            [
                self.dataip_job(
                    f"mixed-dataip-{alg}",
                    f"dataip hash --alg {alg} [{lbl}]",
                    ds,
                    a,
                    self.rewarm(ds),
                ),
                self.peer_job(
                    peer_key, f"{peer_label} [{lbl}]", prefix, ds, files, before=self.rewarm(ds)
                ),
            ]
        )
        self.check_cached(ds, files, "mixed dataset", "after the runs")
        if d is None or peer is None:
            self.error_target(f"{name}: time dataip / {peer_label}", f"<= {limit:.2f}")
            self.error_target(f"peak RSS, {name}", f"<= {fmt_mb(TARGET_RSS)}")
            return
        ratio = d.best / peer.best
        self.target(
            f"{name}: time dataip / {peer_label}",
            ratio,
            "<=",
            limit,
            shown=f"{ratio:.3f} ({d.best:.2f} s / {peer.best:.2f} s)",
            limit_shown=f"{limit:.2f}",
            median_shown=f"{d.median / peer.median:.3f}",
        )
        self.target(
            f"peak RSS, {name}",
            d.peak_rss,
            "<=",
            TARGET_RSS,
            shown=fmt_mb(d.peak_rss),
            limit_shown=fmt_mb(TARGET_RSS),
        )

    def group_small(self) -> None:
        mixed = self.mixed()
        p = self.prof
        small = mixed.path / "small"
        files = list_files(small)
        ds = Dataset("small", small, len(files), sum(os.stat(small / f).st_size for f in files))
        self.warm_check(ds, "small files")
        lbl = (
            f"{fmt_int(ds.files)} files of {p['small_min'] // KiB}-{p['small_max'] // KiB} "
            f"KiB, {fmt_bytes(ds.bytes)}"
        )
        self.files_group("small", ds, lbl, files)

    def group_tiny(self) -> None:
        p = self.prof
        params = {k: p[k] for k in ("tiny_files", "tiny_dirs", "tiny_max")}
        ds = ensure(self.data_dir / "tiny", params, gen_tiny(p))
        files = self.warm_check(ds, "tiny files")
        lbl = f"{fmt_int(ds.files)} files of 0-{p['tiny_max'] // KiB} KiB, {fmt_bytes(ds.bytes)}"
        self.files_group("tiny", ds, lbl, files)

    def files_group(self, key: str, ds: Dataset, lbl: str, files: list[str]) -> None:
        algs = ("sm3", "sha256")
        timings = self.measure(
            [
                *(
                    self.dataip_job(
                        f"{key}-dataip-{alg}",
                        f"dataip hash --alg {alg} [{lbl}]",
                        ds,
                        alg if alg == "sha256" else None,
                        self.rewarm(ds),
                    )
                    for alg in algs
                ),
                self.peer_job(
                    f"{key}-openssl",
                    f"openssl dgst -sm3 [{lbl}]",
                    ["openssl", "dgst", "-sm3"],
                    ds,
                    files,
                    before=self.rewarm(ds),
                ),
                self.peer_job(
                    f"{key}-sha256sum",
                    f"sha256sum [{lbl}]",
                    ["sha256sum"],
                    ds,
                    files,
                    before=self.rewarm(ds),
                ),
            ]
        )
        for alg, d in zip(algs, timings, strict=False):
            name = f"files/s, {alg}, {lbl}"
            if d is None:
                self.error_target(name, f">= {fmt_int(TARGET_FILES_PER_S)}")
                continue
            fps = ds.files / d.best
            self.target(
                name,
                fps,
                ">=",
                TARGET_FILES_PER_S,
                shown=fmt_int(fps),
                limit_shown=fmt_int(TARGET_FILES_PER_S),
                median_shown=fmt_int(ds.files / d.median),
            )
        self.check_cached(ds, files, f"{key} files", "after the runs")

    def group_sparse(self) -> None:
        size = self.prof["sparse_size"]
        ds = ensure_sparse(self.data_dir / "sparse", size)
        ds.name = "sparse"
        lbl = f"sparse file {fmt_bytes(size)}"

        def before() -> None:
            drop_cache(ds.path)

        try:
            for alg in ("sm3", "sha256"):
                name = f"peak RSS, {alg}, {lbl}"
                (d,) = self.measure(
                    [
                        self.dataip_job(
                            f"sparse-dataip-{alg}",
                            f"dataip hash --alg {alg} [{lbl}]",
                            ds,
                            alg if alg == "sha256" else None,
                            before,
                        )
                    ]
                )
                if d is None:
                    self.error_target(name, f"<= {fmt_mb(TARGET_RSS)}")
                    continue
                self.target(
                    name,
                    d.peak_rss,
                    "<=",
                    TARGET_RSS,
                    shown=fmt_mb(d.peak_rss),
                    limit_shown=fmt_mb(TARGET_RSS),
                )
        finally:
            drop_cache(ds.path)

    def group_many(self) -> None:
        p = self.prof
        n, nd = p["many_files"], p["many_dirs"]
        path = self.data_dir / "many"
        params = {"many_files": n, "many_dirs": nd}
        st = read_stamp(path)
        if not (st and st.get("params") == {"gen_version": GEN_VERSION, **params}):
            need = n + nd + 1000
            have = free_inodes(self.data_dir)
            log(f"free inodes in {self.data_dir}: {fmt_int(have)} (need ~{fmt_int(need)})")
            if have < need * 1.2:
                raise BenchError(
                    f"not enough free inodes in {self.data_dir} for {n} files "
                    f"({have} free; see df -i)"
                )
        ds = ensure(path, params, gen_empty(n, nd))
        base = ensure(
            self.data_dir / "baseline",
            {"baseline_files": 1},
            gen_small_files_fn(1, 1, 0, 0, "dataip-bench/v1/baseline"),
        )
        lbl = f"{fmt_int(ds.files)} empty files"
        name = f"bytes/file, sm3, {lbl}"
        t0 = time.perf_counter()
        warm(ds, read=False)
        warm(base)
        log(f"warmed {ds.path} (stat of every file) in {time.perf_counter() - t0:.1f} s")
        b, d = self.measure(
            [
                self.dataip_job(
                    "baseline-dataip-sm3",
                    "dataip hash [baseline: 1 empty file]",
                    base,
                    None,
                    self.rewarm(base),
                ),
                self.dataip_job(
                    "many-dataip-sm3", f"dataip hash [{lbl}]", ds, None, self.rewarm(ds, read=False)
                ),
            ]
        )
        if b is None or d is None:
            self.error_target(name, f"<= {TARGET_BYTES_PER_FILE}")
            return
        per = (d.peak_rss - b.peak_rss) / ds.files
        self.target(
            name,
            per,
            "<=",
            TARGET_BYTES_PER_FILE,
            shown=f"{per:.0f} (({fmt_mb(d.peak_rss)} - {fmt_mb(b.peak_rss)}) / "
            f"{fmt_int(ds.files)})",
            limit_shown=f"{TARGET_BYTES_PER_FILE}",
        )

    # -- report -------------------------------------------------------------------------------

    def report(
        self,
        machine: dict[str, str],
        engine: dict[str, float],
        engine_end: dict[str, float],
        total: float,
    ) -> str:
        quick = self.args.quick
        out: list[str] = []
        title = "dataip hash benchmark"
        if quick:
            title += " -- QUICK MODE (1/8 data, fewer runs): NOT the reference figures"
        out += [title, "=" * len(title), ""]
        for k, v in machine.items():
            out.append(f"{k:11s} {v}")
        out.append(
            f"{'runs':11s} best of {self.reps} after 1 warm-up (median also shown); data "
            "re-read into the page cache before every run; peers: one process over all files "
            "(several in sequence, times summed, only if ARG_MAX requires)"
        )
        out.append(
            f"{'peak RSS':11s} wait4() ru_maxrss of each fresh child (a trivial command reads "
            f"{fmt_mb(self.floor)}: the floor of the measuring wrapper); if a tool ran several "
            "processes at once, their sampled summed RSS when larger"
        )
        out.append(
            f"{'engine':11s} Python hashlib (OpenSSL) on 1 MiB buffers, one core, at the start / "
            "end: "
            + ", ".join(
                f"{a} {v / MB:,.0f} / {engine_end.get(a, 0) / MB:,.0f} MB/s"
                for a, v in engine.items()
            )
        )
        out.append("")
        rows = []
        for t in self.timings.values():
            mbs = t.bytes / t.best / MB if t.bytes else 0.0
            rss = fmt_mb(t.peak_rss)
            if t.procs > 1:
                rss += f" ({t.procs} procs)"
            rows.append(
                [
                    t.label + (f" [{t.batches} procs]" if t.batches > 1 else ""),
                    f"{t.best:.3f}",
                    f"{t.median:.3f}",
                    f"{mbs:,.0f}" if t.bytes else "-",
                    fmt_int(t.files / t.best) if t.files >= 100 else "-",
                    rss,
                    f"{t.cores:.2f}",
                    f"{t.other:.2f}",
                    f"{t.disk / MB:.1f}",
                ]
            )
        headers = ["measurement", "best s", "median s", "MB/s", "files/s", "peak RSS"]
        out.append(table([*headers, "cores", "other", "disk MB"], rows, right=range(1, 9)))
        out.append(
            "cores: CPU time / wall time of the best run; other: median CPU load of everything "
            "else on the machine during the runs (other processes, VM steal), in cores; disk MB: "
            "what the best run read from storage instead of the page cache (rusage ru_inblock)"
        )
        out.append("")
        out.append(
            table(
                ["target", "measured (best)", "median", "target", "result"],
                [list(t) for t in self.targets],
            )
        )
        out.append("")
        npass = sum(1 for t in self.targets if t[-1] == "PASS")
        nfail = sum(1 for t in self.targets if t[-1] == "FAIL")
        nerr = sum(1 for t in self.targets if t[-1] == "ERROR")
        out.append(
            f"targets: {npass} PASS, {nfail} FAIL, {nerr} ERROR"
            + ("  (quick mode: not reference figures)" if quick else "")
        )
        small = self.timings.get("small-dataip-sm3")
        if small is not None and "sm3" in engine:
            ncpu = len(os.sched_getaffinity(0))
            rate = max(engine["sm3"], engine_end.get("sm3", 0))
            ceil = small.files / (small.bytes / (rate * ncpu))
            out.append(
                f"note: SM3 alone, at {rate / MB:,.0f} MB/s per core (the faster engine figure) x "
                f"{ncpu} cores, bounds the small-file set at {fmt_int(ceil)} files/s "
                f"(mean file {fmt_bytes(small.bytes / small.files)})"
            )
            peer = self.timings.get("small-openssl")
            if peer is not None:
                out.append(
                    f"note: openssl dgst -sm3 does {fmt_int(peer.files / peer.best)} files/s on "
                    f"the small-file set on one core; {ncpu} perfectly parallel copies would do "
                    f"{fmt_int(ncpu * peer.files / peer.best)} files/s"
                )
        for hname, speed in engine.items():
            speed2 = engine_end.get(hname, speed)
            if abs(speed2 - speed) > 0.1 * max(speed, speed2):
                out.append(
                    f"note: the single-core {hname} speed changed from {speed / MB:,.0f} to "
                    f"{speed2 / MB:,.0f} MB/s during the benchmark: this machine's speed drifts, "
                    "so compare figures measured side by side (runs are interleaved for that)"
                )
        cold = [
            f"{t.label} ({fmt_mb(t.max_disk)})"
            for t in self.timings.values()
            if t.max_disk > max(0.01 * t.bytes, 1 * MB)
        ]
        if cold:
            out.append(
                "WARNING: some runs read more than 1% of their data from storage, not from the "
                "page cache (most in one run shown): " + "; ".join(cold)
            )
        busy = [t.label for t in self.timings.values() if t.other > 0.25]
        if busy:
            out.append(
                f"WARNING: other processes used more than 0.25 core during {len(busy)} "
                "measurement(s); those figures understate the tool (rerun on an idle machine): "
                + "; ".join(busy)
            )
        for n in dict.fromkeys(self.notes):
            out.append(f"note: {n}")
        for e in self.errors:
            out.append(f"ERROR: {e}")
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        out.append(
            f"total benchmark time {total:.0f} s; load average at the end {load}; "
            f"data in {self.data_dir}"
        )
        return "\n".join(out)


def gen_small_files_fn(
    count: int, ndirs: int, lo: int, hi: int, seed: str
) -> Callable[[Path], tuple[int, int]]:
    def make(root: Path) -> tuple[int, int]:
        return gen_small_files(root, count, ndirs, lo, hi, seed=seed)

    return make


def sparse_root(alg: str, size: int) -> str:
    """The v1 file root of `size` zero bytes, computed independently (memoised MTH)."""
    zero = bytes(CHUNK)

    def h(data: bytes) -> bytes:
        return hashlib.new(alg, data).digest()

    full, rest = divmod(size, CHUNK)
    leaf_full = h(b"\x00" + zero)
    leaf_last = h(b"\x00" + bytes(rest)) if rest else None
    n = full + (1 if rest else 0)
    memo: dict[tuple[int, int], bytes] = {}

    def mth(lo: int, hi: int) -> bytes:
        cnt = hi - lo
        if cnt == 0:
            return h(b"")
        # subtrees that contain only full chunks depend on the count alone
        pure = hi <= full
        key = (cnt, 0) if pure else (cnt, hi)
        if key in memo:
            return memo[key]
        if cnt == 1:
            v = leaf_full if lo < full or leaf_last is None else leaf_last
        else:
            k = 1
            while k * 2 < cnt:
                k *= 2
            v = h(b"\x01" + mth(lo, lo + k) + mth(lo + k, hi))
        memo[key] = v
        return v

    return mth(0, n).hex()


def zeros_dataset_root(alg: str, name: str, size: int) -> str:
    """The v1 hash value of a dataset made of one file `name` holding `size` zero bytes."""
    nb = name.encode()
    entry = len(nb).to_bytes(4, "big") + nb + size.to_bytes(8, "big")
    entry += bytes.fromhex(sparse_root(alg, size))
    return hashlib.new(alg, b"\x00" + entry).hexdigest()


def engine_speed(algs: Sequence[str]) -> dict[str, float]:
    """Single-core bytes/s of hashlib (OpenSSL) on 1 MiB buffers: best of 5 slices of 0.2 s."""
    buf = os.urandom(CHUNK)
    out = {}
    for alg in algs:
        best = 0.0
        for _ in range(5):
            n = 0
            t0 = time.perf_counter()
            while time.perf_counter() - t0 < 0.2:
                hashlib.new(alg, buf).digest()
                n += 1
            best = max(best, n * CHUNK / (time.perf_counter() - t0))
        out[alg] = best
    return out


def parse_only(values: list[str] | None) -> list[str]:
    if not values:
        return list(GROUPS)
    names: list[str] = []
    for v in values:
        for raw in v.split(","):
            n = raw.strip().lower()
            if not n:
                continue
            if n == "all":
                names.extend(GROUPS)
            elif n not in GROUPS:
                raise ValueError(
                    f"unknown name {n!r} in --only; choose from {', '.join(GROUPS)}, all"
                )
            else:
                names.append(n)
    return [g for g in GROUPS if g in names]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Benchmark `dataip hash` against openssl dgst -sm3 and sha256sum.",
        epilog="names for --only: " + ", ".join(GROUPS),
    )
    ap.add_argument(
        "--quick",
        action="store_true",
        help="1/8 of the data, 100,000 empty files, 1 run after the warm-up "
        "(about a minute; not the reference figures)",
    )
    ap.add_argument(
        "--data-dir",
        type=Path,
        default=ROOT / "bench-data",
        help="where generated data is kept and reused (default: bench-data/)",
    )
    ap.add_argument(
        "--only",
        action="append",
        metavar="NAMES",
        help="comma-separated groups to run (repeatable): " + ", ".join(GROUPS),
    )
    ap.add_argument("--strict", action="store_true", help="exit 1 if a target fails")
    ap.add_argument(
        "--reps",
        type=int,
        default=0,
        help="timed runs per measurement after the warm-up (default 3, quick 1)",
    )
    ap.add_argument(
        "--jobs",
        type=int,
        default=0,
        help="pass --jobs N to dataip hash (default: its own default)",
    )
    ap.add_argument(
        "--dataip",
        default=str(ROOT / ".venv" / "bin" / "dataip"),
        help="the dataip executable (default: .venv/bin/dataip)",
    )
    ap.add_argument(
        "--idle-wait",
        type=float,
        default=0,
        metavar="S",
        help="before each run, wait up to S seconds until other processes use less than "
        f"{IDLE_LOAD} core (for shared machines; default 0: do not wait)",
    )
    ap.add_argument("--json-out", type=Path, help="also write all figures as JSON to this file")
    args = ap.parse_args(argv)
    try:
        groups = parse_only(args.only)
    except ValueError as e:
        ap.error(str(e))
    prof = dict(PROFILES["quick" if args.quick else "full"])
    data_dir = (args.data_dir / "quick") if args.quick else args.data_dir
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    for tool in ("openssl", "sha256sum"):
        if not shutil.which(tool):
            print(f"bench.py: {tool} not found", file=sys.stderr)
            return 2
    dataip = [args.dataip]
    t_start = time.perf_counter()
    machine = machine_info(data_dir, dataip)
    b = Bench(args, prof, data_dir, dataip)
    b.wait_idle()
    engine = engine_speed(["sm3", "sha256"])
    run = {
        "sm3": lambda: b.group_sm3_sha256("sm3"),
        "sha256": lambda: b.group_sm3_sha256("sha256"),
        "small": b.group_small,
        "tiny": b.group_tiny,
        "sparse": b.group_sparse,
        "many": b.group_many,
    }
    for g in groups:
        try:
            run[g]()
        except BenchError as e:
            b.errors.append(f"{g}: {e}")
            log(f"ERROR in {g}: {e}")
    b.wait_idle()
    engine_end = engine_speed(["sm3", "sha256"])
    text = b.report(machine, engine, engine_end, time.perf_counter() - t_start)
    print(text, flush=True)
    if args.json_out:
        doc = {
            "quick": args.quick,
            "machine": machine,
            "engine_bytes_per_s": engine,
            "engine_bytes_per_s_end": engine_end,
            "reps": b.reps,
            "timings": {k: t.as_dict() for k, t in b.timings.items()},
            "targets": [
                dict(zip(("name", "measured", "median", "target", "result"), t, strict=True))
                for t in b.targets
            ],
            "errors": b.errors,
            "notes": list(dict.fromkeys(b.notes)),
        }
        args.json_out.write_text(json.dumps(doc, indent=1) + "\n")
    if b.errors:
        return 2
    if args.strict and any(t[-1] != "PASS" for t in b.targets):
        return 1
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("bench.py: interrupted", file=sys.stderr)
        sys.exit(130)
