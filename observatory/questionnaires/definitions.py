"""Questionnaire definitions are data: packaged JSON files, one per version, copied to the DB."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from observatory.questionnaires.models import Questionnaire as QuestionnaireRow

Kind = Literal["single", "multiple", "text"]
_CODE = re.compile(r"[a-z0-9_]{1,32}")


@dataclass(frozen=True)
class Option:
    code: str
    label: str
    level: int | None = None


@dataclass(frozen=True)
class Question:
    id: str
    kind: Kind
    label: str
    options: tuple[Option, ...] = ()
    required: bool = False
    max_level: int | None = None
    hint: str | None = None
    max_length: int = 1000
    # "faces": the options are drawn as smileys (always with their text), by level.
    display: str | None = None

    @property
    def scored(self) -> bool:
        """Ordinal questions give a 0-10 score: level / max_level x 10."""
        return self.max_level is not None

    def option(self, code: str) -> Option | None:
        return next((o for o in self.options if o.code == code), None)


@dataclass(frozen=True)
class Questionnaire:
    version: int
    title: str
    questions: tuple[Question, ...]

    def question(self, qid: str) -> Question | None:
        return next((q for q in self.questions if q.id == qid), None)

    @property
    def headline(self) -> Question:
        """The first, required question: it counts the answers and carries the main score."""
        return self.questions[0]


def parse_definition(data: dict[str, Any]) -> Questionnaire:
    """Build a questionnaire from its JSON form, refusing definitions the fold cannot handle."""
    questions = []
    for q in data["questions"]:
        # Only known keys: a stored version written by an older release stays readable.
        options = tuple(
            Option(code=o["code"], label=o["label"], level=o.get("level"))
            for o in q.get("options", ())
        )
        question = Question(
            id=q["id"],
            kind=q["kind"],
            label=q["label"],
            options=options,
            required=bool(q.get("required", False)),
            max_level=q.get("max_level"),
            hint=q.get("hint"),
            max_length=int(q.get("max_length", 1000)),
            display=q.get("display"),
        )
        if not _CODE.fullmatch(question.id) or any(not _CODE.fullmatch(o.code) for o in options):
            # Codes go into URLs, form names and JSON keys unescaped.
            raise ValueError(
                f"question {question.id}: ids and option codes must match {_CODE.pattern}"
            )
        if question.kind not in ("single", "multiple", "text"):
            raise ValueError(f"question {question.id}: unknown kind {question.kind!r}")
        if question.display == "faces" and not question.scored:
            raise ValueError(f"question {question.id}: faces are drawn from levels")
        if question.scored and any(o.level is None for o in options):
            raise ValueError(
                f"question {question.id}: every option of a scored question needs a level"
            )
        questions.append(question)
    if not questions or not questions[0].required or questions[0].kind != "single":
        raise ValueError("the first question must be a required single choice")
    return Questionnaire(
        version=int(data["version"]), title=data["title"], questions=tuple(questions)
    )


@lru_cache(maxsize=1)
def packaged_definitions() -> dict[int, dict[str, Any]]:
    """Every questionnaire version shipped with the package (data/v*.json)."""
    found: dict[int, dict[str, Any]] = {}
    for entry in resources.files("observatory.questionnaires").joinpath("data").iterdir():
        if entry.name.startswith("v") and entry.name.endswith(".json"):
            data = json.loads(entry.read_text(encoding="utf-8"))
            found[int(data["version"])] = data
    return found


def current_version() -> int:
    return max(packaged_definitions())


def ensure_questionnaires(session: Session) -> None:
    """Copy packaged versions missing from the database; existing versions are never changed."""
    known = set(session.scalars(select(QuestionnaireRow.version)))
    for version, data in sorted(packaged_definitions().items()):
        if version not in known:
            parse_definition(data)
            session.add(QuestionnaireRow(version=version, definition_json=json.dumps(data)))
    session.flush()


def add_version(session: Session, data: dict[str, Any]) -> Questionnaire:
    """Store a new version (data, not code); stored versions are never changed.

    Re-adding an identical definition is a no-op; a different one under a stored number is
    refused, since answers already pinned to that version must keep their meaning.
    """
    questionnaire = parse_definition(data)
    stored = session.scalar(
        select(QuestionnaireRow).where(QuestionnaireRow.version == questionnaire.version)
    )
    if stored is not None:
        if json.loads(stored.definition_json) != data:
            raise ValueError(
                f"version {questionnaire.version} already exists with other content; "
                "give the new definition a new version number"
            )
        return questionnaire
    session.add(QuestionnaireRow(version=questionnaire.version, definition_json=json.dumps(data)))
    session.flush()
    return questionnaire


def load_questionnaires(session: Session) -> dict[int, Questionnaire]:
    """All versions stored in the database: old answers stay readable after a new version."""
    rows = session.scalars(select(QuestionnaireRow))
    return {row.version: parse_definition(json.loads(row.definition_json)) for row in rows}


def builtin(version: int | None = None) -> Questionnaire:
    """A packaged version without a database (tests, synthetic data)."""
    definitions = packaged_definitions()
    return parse_definition(definitions[version if version is not None else max(definitions)])
