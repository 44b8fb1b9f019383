"""The anonymous feedback form (Flask blueprint, server-rendered HTML that needs no JavaScript)."""

from survey.views import survey_blueprint

__all__ = ["survey_blueprint"]
