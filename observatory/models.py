"""Imports every domain's tables so that `Base.metadata` is complete (Alembic, tests)."""

from observatory.access.models import (
    AuditEvent,
    IssuedToken,
    SigninCode,
    StaffSession,
    TokenRevocation,
)
from observatory.aggregation.models import AggregateCell, FoldWatermark
from observatory.db import Base
from observatory.exports.models import Edition, EditionCell
from observatory.places.models import Kiosk, Place, Team, TeamPlace
from observatory.questionnaires.models import Questionnaire
from observatory.responses.models import Answer, Comment, Response
from observatory.teamspace.models import (
    CommentReview,
    DigestSent,
    TeamAction,
    TeamActionVersion,
    TeamContact,
    TeamYearNote,
)
from observatory.territories.models import Territory

__all__ = [
    "AggregateCell",
    "Answer",
    "AuditEvent",
    "Base",
    "Comment",
    "CommentReview",
    "DigestSent",
    "Edition",
    "EditionCell",
    "FoldWatermark",
    "IssuedToken",
    "Kiosk",
    "Place",
    "Questionnaire",
    "Response",
    "SigninCode",
    "StaffSession",
    "Team",
    "TeamAction",
    "TeamActionVersion",
    "TeamContact",
    "TeamPlace",
    "TeamYearNote",
    "Territory",
    "TokenRevocation",
]
