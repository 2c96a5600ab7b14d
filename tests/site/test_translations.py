"""The translation catalogues of the apps agree with each other.

Django merges every app's catalogue into one per language: for a message id translated in two
apps, only the first app's text is ever shown (LOCALE_PATHS, then INSTALLED_APPS in order). Two
different texts for one id mean one app silently shows the other's wording.
"""

from __future__ import annotations

import gettext
from collections import defaultdict
from pathlib import Path

import dataip

PACKAGE = Path(dataip.__file__).resolve().parent


def test_one_message_id_has_one_chinese_text_in_every_catalogue():
    catalogues = sorted(PACKAGE.glob("*/locale/zh_Hans/LC_MESSAGES/django.mo"))
    assert len(catalogues) >= 6  # site and the apps with pages
    texts: dict[object, dict[str, str]] = defaultdict(dict)
    for mo in catalogues:
        with mo.open("rb") as f:
            catalogue = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
        for msgid, text in catalogue.items():
            if msgid:  # "" is the header
                texts[msgid][mo.parts[-5]] = text
    disagreeing = {k: v for k, v in texts.items() if len(set(v.values())) > 1}
    assert disagreeing == {}
