"""The error hierarchy and its bilingual messages (dataip.core.errors)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dataip.core.errors import (
    DataipError,
    InputError,
    Interrupted,
    ManifestError,
    UnsupportedAlgorithm,
    VerificationError,
)
from dataip.core.hashing import hash_dataset

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_hierarchy() -> None:
    assert issubclass(DataipError, Exception)
    assert issubclass(InputError, DataipError)
    assert issubclass(ManifestError, InputError)
    assert issubclass(UnsupportedAlgorithm, InputError)
    assert issubclass(VerificationError, DataipError)
    assert not issubclass(VerificationError, InputError)
    assert issubclass(Interrupted, DataipError)
    assert not issubclass(Interrupted, InputError)


def _error(path: Path) -> DataipError:
    with pytest.raises(InputError) as info:
        hash_dataset(path)
    return info.value


def test_messages_in_both_languages(tmp_path: Path) -> None:
    err = _error(tmp_path / "missing-dir")
    en, zh, both = err.message("en"), err.message("zh"), err.message("both")
    assert str(err) == en
    assert en
    assert not CJK.search(en)
    assert CJK.search(zh)
    assert CJK.search(both)
    assert re.search(r"[A-Za-z]{4}", both)
    for text in (en, zh, both):
        assert "missing-dir" in text
        assert "\n" not in text.strip()


def test_codes_are_stable_and_distinct(tmp_path: Path) -> None:
    first = _error(tmp_path / "one")
    second = _error(tmp_path / "two")
    assert isinstance(first.code, str)
    assert re.fullmatch(r"[A-Za-z0-9_.:/-]+", first.code)
    assert first.code == second.code
    empty = tmp_path / "empty"
    (empty / "sub").mkdir(parents=True)
    assert _error(empty).code != first.code
