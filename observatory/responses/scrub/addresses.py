"""Detector of postal addresses: number + street type + name, lieu-dit, résidence…,
with building details and the postal code + city that follow."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from observatory.responses.scrub.spans import Context, Match
from observatory.responses.scrub.text import GAP, WORD, fold, is_capitalised
from observatory.responses.scrub.words import (
    ADDRESS_CONNECTORS,
    ADDRESS_DETAILS,
    ADDRESS_STOP,
    AMBIGUOUS_STREETS,
    ELISIONS,
    FOREIGN_STOP,
    MONTHS,
    STOP,
)

_STREET = (
    r"(?P<type>rue|r\.|avenue|av\.?|ave\.?|boulevard|bd\.?|blvd|bld|place|pl\.|chemin|ch\.|"
    r"impasse|imp\.|all(?:é|e)e|all\.|route|rte\.?|quai|cours|square|sq\.|passage|villa|"
    r"cit(?:é|e)|r(?:é|e)sidence|r(?:é|e)s\.|lotissement|lot\.|hameau|lieu[ -]?dit|"
    r"faubourg|fbg|fg|voie|sentier|rond-point|mont(?:é|e)e|traverse|promenade|esplanade|"
    r"parvis|clos|domaine|ruelle|venelle|sente|chauss(?:é|e)e|c(?:ô|o)te|mail|quartier|"
    r"zone|zac|za|zi|parc|cour|port|grande?[ -]rue|grand'rue)"
)
_NUMBERED_STREET = re.compile(
    r"(?<![\w.,/€$-])(?:n°[ ]?|no[ ])?\d{1,4}(?:[ ]?[-/][ ]?\d{1,4})?"
    r"(?:[ ]?(?:bis|ter|quater|[a-dA-D])\b)?[ ]?,?[ ]{0,2}(?:de[ ]la[ ]|du[ ])?"
    + _STREET
    + r"(?![\w'-])",
    re.IGNORECASE,
)
# English order: number, name, street type ("12 Baker Street", "221B Oak Avenue"). The
# name is one to three words; capitalised, unless the type is unambiguous ("12 baker
# street"), see find_addresses.
_ENGLISH_STREET = re.compile(
    r"(?<![\w.,/€$-])\d{1,4}[A-Za-z]?(?:[ ]?[-/][ ]?\d{1,4})?,?[ ]{1,2}"
    r"(?P<name>(?:[^\W\d_][\w'-]*[ ]){1,3})"
    r"(?P<type>(?i:street|st|road|rd|avenue|ave|lane|ln|drive|close|way|court|crescent|"
    r"terrace|gardens|grove|square|place|boulevard|blvd|row|mews|parade|walk))\.?(?![\w'-])"
)
_UNAMBIGUOUS_ENGLISH: Final = frozenset({"street", "road", "avenue", "lane", "boulevard"})
_UNNUMBERED_STREET = re.compile(
    r"(?<![\w'-])(?P<type>lieu[ -]?dit|r(?:é|e)sidence|lotissement|hameau|cit(?:é|e))(?![\w'-])",
    re.IGNORECASE,
)
_LIVES_IN_STREET = re.compile(
    r"(?<![\w-])(?:j'habite|habite|habitons|habitent|domicili(?:é|e)e?s?|demeurant|"
    r"r(?:é|e)sidant)[ ]+(?:au[ ]+|à[ ]+la[ ]+|a[ ]+la[ ]+|dans[ ]+la[ ]+)?"
    + _STREET
    + r"(?![\w'-])",
    re.IGNORECASE,
)
_DETAILS = re.compile(
    r"(?:[ ]*,?[ ]*(?:b(?:â|a)t(?:iment)?\.?|app?t?\.?|appart(?:ement)?|esc(?:alier)?\.?|"
    r"(?:é|e)tage|porte|entr(?:é|e)e|log(?:ement)?\.?)[ ]*[0-9A-Za-z]{1,4}(?![\w]))+",
    re.IGNORECASE,
)
_POSTAL = re.compile(r"[ \t]*[,-]?[ \t]*\n?[ \t]*(?:\d{5}|\d{2}[ ]\d{3})(?!\d)")
_CITY_EXTRA = re.compile(r"[ ]+(?:cedex(?:[ ]\d{1,2})?|\d{1,2}(?:e|è|ème|eme|er)\b)", re.IGNORECASE)
_NUMBER_TOKEN = re.compile(r"\d{1,4}(?:er)?(?!\d)")


def _date_in_street(text: str, pos: int, previous: str) -> int:
    """End of a date inside a street name ("rue du 8 Mai 1945"), or -1."""
    number = _NUMBER_TOKEN.match(text, pos)
    if number is None:
        return -1
    if previous in MONTHS and len(number.group()) == 4:
        return number.end()
    after = GAP.match(text, number.end())
    following = WORD.match(text, after.end()) if after else None
    if previous in ("du", "de") and following and fold(following.group()) in MONTHS:
        return number.end()
    return -1


def _walk_street_name(text: str, pos: int, *, need_capital: bool, max_tokens: int = 6) -> int:
    """End of a street or city name starting after `pos`, or -1 (no name).

    Words follow the case of the first one: "rue des Lilas", "rue des lilas", but not
    "69006 LYON au lieu de…". Connectors ("de la", "l'") do not count as words.
    """
    end = -1
    count = 0
    i = pos
    capitalised: bool | None = None  # the case of the first word, once seen
    previous = ""
    while count < max_tokens:
        gap = GAP.match(text, i)
        if gap is None:
            break
        date_end = _date_in_street(text, gap.end(), previous)
        if date_end > 0:
            i = end = date_end
            continue
        token = WORD.match(text, gap.end())
        if token is None:
            break
        i = token.end()
        head, apostrophe, rest = token.group().partition("'")
        elided = bool(apostrophe) and head.lower() in ("l", "d")  # "rue de l'Église"
        if apostrophe and not elided and head.lower() in ELISIONS:  # "j'ai", "c'est"
            break
        word = rest if elided else token.group()
        folded = fold(word)
        if not elided and folded in ADDRESS_CONNECTORS:
            previous = folded
            continue
        if folded in ADDRESS_DETAILS or folded in ADDRESS_STOP:
            break
        if capitalised is None:
            if need_capital and not (is_capitalised(word) and folded not in STOP):
                return -1
            capitalised = is_capitalised(word)
        elif capitalised and not is_capitalised(word):
            break
        count += 1
        end = i
        previous = folded
    return end


def _extend_address(text: str, end: int) -> int:
    """Add building details and a following postal code + city to an address."""
    details = _DETAILS.match(text, end)
    if details:
        end = details.end()
    postal = _POSTAL.match(text, end)
    if postal:
        end = postal.end()
        city = _walk_street_name(text, end, need_capital=False, max_tokens=5)
        if city > 0:
            end = city
            extra = _CITY_EXTRA.match(text, end)
            if extra:
                end = extra.end()
    return end


def _street_needs_capital(street_type: str) -> bool:
    return fold(street_type).replace("-", " ") in AMBIGUOUS_STREETS


def _find_english_streets(text: str) -> Iterator[Match]:
    """ "12 Baker Street"; "12 baker street" only with an unambiguous street type."""
    for m in _ENGLISH_STREET.finditer(text):
        words = m.group("name").split()
        if any(
            (fold(w) in STOP or fold(w) in FOREIGN_STOP) and not is_capitalised(w) for w in words
        ):
            continue  # "2 more road trips", "3 fois street"
        if all(is_capitalised(w) for w in words) or fold(m.group("type")) in _UNAMBIGUOUS_ENGLISH:
            yield Match("address", m.start(), _extend_address(text, m.end()))


def find_addresses(text: str, ctx: Context) -> Iterator[Match]:
    if ctx.has_digit:
        for m in _NUMBERED_STREET.finditer(text):
            street = fold(m.group("type"))
            if street != "rue" and street.endswith("rue"):  # "1 grande rue" needs no name
                end = _walk_street_name(text, m.end(), need_capital=False)
                yield Match("address", m.start(), _extend_address(text, max(end, m.end())))
                continue
            end = _walk_street_name(
                text, m.end(), need_capital=_street_needs_capital(m.group("type"))
            )
            if end > 0:
                yield Match("address", m.start(), _extend_address(text, end))
        yield from _find_english_streets(text)
    for m in _UNNUMBERED_STREET.finditer(text):
        street = fold(m.group("type")).replace("-", " ")
        is_lieu_dit = street.startswith("lieu")
        end = _walk_street_name(text, m.end(), need_capital=not is_lieu_dit)
        if end < 0:
            details = _DETAILS.match(text, m.end())
            if details is None or street not in ("cite", "residence"):
                continue
            end = m.end()
        elif street == "cite" and _DETAILS.match(text, end) is None:
            continue  # "la Cité des Sciences": a cité is an address only with a building
        yield Match("address", m.start(), _extend_address(text, end))
    for m in _LIVES_IN_STREET.finditer(text):
        end = _walk_street_name(text, m.end(), need_capital=_street_needs_capital(m.group("type")))
        if end > 0:
            yield Match("address", m.start("type"), _extend_address(text, end))
