"""Remove personal data from free text before it is ever stored.

Replaced, not deleted, so a team still reads that something was there:

===========  ================  =====================================================
kind         placeholder       what is recognised
===========  ================  =====================================================
email        ``[courriel]``    addresses, also "x at y.fr", "x arobase y point fr"
phone        ``[téléphone]``   French numbers (any usual grouping), +33/0033, DROM,
                               other international numbers; not 08 / 09 69 services
nir          ``[numéro]``      social-security numbers (13 digits + key, 2A/2B)
card         ``[numéro]``      any run of 13 or more digits (cards, fiscal numbers…)
iban         ``[iban]``        IBAN (any country) and French RIB
id           ``[numéro]``      a code with 4+ digits after a label ("numéro
                               allocataire", "n° de passeport", "identifiant"…)
secret       ``[secret]``      a password or PIN after "mot de passe", "mdp", "code pin"…
address      ``[adresse]``     number + street type + name, lieu-dit, résidence…,
                               with building/flat details and the postal code + city
name         ``[nom]``         names after a trigger ("je m'appelle", "M.", "Mme",
                               "signé", "cordialement"…), known first names, and
                               names after staff roles ("la conseillère …")
===========  ================  =====================================================

The trigger words themselves ("Mme", "je m'appelle") are kept, so "Mme Durand" reads
"Mme [nom]". First names of staff are scrubbed like any other: a comment cannot tell a
mediator's first name from the respondent's, and the observatory evaluates places, not
people (docs/scrubbing.md).

Everything is pure and precompiled; `find_pii` returns the spans, `scrub` replaces them.
"""

from observatory.responses.scrub.core import find_pii, scrub
from observatory.responses.scrub.spans import PLACEHOLDERS, Match

__all__ = ["PLACEHOLDERS", "Match", "find_pii", "scrub"]
