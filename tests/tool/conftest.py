"""Fixtures for the tool tests (golden datasets are read-only: copy before changing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ._support import golden, reference


@pytest.fixture(scope="session")
def golden_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path: Path = golden.build_golden(tmp_path_factory.mktemp("tool-golden") / "dataset")
    return path


@pytest.fixture(scope="session")
def golden_ref(golden_dir: Path) -> dict[str, Any]:
    return {alg: reference.digest(golden_dir, alg) for alg in reference.ALGS}


@pytest.fixture
def small_dir(tmp_path: Path) -> Path:
    path: Path = golden.build_small(tmp_path / "data")
    return path
