"""Questionnaire versions are data: validated when loaded, readable forever once stored."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session

from observatory.questionnaires.definitions import (
    builtin,
    ensure_questionnaires,
    load_questionnaires,
    packaged_definitions,
    parse_definition,
)
from observatory.questionnaires.models import Questionnaire as QuestionnaireRow


def test_v1_follows_the_design() -> None:
    v1 = builtin(1)
    assert [q.id for q in v1.questions][:7] == [
        "satisfaction",
        "objectif",
        "autonomie",
        "motif",
        "accueil",
        "recommandation",
        "amelioration",
    ]
    assert v1.headline.required and all(not q.required for q in v1.questions[1:])
    assert [o.level for o in v1.headline.options] == [3, 2, 1, 0]
    assert len(v1.question("motif").options) == 9  # type: ignore[union-attr]


def test_a_version_stored_by_an_older_release_stays_readable(session: Session) -> None:
    data = json.loads(json.dumps(packaged_definitions()[1]))
    data["version"] = 99
    data["questions"][0]["options"][0]["symbol"] = "😀"  # a key this release no longer knows
    session.add(QuestionnaireRow(version=99, definition_json=json.dumps(data)))
    ensure_questionnaires(session)
    versions = load_questionnaires(session)
    assert {1, 99} <= set(versions)
    assert versions[99].headline.option("tres_bien") is not None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["questions"][0].update(required=False), "first question"),
        (lambda d: d["questions"][0]["options"][0].update(code="Très bien"), "option codes"),
        (lambda d: d["questions"][0]["options"][0].pop("level"), "needs a level"),
        (lambda d: d["questions"][1].update(kind="slider"), "unknown kind"),
    ],
)
def test_invalid_definitions_are_refused(change, message: str) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(json.dumps(packaged_definitions()[1]))
    change(data)
    with pytest.raises(ValueError, match=message):
        parse_definition(data)
