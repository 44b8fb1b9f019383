"""Detectors of contact details and numbers: e-mails, phones, NIR, cards, IBAN/RIB,
identifiers after a label, secrets after "mot de passe"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from observatory.responses.scrub.spans import Context, Match
from observatory.responses.scrub.text import fold, word_set
from observatory.responses.scrub.words import STOP

_DIGITS_ONLY = re.compile(r"\D")

# What people type between the digits of one number: a space, a dot, a dash, and also an
# underscore or a comma (invisible characters are already gone, see normalise.py). One
# character at a time, so that "le 12, 14 et 16" or "2 - 3" stay apart.
_SEP = r"[ .\-_,]"
# Phone numbers also take a slash ("06/12/34/56/78"); long numbers do not, so that two
# dates side by side ("12/03/2024 14/03/2024") are not one number.
_PHONE_SEP = r"[ .\-_,/]"

# An e-mail address as people dictate it when they fear a bare one would be refused or
# do not find the key: "@" with or without spaces, "at", "(at)", "arobase" (fr),
# "arroba" (es, pt); dots as ".", " . ", "point" (fr), "dot", "punto" (es), "ponto" (pt).
# A sentence end (". ") is not a dot, so "at work. It was" is never an address.
_SPELLED_AT = r"(?:arobase|arobas|arrobase|arobaz|arroba)"
_SPELLED_DOT = r"(?:point|dot|punto|ponto)"
_AT = (
    r"(?:[ ]?@[ ]?"
    rf"|[ ]?[(\[](?:at|{_SPELLED_AT})[)\]][ ]?"
    rf"|[ ](?:(?P<word_at>at)|{_SPELLED_AT})[ ])"
)
_DOT = rf"(?:\.|[ ]\.[ ]?|[ ]?[(\[]{_SPELLED_DOT}[)\]][ ]?|[ ]{_SPELLED_DOT}[ ])"
# In the name part, a bare dot is part of the word ([\w.+-]); a spaced one must be
# spaced on both sides, so that "Merci. jean@example.fr" does not take "Merci".
_LOCAL_DOT = rf"(?:[ ]\.[ ]|[ ]?[(\[]{_SPELLED_DOT}[)\]][ ]?|[ ]{_SPELLED_DOT}[ ])"
_EMAIL = re.compile(
    rf"(?<![\w.+-])[\w.+-]{{1,64}}(?:{_LOCAL_DOT}[\w.+-]{{1,64}}){{0,3}}{_AT}"
    rf"[\w-]{{1,63}}(?:{_DOT}[\w-]{{1,63}}){{0,4}}{_DOT}(?P<tld>[a-z]{{2,12}})(?![\w-])",
    re.IGNORECASE,
)
# "at" is an English word: "x at y dot tld" is an address only with a usual top-level
# domain ("I was at home dot… " or "at work.it" are not).
_USUAL_TLDS: Final = word_set(
    "com fr net org eu be ch ca lu mc info biz es pt uk ma dz tn sn ci cm ml ua ru de br "
    "re gp mq gf yt pf nc io co"
)

_IBAN = re.compile(
    rf"(?<![^\W_])(?:[A-Z]{{2}}|[Ff][Rr]|[Mm][Cc])\d{{2}}(?:{_SEP}?[0-9A-Z]){{11,30}}"
    r"(?![0-9A-Za-z])"
)
_IBAN_TAIL = re.compile(rf"(?:{_SEP}[A-Z]+)+$")
_RIB = re.compile(
    rf"(?<![^\W_])\d{{5}}{_SEP}?\d{{5}}{_SEP}?[0-9A-Z]{{11}}{_SEP}?\d{{2}}(?![0-9A-Za-z])"
)
_NIR = re.compile(
    rf"(?<![^\W_])[1-478]{_SEP}?\d{{2}}{_SEP}?(?:0[1-9]|1[0-2]|[2-9]\d){_SEP}?"
    rf"(?:\d{{2}}|2[ABab]){_SEP}?\d{{3}}{_SEP}?\d{{3}}(?:{_SEP}{{0,3}}\d{{2}})?(?![^\W_])"
)
# Thirteen digits or more with single separators: cards (grouped or not), fiscal numbers…
_LONG_NUMBER = re.compile(rf"(?<![\d])\d(?:{_SEP}?\d){{12,}}(?!\d)")

_PHONE_PATTERNS: Final = (
    # +33 6 12 34 56 78, +33 (0)6…, 0033 6…, +262 692 12 34 56, +44 20 7946 0000…
    re.compile(
        r"(?<![^\W_]|\+)(?:\+|00)[ ]?(?:33|262|269|508|590|594|596|681|687|689|\d{1,3})"
        rf"{_SEP}?(?:\(0\)[ ]?|0[ ]?)?\d(?:{_SEP}?\d){{7,10}}(?!\d)"
    ),
    # 06 12 34 56 78, 06.12.34.56.78, 06/12/34/56/78, 06_12_34_56_78, 0612345678: one
    # separator, the same throughout, so that dates and times around do not join in.
    re.compile(rf"(?<![\d])0[1-79](?P<sep>{_PHONE_SEP}?)\d{{2}}(?:(?P=sep)\d{{2}}){{3}}(?!\d)"),
    # 0 6 1 2 3 4 5 6 7 8: one digit at a time, the same separator throughout.
    re.compile(rf"(?<![\d])0(?P<sep>{_PHONE_SEP})[1-79](?:(?P=sep)\d){{8}}(?!\d)"),
    # 0692 12 34 56 (DROM habit)
    re.compile(
        rf"(?<![\d])0[1-79]\d{{2}}(?P<sep>{_PHONE_SEP})\d{{2}}(?:(?P=sep)\d{{2}}){{2}}(?!\d)"
    ),
    # mobile numbers typed with any grouping: 06 12 34 5678, 06.12.345.678
    re.compile(rf"(?<![\d])0[67](?:{_SEP}?\d){{8}}(?!\d)"),
)


def _phone_is_service(digits: str) -> bool:
    """08 numbers and 09 69 numbers belong to services (numéro vert, customer lines)."""
    national = digits
    for prefix in ("0033", "33"):
        if national.startswith(prefix):
            national = "0" + national[len(prefix) :].removeprefix("0")
            break
    return national.startswith(("08", "0969"))


def find_emails(text: str, ctx: Context) -> Iterator[Match]:
    position = 0
    while (m := _EMAIL.search(text, position)) is not None:
        if m.group("word_at") and m.group("tld").lower() not in _USUAL_TLDS:
            # "me at jean.dupont@…": not this one, but maybe one starting further on.
            position = m.start() + 1
            continue
        yield Match("email", m.start(), m.end())
        position = m.end()


def find_numbers(text: str, ctx: Context) -> Iterator[Match]:
    if not ctx.has_digit:
        return
    for m in _IBAN.finditer(text):
        value = m.group()
        # The run may swallow a following all-caps word ("… 189 MERCI"): drop trailing
        # groups without digits.
        trimmed = _IBAN_TAIL.sub("", value)
        if sum(c.isdigit() for c in trimmed) >= 10:
            yield Match("iban", m.start(), m.start() + len(trimmed))
    for m in _RIB.finditer(text):
        yield Match("iban", m.start(), m.end())
    for m in _NIR.finditer(text):
        yield Match("nir", m.start(), m.end())
    for m in _LONG_NUMBER.finditer(text):
        yield Match("card", m.start(), m.end())
    for pattern in _PHONE_PATTERNS:
        for m in pattern.finditer(text):
            digits = _DIGITS_ONLY.sub("", m.group())
            if not _phone_is_service(digits.removeprefix("00")):
                yield Match("phone", m.start(), m.end())


_ID_LABEL = re.compile(
    r"(?i)\b(?:(?:num(?:e|é)ro|num\.?|n°|no\.?|identifiant|id)[ ]?(?:d'[ ]?|de[ ]+|du[ ]+)?"
    r"(?:allocataire|fiscal|client|adh(?:e|é)rent|dossier|passeport|permis|contrat|"
    r"titre[ ]de[ ]s(?:e|é)jour|s(?:e|é)jour|france[ ]?travail|p(?:o|ô)le[ ]?emploi|"
    r"caf|cpam|mutuelle|abonn(?:e|é)|pension)"
    r"|identifiant|allocataire|passeport|titre[ ]de[ ]s(?:e|é)jour|"
    r"num(?:e|é)ro[ ]fiscal)\b"
)
_ID_VALUE = re.compile(r"(?<![\w-])[0-9A-Za-z][0-9A-Za-z-]{4,}(?![\w-])")
_SENTENCE_END = re.compile(r"[.!?;\n]")


def find_ids(text: str, ctx: Context) -> Iterator[Match]:
    if not ctx.has_digit:
        return
    for label in _ID_LABEL.finditer(text):
        window_end = min(len(text), label.end() + 40)
        stop = _SENTENCE_END.search(text, label.end(), window_end)
        window_end = stop.start() if stop else window_end
        for value in _ID_VALUE.finditer(text, label.end(), window_end):
            if sum(c.isdigit() for c in value.group()) >= 4:
                yield Match("id", value.start(), value.end())
                break


_SECRET_LABEL = re.compile(
    r"(?i)(?<![\w'])(?:mot[ ]de[ ]passe|mdp|password|code[ ](?:secret|confidentiel|pin|"
    r"d'acc(?:è|e)s|de[ ]la[ ]carte))(?![\w'])(?P<explicit>[ ]*[:=][ ]*)?"
)
_SECRET_VALUE = re.compile(r"(?<![^\s:=(])[^\s,;()\[\]]{4,40}")


def find_secrets(text: str, ctx: Context) -> Iterator[Match]:
    """'mot de passe : Soleil2024', 'mdp = azerty', 'le mdp de ma boite c'est chouchou75'.

    Right after ':' or '=', the next word is the secret; otherwise the first word with a
    digit in the same sentence, within 40 characters.
    """
    for label in _SECRET_LABEL.finditer(text):
        window_end = min(len(text), label.end() + 40)
        stop = _SENTENCE_END.search(text, label.end(), window_end)
        window_end = stop.start() if stop else window_end
        for value in _SECRET_VALUE.finditer(text, label.end(), window_end):
            word = value.group().rstrip(".")
            explicit = label.group("explicit") is not None and value.start() == label.end()
            if len(word) >= 4 and (
                any(c.isdigit() for c in word) or (explicit and fold(word) not in STOP)
            ):
                yield Match("secret", value.start(), value.start() + len(word))
                break
