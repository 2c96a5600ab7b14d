"""Fixtures for the core tests: the RFC 6962 vectors and the golden datasets (read-only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import golden, reference

VECTORS = golden.VECTORS


@pytest.fixture(scope="session")
def vectors_dir() -> Path:
    if not (VECTORS / "inclusion").is_dir() or not (VECTORS / "consistency").is_dir():
        pytest.fail(
            f"RFC 6962 test vectors not found at {VECTORS} (a copy of "
            "shared/testvectors/rfc6962-merkle kept in the repository)"
        )
    return VECTORS


@pytest.fixture(scope="session")
def golden_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The golden dataset. Shared by many tests: never modify it, copy it."""
    return golden.build_golden(tmp_path_factory.mktemp("golden") / "dataset")


@pytest.fixture(scope="session")
def golden_ref(golden_dir: Path) -> dict[str, reference.Digest]:
    return {alg: reference.digest(golden_dir, alg) for alg in reference.ALGS}


@pytest.fixture
def small_dir(tmp_path: Path) -> Path:
    return golden.build_small(tmp_path / "small")
