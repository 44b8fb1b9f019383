"""Translations of everything a citizen reads, from gettext catalogues (survey/translations/*.po).

French strings are the message ids. The language comes from the URL (`?lang=`, carried by every
link and form of a session) or else from the browser's Accept-Language: no cookie, nothing stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from babel.messages.pofile import read_po

DEFAULT = "fr"


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in the language itself, as the switcher shows it
    direction: str  # "ltr" or "rtl"


LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("fr", "Français", "ltr"),
        Language("en", "English", "ltr"),
        Language("ar", "العربية", "rtl"),
        Language("es", "Español", "ltr"),
        Language("pt", "Português", "ltr"),
        Language("uk", "Українська", "ltr"),
    )
}


def N_(message: str) -> str:  # noqa: N802 (the gettext convention extraction looks for)
    """Mark a string for extraction where it is defined; it is translated where it is shown."""
    return message


@cache
def catalogue(code: str) -> dict[str, str]:
    """msgid → translation for one language ({} for French, the source language)."""
    if code == DEFAULT:
        return {}
    source = resources.files("survey").joinpath("translations", f"{code}.po")
    with source.open("rb") as handle:
        po = read_po(handle, locale=code)
    return {
        m.id: m.string
        for m in po
        if isinstance(m.id, str) and m.id and isinstance(m.string, str) and m.string and not m.fuzzy
    }


class Translator:
    """gettext for one language; a missing translation falls back to the French source."""

    def __init__(self, code: str) -> None:
        self.language = LANGUAGES.get(code, LANGUAGES[DEFAULT])
        self._messages = catalogue(self.language.code)

    def gettext(self, message: str, **variables: Any) -> str:
        text = self._messages.get(message, message)
        return text % variables if variables else text

    def ngettext(self, singular: str, plural: str, n: int, **variables: Any) -> str:
        # Our strings avoid plurals by design (plain language); a count reads "n réponse(s)".
        return self.gettext(singular if n == 1 else plural, n=n, **variables)


def choose(requested: str | None, accept_language: Any | None) -> str:
    """The language to use: an explicit, supported choice first, then the browser's preference."""
    if requested in LANGUAGES:
        return str(requested)
    if accept_language is not None:
        best = accept_language.best_match(list(LANGUAGES))
        if best:
            return str(best)
    return DEFAULT
