"""``dataip receipt verify RECEIPT [--data PATH]``: check an evidence receipt fully offline.

Exit status as the offline tool's: 0 valid, 1 a check failed (the message names the part),
2 bad input, 130 interrupted. Needs the platform's dependencies (``cryptography``,
``asn1crypto``), not Django.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from dataip.core.documents import load_json
from dataip.core.errors import DataipError, Interrupted, Text, VerificationError
from dataip.core.receipt import ReceiptCheck, check_data, verify_receipt
from dataip.tool import (
    EXIT_BAD_INPUT,
    EXIT_INTERRUPTED,
    EXIT_MISMATCH,
    EXIT_OK,
    TerminalProgress,
    _error,
    _Parser,
    _UsageError,
    detect_lang,
)

RECEIPT = Text("存证凭证", "receipt")

LINES = {
    "valid": ("存证凭证有效", "The receipt is valid"),
    "evidence_id": ("存证编号", "Evidence id"),
    "alg": ("算法", "Algorithm"),
    "root": ("哈希值", "Hash value"),
    "files": ("文件数 / 总字节数", "Files / total bytes"),
    "log": ("透明日志", "Transparency log"),
    "index": ("日志序号 / 树大小", "Leaf index / tree size"),
    "key": ("日志公钥标识", "Log key id"),
    "time": ("可信时间（RFC 3161）", "Trusted time (RFC 3161)"),
    "tsa": ("时间戳机构", "Time-stamping authority"),
    "data": ("数据", "Data"),
    "data_ok": ("一致：数据与存证记录相符", "OK: the data matches the record"),
    "unpinned_key": (
        "注意：未用 --log-key 指定日志公钥，所用的是凭证自带的公钥；"
        "请与平台 /log/key 公布的公钥核对",
        "note: no --log-key given, so the receipt's own key was used; compare it with the key "
        "published at /log/key",
    ),
    "unpinned_tsa": (
        "注意：未用 --tsa-ca 指定时间戳根证书，所用的是凭证自带的证书；请与平台 /log/tsa.pem 核对",
        "note: no --tsa-ca given, so the receipt's own certificates were used; compare them with "
        "/log/tsa.pem",
    ),
}


def _line(key: str, lang: str) -> str:
    zh, en = LINES[key]
    return zh if lang == "zh" else en if lang == "en" else f"{zh} / {en}"


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="dataip receipt",
        description="存证凭证 / evidence receipts (dataip-receipt/1)",
    )
    verbs = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    verbs.required = True
    v = verbs.add_parser(
        "verify",
        help="离线校验存证凭证 / check a receipt offline",
        description="离线校验存证凭证：存证声明、日志签名、包含证明、RFC 3161 时间戳；"
        "加 --data 时再校验数据 / check a receipt offline: statement, log signature, "
        "inclusion proof, RFC 3161 time stamp; with --data, also the data on disk",
    )
    v.add_argument("receipt", metavar="RECEIPT", help="the receipt file (JSON)")
    v.add_argument("--data", metavar="PATH", help="the dataset (file or directory) to re-hash")
    v.add_argument(
        "--exclude", action="append", default=[], metavar="GLOB", help="as given to dataip hash"
    )
    v.add_argument(
        "--log-key",
        metavar="VKEY",
        help="the log's verifier key as published at /log/key (or @FILE holding it)",
    )
    v.add_argument(
        "--tsa-ca",
        metavar="PEMFILE",
        help="trusted TSA certificate(s), e.g. /log/tsa.pem saved to a file",
    )
    v.add_argument("--lang", choices=("zh", "en", "both"), help="message language")
    v.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser


def main(argv: list[str]) -> int:
    """Run ``dataip receipt ...``; returns the exit status."""
    lang = detect_lang(argv)
    try:
        args = _parser().parse_args(argv)
    except _UsageError as e:
        _error("用法错误 usage error", str(e))
        return EXIT_BAD_INPUT
    except SystemExit as e:  # --help
        return int(e.code or 0)
    try:
        return _verify(args, lang)
    except (KeyboardInterrupt, Interrupted):
        _error("错误 error", Interrupted().message(lang))
        return EXIT_INTERRUPTED
    except DataipError as e:
        _error("错误 error", e.message(lang))
        return EXIT_MISMATCH if isinstance(e, VerificationError) else EXIT_BAD_INPUT
    except OSError as e:
        _error("错误 error", f"{e.filename}: {e.strerror}")
        return EXIT_BAD_INPUT


def _verify(args: argparse.Namespace, lang: str) -> int:
    from dataip.core import tsp  # noqa: PLC0415

    doc = load_json(args.receipt, RECEIPT)
    log_key = args.log_key
    if log_key is not None and log_key.startswith("@"):
        log_key = Path(log_key[1:]).read_text(encoding="utf-8").strip()
    roots = None
    if args.tsa_ca:
        roots = tsp.load_pem_certificates(Path(args.tsa_ca).read_bytes())
    check = verify_receipt(doc, log_key=log_key, tsa_roots=roots)
    if args.data:
        progress = TerminalProgress(sys.stderr, lang) if sys.stderr.isatty() else None
        check_data(check.statement, args.data, exclude=args.exclude, progress=progress)
    if args.json:
        sys.stdout.write(json.dumps(_result(check, args), ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    s = check.statement
    rows = [
        ("evidence_id", s["evidence_id"]),
        ("alg", s["alg"]),
        ("root", s["root"]),
        ("files", f"{s['file_count']} / {s['total_bytes']}"),
        ("log", check.checkpoint.origin),
        ("index", f"{check.index} / {check.checkpoint.size}"),
        ("key", check.log_key.key_id.hex()),
        ("time", check.time.isoformat()),
        ("tsa", check.tsa),
    ]
    if args.data:
        rows.append(("data", _line("data_ok", lang)))
    out = [_line("valid", lang)] + [f"  {_line(k, lang)}: {v}" for k, v in rows]
    if not check.log_key_pinned:
        out.append(_line("unpinned_key", lang))
    if not check.tsa_pinned:
        out.append(_line("unpinned_tsa", lang))
    sys.stdout.write("\n".join(out) + "\n")
    return EXIT_OK


def _result(check: ReceiptCheck, args: argparse.Namespace) -> dict[str, Any]:
    return {
        "valid": True,
        "statement": check.statement,
        "origin": check.checkpoint.origin,
        "index": check.index,
        "tree_size": check.checkpoint.size,
        "root": check.checkpoint.root.hex(),
        "log_key_id": check.log_key.key_id.hex(),
        "log_key_pinned": check.log_key_pinned,
        "time": check.time.isoformat(),
        "tsa": check.tsa,
        "tsa_pinned": check.tsa_pinned,
        "data_checked": bool(args.data),
    }
