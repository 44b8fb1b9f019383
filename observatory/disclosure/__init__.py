"""The single gate every published figure goes through (small-cell suppression)."""

from observatory.disclosure.complementary import Constraint, Suppression, suppress
from observatory.disclosure.gate import Audience, Disclosed, disclose, threshold
from observatory.disclosure.tables import disclose_table

__all__ = [
    "Audience",
    "Constraint",
    "Disclosed",
    "Suppression",
    "disclose",
    "disclose_table",
    "suppress",
    "threshold",
]
