"""Detector of people's names: after a trigger ("je m'appelle", "Mme", "merci à",
"la conseillère", "cordialement"…), and known first names anywhere."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from observatory.responses.scrub.spans import Context, Match
from observatory.responses.scrub.text import (
    GAP,
    LETTER,
    WORD,
    fold,
    fold_same_length,
    is_capitalised,
)
from observatory.responses.scrub.words import (
    CAP_AMBIGUOUS,
    DETERMINERS,
    ELISIONS,
    EPONYMS,
    FIRST_NAMES,
    LOWER_AMBIGUOUS,
    PARTICLES,
    PLACE_WORDS,
    STOP,
    SURNAMES,
)

_EPONYM_RE: Final = re.compile(
    r"(?<![\w'])(?:"
    + "|".join(re.escape(e.strip()).replace(r"\ ", r"[ -]+") for e in sorted(EPONYMS))
    + r")(?![\w'])"
)


# --------------------------------------------------------------------------- tokens

# Token modes.
_STRICT = 0  # capitalised (or all caps), not a stop word
_LOOSE = 1  # any case, not a stop word (after "je m'appelle", "signé"…)
_FIRST = 2  # a known first name, ambiguous ones included (after "merci à"…)
_EXT = 3  # a surname after a name: capitalised, a known surname, or an initial
_STRICT_OR_FIRST = 4  # after a staff role: capitalised, or a known first name in any case


def _first_name_key(folded: str) -> bool:
    if folded in FIRST_NAMES:
        return True
    # "Jean-Pierre", "Marie-Jo", but not "Marie-Galante" nor "Saint-Pierre".
    first, *others = folded.split("-")
    return (
        bool(others)
        and first in FIRST_NAMES
        and all(p in FIRST_NAMES or 1 < len(p) <= 3 for p in others)
    )


def _is_first_name(word: str, folded: str, *, triggered: bool, shouting: bool) -> bool:
    """A known first name; ambiguous ones only when capitalised, some only after a trigger."""
    if not _first_name_key(folded):
        return False
    if "-" in folded:  # "Jean-Pierre": never an ordinary word
        return True
    capitalised = is_capitalised(word) and not (shouting and word.isupper())
    if folded in LOWER_AMBIGUOUS and not (is_capitalised(word) if triggered else capitalised):
        return False
    return triggered or folded not in CAP_AMBIGUOUS


def _is_name_token(word: str, mode: int, shouting: bool) -> bool:
    head, apostrophe, rest = word.partition("'")
    if apostrophe and head.lower() in ELISIONS:
        # "N'Diaye", "d'Artagnan" are surnames; "m'a", "l'accueil", "L'Équipe" are not.
        return mode != _FIRST and is_capitalised(rest) and fold(rest) not in STOP
    folded = fold(word)
    if folded in STOP:
        return False
    capitalised = is_capitalised(word)
    if mode == _LOOSE:
        return len(folded) >= 2
    if mode == _EXT:
        return capitalised or folded in SURNAMES
    if mode == _STRICT or (mode == _STRICT_OR_FIRST and capitalised):
        return capitalised
    # _FIRST, or _STRICT_OR_FIRST in lower case: "merci à Claire", "la conseillère nadia".
    return _is_first_name(word, folded, triggered=True, shouting=shouting)


def _walk_name(
    text: str,
    pos: int,
    first: int,
    rest: int,
    *,
    max_tokens: int = 3,
    shouting: bool = False,
    leading_particles: bool = True,
    started: bool = False,
) -> int:
    """End of the name whose first token starts at `pos` (after blanks), or -1.

    `started` means a name token already ends at `pos` and we are only extending it.
    Particles ("de", "Le") are kept only when a name token follows them.
    """
    end = pos if started else -1
    count = 1 if started else 0
    particles = 0
    has_word = started
    i = pos
    while count < max_tokens:
        gap = GAP.match(text, i)
        if gap is None and (count or particles or started):
            break
        j = gap.end() if gap else i
        token = WORD.match(text, j)
        if token is None:
            break
        word = token.group()
        stop = token.end()
        folded = fold(word)
        if folded in PARTICLES and particles < 2 and (count or leading_particles):
            particles += 1
            i = stop
            continue
        mode = rest if count else first
        if len(word) == 1 and word.isupper():  # an initial: "J. Martin", "Karim B"
            if stop < len(text) and text[stop] == ".":
                stop += 1
            elif not count:
                break
        elif not _is_name_token(word, mode, shouting) or (
            particles and mode == _LOOSE and not is_capitalised(word)
        ):
            break
        else:
            has_word = True
        if not count and rest == _LOOSE and is_capitalised(word):
            # "Mr. Haddad pourrait…": after a capitalised name, only surnames follow.
            rest = _EXT
        count += 1
        particles = 0
        end = i = stop
    # "J. Martin" is a name, "Madame M." or "M. M." alone is not.
    return end if has_word else -1


# --------------------------------------------------------------------------- triggers

_INTRO = re.compile(
    r"(?i)(?<![\w'])(?:"
    r"j(?:e[ ]?|')?[ ]?m'?[ ]?app?ell?e?s?|je[ ]+me[ ]+nomme|"
    r"mon[ ]+(?:nom|pr(?:é|e)nom)(?:[ ]+(?:est|c'est|c))?[ ]*:?|"
    r"(?:nom|pr(?:é|e)nom)(?:[ ]+et[ ]+pr(?:é|e)nom)?[ ]*:|"
    r"sign(?:é|e)e?s?[ ]*:?"
    r")(?![\w'])[ ]*[:,]?(?:[ \t]*\n)?"  # the name may be on the next line
)
_MOI_CEST = re.compile(r"(?i)(?<![\w'])(?:moi[ ]+c'est|de[ ]+la[ ]+part[ ]+de)(?![\w'])")
# A title is followed by a space, or, when it ends with a dot, glued to the name
# ("Mme.Durand", "M.Benali", "Mr.Johnson"): find_names then wants a capital right after.
# English and Spanish titles are capitalised only ("Mrs Patel", "Sra.Martínez"): "miss"
# and "ms" are words or abbreviations in lower case.
_TITLE = re.compile(
    r"(?<![\w.'])(?:(?P<m>M\.?|MM\.?|Dr\.?|Docteur|DOCTEUR|Mrs\.?|MRS\.?|Ms\.?|Miss|"
    r"Sr\.?|Sra\.?|Srta\.?)"
    r"|(?P<abbr>(?i:mr|mme|mlle|melle|mmes)\.?)"
    r"|(?P<full>(?i:madame|monsieur|mademoiselle)))(?=[ \t]|(?<=\.)[^\W\d_])"
)
_STAFF_TRIGGER = re.compile(
    r"(?i)(?<![\w'])(?:merci|bravo|gr(?:â|a)ce|remerci\w*|avec|demande[rz]?|voir|"
    r"f(?:é|e)licitations)(?:[ ]+(?:à|a|au))?(?![\w'])"
)
_ROLE_TRIGGER = re.compile(
    r"(?i)(?<![\w'])(?:conseill(?:er|ère|ere)|m(?:é|e)diat(?:eur|rice)|animat(?:eur|rice)|"
    r"format(?:eur|rice)|b(?:é|e)n(?:é|e)vole|stagiaire|intervenante?|secr(?:é|e)taire|"
    r"accueillante?|dame|agent)(?:[ ]+num(?:é|e)rique)?(?![\w'])"
)
_LIST_JOIN = re.compile(r"(?i)(?:[ ]*,[ ]*|[ ]+et[ ]+(?:(?:à|a)[ ]+)?)")
_STRONG_CLOSER = re.compile(
    r"(?i)(?<![\w'])(?:(?:bien[ ]+)?cordialement|cdlt|cdt|bien[ ]+(?:à|a)[ ]+vous|"
    r"(?:(?:sinc(?:è|e)res|meilleures|respectueuses)[ ]+)?salutations(?:[ ]+distingu(?:é|e)es)?|"
    r"respectueusement)(?![\w'])(?P<sep>[ \t]*[,.;:!-]*[ \t]*\n?\s*)"
)
_WEAK_CLOSER = re.compile(
    r"(?i)(?<![\w'])(?:bises|bisous|amicalement|merci(?:[ ]+(?:encore|beaucoup|bien))?|"
    r"(?:à|a)[ ]+bient(?:ô|o)t|bonne[ ]+(?:journ(?:é|e)e|soir(?:é|e)e))(?![\w'])"
    r"[ \t]*[,.;:!-]*\s*"
)
_SIGNATURE_INITIAL = re.compile(
    r"(?:^|[.!?\n]|[ ]-)[ \t]*(?P<name>[A-Z]\.[ ]?[A-Z][\w'-]+)[\W_]*\Z"
)
_END = re.compile(r"[\W_]*\Z")
_LAST_WORD = re.compile(rf"{LETTER}+$")
_CLAUSE_BREAK = re.compile(r"[.,;:!?()\n\"]")


def _names_after(
    text: str,
    pos: int,
    first: int,
    rest: int,
    ctx: Context,
    *,
    max_tokens: int = 3,
    leading_particles: bool = True,
    lists: bool = False,
) -> Iterator[Match]:
    while True:
        end = _walk_name(
            text,
            pos,
            first,
            rest,
            max_tokens=max_tokens,
            shouting=ctx.shouting,
            leading_particles=leading_particles,
        )
        if end < 0:
            return
        gap = GAP.match(text, pos)
        yield Match("name", gap.end() if gap else pos, end)
        # The next item of "Pierre et Rose", "Sophie, Karim".
        join = _LIST_JOIN.match(text, end) if lists else None
        if join is None:
            return
        pos = join.end()


def _preceded_by_place(text: str, start: int) -> bool:
    window = text[max(0, start - 60) : start]
    clause = _CLAUSE_BREAK.split(window)[-1]
    previous = [fold(w.rpartition("'")[2]) for w in WORD.findall(clause)][-4:]
    return any(w in PLACE_WORDS for w in previous)


def _eponym_spans(text: str) -> list[tuple[int, int]]:
    """Where the text names a street, school or station after a person ("Victor Hugo")."""
    folded = fold_same_length(text)
    return [m.span() for m in _EPONYM_RE.finditer(folded)]


def _is_web_part(text: str, start: int, end: int) -> bool:
    """Part of an e-mail, a URL or a handle ("www.marie-claire.fr", "@sophie")."""
    before = text[start - 1 : start]
    after = text[end : end + 2]
    return (
        (before != "" and before in "./@_:#")
        or (after[:1] != "" and after[:1] in "@_")
        or (after[:1] == "." and after[1:2].isalnum())
    )


def _find_known_first_names(text: str, ctx: Context) -> Iterator[Match]:
    eponyms: list[tuple[int, int]] | None = None
    for token in WORD.finditer(text):
        word = token.group()
        folded = fold(word)
        if not _is_first_name(word, folded, triggered=False, shouting=ctx.shouting):
            continue
        start, end = token.span()
        if _is_web_part(text, start, end) or _preceded_by_place(text, start):
            continue
        if eponyms is None:
            eponyms = _eponym_spans(text)
        if any(a <= start < b for a, b in eponyms):
            continue
        end = _walk_name(text, end, _EXT, _EXT, max_tokens=3, shouting=ctx.shouting, started=True)
        # "DUPONT Jeanne": an all-caps surname before the first name.
        before = text[:start].rstrip(" \t")
        previous = _LAST_WORD.search(before) if not ctx.shouting and len(before) < start else None
        if (
            previous
            and len(previous.group()) > 1
            and previous.group().isupper()
            and fold(previous.group()) not in STOP
        ):
            start = previous.start()
        yield Match("name", start, end)


def find_names(text: str, ctx: Context) -> Iterator[Match]:
    for m in _INTRO.finditer(text):
        yield from _names_after(
            text, m.end(), _LOOSE, _LOOSE, ctx, max_tokens=4, leading_particles=False
        )
    for m in _MOI_CEST.finditer(text):
        yield from _names_after(text, m.end(), _STRICT_OR_FIRST, _EXT, ctx)
    for m in _TITLE.finditer(text):
        if text[m.end()] not in " \t" and not text[m.end()].isupper():
            continue  # "mme.durand" glued in lower case: a login or a file name, not a title
        # "Mme Durand", "MADAME PEREIRA", "la madame Durand": a capitalised name; only a
        # lower-case title ("mme fontaine", "madame durand") admits a lower-case name.
        before = WORD.findall(text[max(0, m.start() - 12) : m.start()])
        determined = bool(before) and fold(before[-1]) in DETERMINERS
        mode = _STRICT if m.group("m") or determined or is_capitalised(m.group()) else _LOOSE
        yield from _names_after(text, m.end(), mode, mode, ctx)
    for m in _STAFF_TRIGGER.finditer(text):
        yield from _names_after(
            text, m.end(), _FIRST, _EXT, ctx, leading_particles=False, lists=True
        )
    for m in _ROLE_TRIGGER.finditer(text):
        yield from _names_after(text, m.end(), _STRICT_OR_FIRST, _EXT, ctx, leading_particles=False)
    for m in _STRONG_CLOSER.finditer(text):
        end = _walk_name(
            text,
            m.end(),
            _LOOSE,
            _LOOSE,
            max_tokens=3,
            shouting=ctx.shouting,
            leading_particles=False,
        )
        if end < 0:
            continue
        # After "Cordialement." the name must end the text ("Cordialement. Le bus…").
        if any(c in m.group("sep") for c in ".!") and not _END.match(text, end):
            continue
        yield Match("name", m.end(), end)
    for m in _WEAK_CLOSER.finditer(text):
        end = _walk_name(
            text,
            m.end(),
            _STRICT_OR_FIRST,
            _EXT,
            max_tokens=3,
            shouting=ctx.shouting,
            leading_particles=False,
        )
        if end > 0 and _END.match(text, end):
            yield Match("name", m.end(), end)
    signature = _SIGNATURE_INITIAL.search(text)
    if signature and fold(signature.group("name").split(".")[-1].strip()) not in STOP:
        yield Match("name", signature.start("name"), signature.end("name"))
    yield from _find_known_first_names(text, ctx)
