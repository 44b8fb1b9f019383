"""The single gate every published figure goes through: perturbed counts then thresholds for
pages and the API (`figures`), complementary suppression for offline editions."""

from observatory.disclosure.complementary import Constraint, Suppression, suppress
from observatory.disclosure.gate import Audience, Disclosed, threshold
from observatory.disclosure.tables import disclose_table

__all__ = [
    "Audience",
    "Constraint",
    "Disclosed",
    "Suppression",
    "disclose_table",
    "suppress",
    "threshold",
]
