"""Remove personal data from free text before it is ever stored.

Replaced, not deleted, so a team still reads that something was there:

===========  ================  =====================================================
kind         placeholder       what is recognised
===========  ================  =====================================================
email        ``[courriel]``    addresses, also "x at y.fr", "x arobase y point fr",
                               "x . y @ z . fr", "x (at) y (dot) com", "x arroba y punto es"
phone        ``[téléphone]``   French numbers (any usual grouping), +33/0033, DROM,
                               other international numbers; not 08 / 09 69 services
nir          ``[numéro]``      social-security numbers (13 digits + key, 2A/2B)
card         ``[numéro]``      any run of 13 or more digits (cards, fiscal numbers…)
iban         ``[iban]``        IBAN (any country) and French RIB
id           ``[numéro]``      a code with 4+ digits after a label ("numéro
                               allocataire", "n° de passeport", "identifiant"…)
secret       ``[secret]``      a password or PIN after "mot de passe", "mdp", "code pin"…
address      ``[adresse]``     number + street type + name, lieu-dit, résidence…,
                               English order ("12 Baker Street"),
                               with building/flat details and the postal code + city
name         ``[nom]``         names after a trigger ("je m'appelle", "M.", "Mme",
                               "signé", "cordialement"…), known first names,
                               names after staff roles ("la conseillère …"), and
                               self-introductions in en/es/pt/uk/ru/ar ("my name
                               is", "me llamo", "мене звати", "اسمي"…)
===========  ================  =====================================================

The trigger words themselves ("Mme", "je m'appelle") are kept, so "Mme Durand" reads
"Mme [nom]". First names of staff are scrubbed like any other: a comment cannot tell a
mediator's first name from the respondent's, and the observatory evaluates places, not
people (docs/scrubbing.md).

The text is normalised first (`normalise`: invisible characters dropped, every digit in
ASCII, NFKC), so that "06\u200b12…", "٠٦١٢…" or "marie＠example.fr" are seen as what they
are; `scrub` returns the normalised text with its placeholders.

Everything is pure and precompiled; `find_pii` returns the spans (in the caller's offsets),
`scrub` replaces them.
"""

from observatory.responses.scrub.core import find_pii, scrub
from observatory.responses.scrub.normalise import normalise
from observatory.responses.scrub.spans import PLACEHOLDERS, Match

__all__ = ["PLACEHOLDERS", "Match", "find_pii", "normalise", "scrub"]
