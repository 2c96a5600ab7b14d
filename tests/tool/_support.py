"""Helpers shared by the tool tests: the reference implementation and dataset builders of
tests/core (loaded by path, they are plain files there), and ways to run the CLI."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from dataip.tool import main

CORE_TESTS = Path(__file__).resolve().parents[1] / "core"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _load(name: str) -> ModuleType:
    module_name = f"dataip_tests_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, CORE_TESTS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


reference: Any = _load("reference")
golden: Any = _load("golden")


def dataip_command() -> str:
    """The installed console script, next to the interpreter running the tests."""
    found = shutil.which("dataip", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail(f"the `dataip` console script is not installed beside {sys.executable}")
    return found


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def error_line(self) -> str:
        """The one-line error message; fails unless stderr is exactly one non-empty line."""
        lines = list(self.err.splitlines())
        assert len(lines) == 1, f"stderr must be one line, got {self.err!r}"
        assert lines[0].strip(), f"stderr must be one line, got {self.err!r}"
        return lines[0]


def run_main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> Result:
    capsys.readouterr()
    try:
        code = main(argv)
    except SystemExit as e:  # argparse exits; the status is what matters to a user
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def clean_env(lang: str = "C.UTF-8", **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG")) and k != "LANGUAGE"
    }
    env.pop("COVERAGE_PROCESS_START", None)
    env.pop("PYTHONIOENCODING", None)
    env.pop("PYTHONUTF8", None)
    env.update(LC_ALL=lang, LANG=lang)
    env.update(extra)
    return env


def run_cmd(argv: list[str], *, env: dict[str, str] | None = None, **kwargs: Any) -> Result:
    proc = subprocess.run(
        argv,
        capture_output=True,
        env=env if env is not None else clean_env(),
        timeout=kwargs.pop("timeout", 120),
        stdin=subprocess.DEVNULL,
        check=False,
        **kwargs,
    )
    return Result(proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))


def run_with_terminal_stderr(argv: list[str]) -> tuple[subprocess.CompletedProcess[bytes], bytes]:
    """Run the installed ``dataip`` with stderr on a pseudo-terminal; returns what it showed."""
    master, slave = os.openpty()
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO once the last writer has gone
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        proc = subprocess.run(
            [dataip_command(), *argv],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=slave,
            env=clean_env(),
            timeout=120,
            check=False,
        )
    finally:
        os.close(slave)
        reader.join(timeout=30)
        os.close(master)
    return proc, b"".join(chunks)
