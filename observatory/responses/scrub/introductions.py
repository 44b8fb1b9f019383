"""Detector of self-introductions in the form's other languages: "my name is …",
"I'm …", "me llamo …", "meu nome é …", "мене звати …", "меня зовут …", "اسمي …".

The comment form is offered in English, Arabic, Spanish, Portuguese and Ukrainian, and
people who are not at ease in French write their comment in their own language: their
name after such a phrase was stored verbatim. French self-introductions are in names.py.

The name is the word after the phrase (on the same line or the next one), and up to three
more that continue it: capitalised words in a cased script, known first names and
surnames after a lower-case one ("mi nombre es josé luis"), any word in Arabic script
except a conjunction ("و…") or a function word. "I'm" / "I am" are also how English says
"I'm French" or "I am tired": after them, only a capitalised word that is not a common
word counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from observatory.responses.scrub.spans import Context, Match
from observatory.responses.scrub.text import GAP, WORD, fold, is_capitalised
from observatory.responses.scrub.words import (
    FIRST_NAMES,
    FOREIGN_STOP,
    PARTICLES,
    STOP,
    SURNAMES,
)

_INTRODUCTION: Final = re.compile(
    r"(?i)(?<![\w'])(?:"
    r"(?P<loose>my[ ]+(?:full[ ]+|first[ ]+)?name[ ]+is|my[ ]+name's|"
    r"me[ ]+llamo|mi[ ]+nombre[ ]+es|"
    r"meu[ ]+nome[ ]+(?:é|e)|chamo-me|me[ ]+chamo|"
    r"мене[ ]+зват[иь]|мене[ ]+звуть|мо(?:є|е)[ ]+ім'я|мо(?:е|ё)[ ]+имя|меня[ ]+зов[уё]т|"
    r"меня[ ]+звать|"
    r"و?[اإأ]سمي)"
    r"|(?P<strict>i'm|i[ ]+am)"
    r")(?![\w'])[ ]*[:,-]?(?:[ \t]*\n)?"
)
_MAX_TOKENS: Final = 4
# After "I'm", a capitalised word is more often a nationality or an adjective than a
# name ("I'm Nigerian", "I'm Grateful"): English adjective and demonym endings are not
# names there, unless the word is a known first name ("Christian", "Florian").
_ADJECTIVE_ENDINGS: Final = (
    "ian", "ean", "ese", "ish", "ful", "ous", "ive", "ing", "able", "ible", "less", "ary",
)  # fmt: skip


def _caseless(word: str) -> bool:
    """A word in a script without capitals (Arabic…)."""
    return word.lower() == word.upper()


def _is_stop(word: str) -> bool:
    folded = fold(word)
    if is_capitalised(word) and folded in FIRST_NAMES:  # "Grace", "Claire": names here
        return False
    return folded in STOP or folded in FOREIGN_STOP or len(word) < 2


def _continues(word: str, first: str) -> bool:
    """Whether `word` continues the name that began with `first`."""
    if _is_stop(word):
        return False
    if _caseless(word):
        return _caseless(first) and not word.startswith("و")
    if is_capitalised(word):
        return True
    folded = fold(word)
    return not is_capitalised(first) and (folded in FIRST_NAMES or folded in SURNAMES)


def _name_end(text: str, pos: int, *, strict: bool) -> int:
    """End of the name whose first word starts at `pos` (after blanks), or -1."""
    gap = GAP.match(text, pos)
    token = WORD.match(text, gap.end() if gap else pos)
    if token is None:
        return -1
    first = token.group()
    if _is_stop(first) or (strict and not (is_capitalised(first) or _caseless(first))):
        return -1
    if strict and _caseless(first):  # "I'm" + a word in Arabic script: not English.
        return -1
    folded = fold(first)
    if strict and folded.endswith(_ADJECTIVE_ENDINGS) and folded not in FIRST_NAMES:
        return -1
    end = token.end()
    count = 1
    i = end
    while count < _MAX_TOKENS:
        gap = GAP.match(text, i)
        token = WORD.match(text, gap.end()) if gap else None
        if token is None:
            break
        word = token.group()
        if fold(word) in PARTICLES and not _caseless(word):  # "João da Silva"
            i = token.end()
            continue
        if not _continues(word, first):
            break
        count += 1
        end = i = token.end()
    return end


def find_introductions(text: str, ctx: Context) -> Iterator[Match]:
    for m in _INTRODUCTION.finditer(text):
        end = _name_end(text, m.end(), strict=m.group("strict") is not None)
        if end > 0:
            gap = GAP.match(text, m.end())
            yield Match("name", gap.end() if gap else m.end(), end)
