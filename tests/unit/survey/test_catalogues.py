"""Every string a citizen can read exists in every language (tools/i18n.py keeps them in step)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from survey.i18n import LANGUAGES, Translator, catalogue

TOOL = Path(__file__).resolve().parents[3] / "tools" / "i18n.py"


def load_tool():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("i18n_tool", TOOL)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_catalogues_are_complete_and_up_to_date() -> None:
    assert load_tool().problems() == []


def test_placeholders_survive_translation() -> None:
    for code in LANGUAGES:
        for source, translated in catalogue(code).items():
            assert set(re.findall(r"%\(\w+\)s", source)) == set(
                re.findall(r"%\(\w+\)s", translated)
            )


def test_translator_formats_and_falls_back_to_french() -> None:
    english = Translator("en")
    assert english.gettext("Question %(n)s sur %(total)s", n=2, total=9).startswith("Question 2")
    assert english.gettext("texte sans traduction") == "texte sans traduction"
    assert Translator("xx").language.code == "fr"
