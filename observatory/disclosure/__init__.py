"""The single gate every published figure goes through (small-cell suppression)."""

from observatory.disclosure.gate import Audience, Disclosed, disclose, threshold

__all__ = ["Audience", "Disclosed", "disclose", "threshold"]
