"""The offline evidence tool: ``hash``, ``verify``, ``prove`` and ``verify-proof``.

This module and :mod:`dataip.core` use only the standard library and run on Python 3.9+, so the
same code ships as the single-file ``dataip-tool.pyz`` that applicants download
(:mod:`dataip.toolbuild`). The console script ``dataip`` adds the platform's own verbs
(``serve``, ``manage``) in :mod:`dataip.cli` and hands every other verb to :func:`main`.

Exit status: 0 success, 1 verification failed, 2 bad input or usage, 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import locale
import os
import sys
import time
import unicodedata
from collections.abc import Sequence
from typing import IO, Any, Callable, NoReturn

from dataip import __version__
from dataip.core.documents import HEX64, PROOF, atomic_writer, load_json
from dataip.core.errors import DataipError, InputError, Interrupted, VerificationError
from dataip.core.hashing import ALGORITHMS, DEFAULT_ALG, FileRecord, Progress, hash_dataset
from dataip.core.manifest import create_manifest, read_manifest
from dataip.core.proof import make_file_proof, verify_file_proof

EXIT_OK, EXIT_MISMATCH, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
KIB = 1024

#: Labels and sentences of the tool's own output: key -> (Chinese, English).
TEXT: dict[str, tuple[str, str]] = {
    "root": ("哈希值", "Hash value"),
    "check_code": ("哈希校验码", "Check code"),
    "alg": ("算法", "Algorithm"),
    "file_count": ("文件数", "Files"),
    "total_bytes": ("总字节数", "Total bytes"),
    "manifest": ("清单", "Manifest"),
    "proof": ("证明", "Proof"),
    "file": ("文件", "File"),
    "index": ("序号", "Index"),
    "added": ("新增", "added"),
    "removed": ("缺失", "removed"),
    "changed": ("变更", "changed"),
    "matches": ("一致：数据与清单相符", "OK: the data matches the manifest"),
    "proof_ok": ("一致：该文件属于此数据集", "OK: the file belongs to this dataset"),
    "proof_written": ("已写入证明", "Proof written"),
    "scanning": ("扫描", "scanning"),
    "error": ("错误", "error"),
    "usage": ("用法错误", "usage error"),
}


def _say(key: str, lang: str) -> str:
    zh, en = TEXT[key]
    return zh if lang == "zh" else en if lang == "en" else zh + " " + en


def detect_lang(argv: Sequence[str]) -> str:
    """``--lang`` if given, else from the locale: ``zh*`` Chinese, ``en*`` English, else both."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv) and argv[i + 1] in ("zh", "en", "both"):
            return argv[i + 1]
        if arg.startswith("--lang=") and arg[7:] in ("zh", "en", "both"):
            return arg[7:]
    name = ""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        name = os.environ.get(var, "")
        if name:
            break
    if not name:
        name = locale.getlocale()[0] or ""
    name = name.lower()
    if name.startswith(("zh", "chinese")):
        return "zh"
    if name.startswith("en"):
        return "en"
    return "both"


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{self.prog}: {message}")


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a positive whole number: {value!r}")
    return number


def _root_hex(value: str) -> str:
    if not HEX64.match(value.lower()):
        raise argparse.ArgumentTypeError(f"must be 64 hex digits: {value!r}")
    return value.lower()


def build_parser() -> argparse.ArgumentParser:
    """The parser of the offline verbs (also used by ``dataip --help``)."""
    common = _Parser(add_help=False)
    common.add_argument(
        "--lang",
        choices=("zh", "en", "both"),
        help="消息语言 / message language (default: from the locale)",
    )
    parser = _Parser(
        prog="dataip",
        description="数据集存证离线工具 / offline dataset evidence tool "
        "(format v1: docs/hash-format-v1.md)",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version="dataip " + __version__)
    verbs = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    verbs.required = True

    h = verbs.add_parser(
        "hash",
        parents=[common],
        help="计算数据集的哈希值与哈希校验码 / hash a dataset",
        description="计算数据集（文件或目录）的哈希值、哈希校验码，可写出清单 / hash a dataset "
        "(a file or a directory): hash value, check code, optional manifest",
    )
    h.add_argument("path", metavar="PATH")
    h.add_argument(
        "--alg",
        choices=ALGORITHMS,
        default=DEFAULT_ALG,
        help="哈希算法 / hash algorithm (default: sm3)",
    )
    h.add_argument("--manifest", metavar="FILE", help="写出清单 / write the manifest to FILE")
    h.add_argument(
        "--jobs",
        type=_positive,
        metavar="N",
        help="并行线程数 / threads (default: the usable cores)",
    )
    h.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="排除匹配的文件或目录，可重复 / leave out matching files or directories "
        "(repeatable; without '/' matches any path component)",
    )
    h.add_argument("--json", action="store_true", help="以 JSON 输出 / print JSON, no progress")
    h.set_defaults(run=_hash)

    v = verbs.add_parser(
        "verify",
        parents=[common],
        help="核对数据与清单 / check data against a manifest",
        description="重新计算数据的哈希并与清单逐个文件比对 / hash the data again and compare it "
        "file by file with the manifest",
    )
    v.add_argument("path", metavar="PATH")
    v.add_argument("--manifest", metavar="FILE", required=True)
    v.add_argument(
        "--alg",
        choices=ALGORITHMS,
        help="期望的算法（须与清单一致）/ expected algorithm (must match the manifest)",
    )
    v.add_argument("--jobs", type=_positive, metavar="N")
    v.add_argument("--json", action="store_true")
    v.set_defaults(run=_verify)

    p = verbs.add_parser(
        "prove",
        parents=[common],
        help="生成单个文件的归属证明 / prove that one file belongs to the dataset",
        description="由清单生成单个文件的包含证明，无需披露其他文件 / make an inclusion proof "
        "for one file from the manifest, revealing no other file",
    )
    p.add_argument(
        "name",
        metavar="NAME",
        help="文件在数据集中的名称 / the file's name in the dataset, as in the manifest",
    )
    p.add_argument("--manifest", metavar="FILE", required=True)
    p.add_argument("--out", metavar="PROOF", required=True)
    p.set_defaults(run=_prove)

    vp = verbs.add_parser(
        "verify-proof",
        parents=[common],
        help="用证明核对单个文件 / check one file against its proof",
        description="核对文件与证明，并验证其属于证明中的数据集 / check that FILE is the proven "
        "file and belongs to the proven dataset",
    )
    vp.add_argument("file", metavar="FILE")
    vp.add_argument("proof", metavar="PROOF")
    vp.add_argument(
        "--root",
        type=_root_hex,
        metavar="HEX",
        help="登记的哈希值 / the registered hash value the proof must lead to",
    )
    vp.add_argument("--json", action="store_true")
    vp.set_defaults(run=_verify_proof)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the tool; returns the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    lang = detect_lang(args_list)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    try:
        args = build_parser().parse_args(args_list)
    except _UsageError as e:
        _error(_say("usage", lang), str(e))
        return EXIT_BAD_INPUT
    except SystemExit as e:  # --help, --version
        return int(e.code or 0)
    args.lang = lang
    try:
        status: int = args.run(args)
    except (KeyboardInterrupt, Interrupted):
        _error(_say("error", lang), Interrupted().message(lang))
        status = EXIT_INTERRUPTED
    except DataipError as e:
        _error(_say("error", lang), e.message(lang))
        status = EXIT_MISMATCH if isinstance(e, VerificationError) else EXIT_BAD_INPUT
    except BrokenPipeError:  # output piped into a command that stopped reading
        status = EXIT_OK
    return status


def _error(label: str, message: str) -> None:
    sys.stderr.write("dataip: {}: {}\n".format(label, " ".join(message.split())))
    sys.stderr.flush()


def _progress(args: argparse.Namespace) -> Progress:
    if getattr(args, "json", False) or not sys.stderr.isatty():
        return Progress()
    return TerminalProgress(sys.stderr, args.lang)


def _print_json(value: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _print_table(rows: list[tuple[str, Any]], lang: str) -> None:
    labels = [_say(key, lang) for key, _ in rows]
    pad = max(_width(label) for label in labels) + 2
    for label, (_, value) in zip(labels, rows):
        sys.stdout.write(label + " " * (pad - _width(label)) + str(value) + "\n")


def _hash(args: argparse.Namespace) -> int:
    progress = _progress(args)
    if args.manifest:
        digest = create_manifest(
            args.path,
            args.manifest,
            alg=args.alg,
            jobs=args.jobs,
            exclude=args.exclude,
            progress=progress,
        )
    else:
        digest = hash_dataset(
            args.path, alg=args.alg, jobs=args.jobs, exclude=args.exclude, progress=progress
        )
    result: dict[str, Any] = {
        "alg": digest.alg,
        "root": digest.root_hex,
        "check_code": digest.check_code,
        "file_count": digest.file_count,
        "total_bytes": digest.total_bytes,
    }
    if args.manifest:
        result["manifest"] = args.manifest
    if args.json:
        _print_json(result)
    else:
        order = ("root", "check_code", "alg", "file_count", "total_bytes", "manifest")
        _print_table([(key, result[key]) for key in order if key in result], args.lang)
    return EXIT_OK


def _verify(args: argparse.Namespace) -> int:
    manifest = read_manifest(args.manifest)
    if args.alg and args.alg != manifest.alg:
        raise InputError("alg_mismatch", manifest_alg=manifest.alg, alg=args.alg)
    recorded = manifest.files
    added: list[str] = []
    removed: list[str] = []
    changed: list[dict[str, Any]] = []
    position = 0

    def compare(record: FileRecord) -> None:
        nonlocal position
        key = record.name.encode("utf-8")
        while position < len(recorded) and recorded[position].name.encode("utf-8") < key:
            removed.append(recorded[position].name)
            position += 1
        if position < len(recorded) and recorded[position].name == record.name:
            old = recorded[position]
            position += 1
            if old.size != record.size or old.root != record.root:
                changed.append(
                    {
                        "name": record.name,
                        "size": [old.size, record.size],
                        "root": [old.root.hex(), record.root.hex()],
                    }
                )
        else:
            added.append(record.name)

    digest = hash_dataset(
        args.path,
        alg=manifest.alg,
        jobs=args.jobs,
        exclude=manifest.excludes,
        on_file=compare,
        progress=_progress(args),
        allow_empty=True,
    )
    removed.extend(r.name for r in recorded[position:])
    ok = not (added or removed or changed)
    if args.json:
        _print_json(
            {
                "ok": ok,
                "alg": manifest.alg,
                "root": manifest.root_hex,
                "data_root": digest.root_hex,
                "added": added,
                "removed": removed,
                "changed": [c["name"] for c in changed],
            }
        )
    elif ok:
        sys.stdout.write(
            "{} ({} {}, {} {})\n".format(
                _say("matches", args.lang),
                _say("file_count", args.lang),
                digest.file_count,
                _say("root", args.lang),
                digest.root_hex,
            )
        )
    else:
        for name in added:
            sys.stdout.write("+ {}: {}\n".format(_say("added", args.lang), name))
        for name in removed:
            sys.stdout.write("- {}: {}\n".format(_say("removed", args.lang), name))
        for c in changed:
            sys.stdout.write(
                "* {}: {} ({} -> {} bytes)\n".format(
                    _say("changed", args.lang), c["name"], c["size"][0], c["size"][1]
                )
            )
    if not ok:
        raise VerificationError(
            "data_mismatch", added=len(added), removed=len(removed), changed=len(changed)
        )
    return EXIT_OK


def _prove(args: argparse.Namespace) -> int:
    manifest = read_manifest(args.manifest)
    proof = make_file_proof(manifest, args.name)
    with atomic_writer(args.out) as out:
        out.write(json.dumps(proof, ensure_ascii=False, indent=2) + "\n")
    _print_table(
        [
            ("proof_written", args.out),
            ("file", proof["file"]["name"]),
            ("index", "{} / {}".format(proof["index"], proof["file_count"])),
            ("root", proof["root"]),
        ],
        args.lang,
    )
    return EXIT_OK


def _verify_proof(args: argparse.Namespace) -> int:
    proof = load_json(args.proof, PROOF)
    verify_file_proof(args.file, proof, expected_root=args.root, source=args.proof)
    result = {
        "ok": True,
        "file": proof["file"]["name"],
        "index": proof["index"],
        "alg": proof["alg"],
        "root": proof["root"],
        "check_code": proof["check_code"],
        "file_count": proof["file_count"],
        "total_bytes": proof["total_bytes"],
    }
    if args.json:
        _print_json(result)
    else:
        sys.stdout.write(_say("proof_ok", args.lang) + "\n")
        _print_table(
            [
                ("file", result["file"]),
                ("root", result["root"]),
                ("check_code", result["check_code"]),
                ("file_count", result["file_count"]),
            ],
            args.lang,
        )
    return EXIT_OK


def _human_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < KIB or unit == "TiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= KIB
    return ""  # pragma: no cover


class TerminalProgress(Progress):
    """A one-line progress display on a terminal: files, bytes, rate, ETA."""

    INTERVAL = 0.2
    needs_totals = True

    def __init__(self, stream: IO[str], lang: str, clock: Callable[[], float] = time.monotonic):
        self.stream, self.lang, self.clock = stream, lang, clock
        self.files = self.bytes = self.total_files = self.total_bytes = 0
        self.started = self.shown = 0.0
        self.dirty = False

    def _write(self, text: str) -> None:
        self.stream.write("\r" + text + "\x1b[K")
        self.stream.flush()
        self.dirty = True

    def scanning(self, files: int, total_bytes: int) -> None:
        now = self.clock()
        if now - self.shown >= self.INTERVAL:
            self.shown = now
            self._write(
                "{}: {:,} {}, {}".format(
                    _say("scanning", self.lang),
                    files,
                    _say("file_count", self.lang),
                    _human_bytes(total_bytes),
                )
            )

    def start(self, files: int, total_bytes: int) -> None:
        self.total_files, self.total_bytes = files, total_bytes
        self.started = self.clock()

    def advance(self, files: int, nbytes: int) -> None:
        self.files += files
        self.bytes += nbytes
        now = self.clock()
        if now - self.shown < self.INTERVAL:
            return
        self.shown = now
        elapsed = max(now - self.started, 1e-9)
        rate = self.bytes / elapsed
        done = (
            self.bytes / self.total_bytes
            if self.total_bytes
            else (self.files / self.total_files if self.total_files else 1.0)
        )
        eta = (self.total_bytes - self.bytes) / rate if rate > 0 else 0.0
        self._write(
            "[{:3.0f}%] {:,}/{:,} {}  {}/{}  {}/s  ETA {}".format(
                done * 100,
                self.files,
                self.total_files,
                _say("file_count", self.lang),
                _human_bytes(self.bytes),
                _human_bytes(self.total_bytes),
                _human_bytes(rate),
                time.strftime("%H:%M:%S", time.gmtime(eta)),
            )
        )

    def finish(self) -> None:
        if self.dirty:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.dirty = False


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
