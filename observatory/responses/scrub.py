"""Remove personal data from free text before it is ever stored.

Replaced, not deleted, so a team still reads that something was there: e-mail addresses,
phone numbers, social-security numbers (NIR), card numbers, postal addresses and names
introduced by "je m'appelle", "M.", "Mme"...
"""

from __future__ import annotations

import re

_NAME = r"[A-ZÀ-ÖØ-Þ][\w'’-]+(?:\s+[A-ZÀ-ÖØ-Þ][\w'’-]+)?"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[courriel]"),
    # NIR: sex digit, year, month, department (2A/2B), commune, order, optional key.
    (
        re.compile(
            r"\b[12][\s.]?\d{2}[\s.]?\d{2}[\s.]?(?:\d{2}|2[AB])[\s.]?\d{3}[\s.]?\d{3}(?:[\s.]?\d{2})?\b"
        ),
        "[numéro]",
    ),
    (re.compile(r"\b(?:\d[ -]?){13,19}\b"), "[numéro]"),
    (re.compile(r"(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}\b"), "[téléphone]"),
    (
        re.compile(
            r"\b\d{1,4}\s?(?:bis|ter)?,?\s+(?:rue|avenue|av\.?|boulevard|bd|place|chemin|impasse|allée|route|quai|cours)\b[^,.;\n]*",
            re.IGNORECASE,
        ),
        "[adresse]",
    ),
    (
        re.compile(r"(?i:\b(je\s+m['’]?\s*appelle|mon\s+nom\s+est|moi\s+c['’]est))\s+" + _NAME),
        r"\1 [nom]",
    ),
    (re.compile(r"\b(M\.|Mme|Mlle|Monsieur|Madame|Mr)\s+" + _NAME), r"\1 [nom]"),
]


def scrub(text: str) -> str:
    """The text with every recognised piece of personal data replaced by a placeholder."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text.strip()
