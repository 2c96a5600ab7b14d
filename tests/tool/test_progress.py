"""The progress line on a terminal: files, bytes, rate and ETA, throttled, cleared at the end."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from dataip.tool import TerminalProgress

from ._support import golden, run_with_terminal_stderr

MIB = 1024 * 1024


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_line_shows_files_bytes_rate_and_eta() -> None:
    clock, out = Clock(), io.StringIO()
    progress = TerminalProgress(out, "en", clock=clock)
    progress.start(10, 8 * MIB)
    clock.now += 2.0
    progress.advance(5, 2 * MIB)
    # 2 MiB in 2 s is 1 MiB/s; 6 MiB remain: 6 s.
    assert out.getvalue() == ("\r[ 25%] 5/10 Files  2.0 MiB/8.0 MiB  1.0 MiB/s  ETA 00:00:06\x1b[K")
    progress.finish()
    assert out.getvalue().endswith("\r\x1b[K")


def test_line_is_chinese_with_lang_zh() -> None:
    clock, out = Clock(), io.StringIO()
    progress = TerminalProgress(out, "zh", clock=clock)
    progress.start(2, 0)
    clock.now += 1.0
    progress.advance(1, 0)
    assert "1/2 文件数" in out.getvalue()
    assert "[ 50%]" in out.getvalue()


def test_updates_are_throttled_and_nothing_is_cleared_if_nothing_was_shown() -> None:
    clock, out = Clock(), io.StringIO()
    progress = TerminalProgress(out, "en", clock=clock)
    progress.start(100, 100 * MIB)
    clock.now += 1.0
    progress.advance(1, MIB)
    first = out.getvalue()
    clock.now += TerminalProgress.INTERVAL / 2
    progress.advance(1, MIB)
    assert out.getvalue() == first  # too soon for a second line
    clock.now += TerminalProgress.INTERVAL
    progress.advance(1, MIB)
    assert out.getvalue().count("\r[") == 2

    silent = io.StringIO()
    TerminalProgress(silent, "en", clock=Clock()).finish()
    assert silent.getvalue() == ""


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_hash_shows_progress_on_a_terminal_and_clears_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    golden.make_sparse(data / "big.bin", 64 * MIB)
    (data / "small.txt").write_bytes(b"x")
    proc, raw = run_with_terminal_stderr(["hash", str(data), "--lang", "en", "--jobs", "1"])
    assert proc.returncode == 0
    shown = raw.decode()
    assert "Files" in shown
    assert "/s  ETA " in shown
    assert shown.endswith("\r\x1b[K")  # the line is cleared before the result is printed
