"""``scripts/demo.py`` (what ``make run`` shows first), run whole through the real ``dataip``."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

DEMO = Path(__file__).resolve().parents[2] / "scripts" / "demo.py"


def load_demo() -> ModuleType:
    spec = importlib.util.spec_from_file_location("demo", DEMO)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_the_sample_dataset_is_the_same_on_every_run(tmp_path):
    demo = load_demo()
    demo.generate_dataset(tmp_path / "a")
    demo.generate_dataset(tmp_path / "b")
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert sorted(tree(tmp_path / "a")) == [
        "README.txt",
        "devices.csv",
        "operation/2026-01.csv",
        "operation/2026-02.csv",
        "strategy/tariff.csv",
    ]


def test_the_demo_hashes_verifies_proves_and_catches_a_change(tmp_path):
    result = subprocess.run(
        [sys.executable, str(DEMO), "--no-serve", "--var", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((tmp_path / "demo-evidence" / "manifest.json").read_text())
    assert manifest["file_count"] == 5
    for command in ("hash", "verify", "prove", "verify-proof"):
        assert f"$ dataip {command} " in result.stdout
    assert manifest["root"] in result.stdout
    assert "operation/2026-02.csv" in result.stdout  # the changed file is named
