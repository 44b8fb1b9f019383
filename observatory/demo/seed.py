"""Prepare the demo database: territories, synthetic places and teams, responses, first fold.

Everything goes through the product's own services (the places importer validates the synthetic
places against the national schema), so the demo exercises the real paths.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from observatory.aggregation.fold import fold_all_pending
from observatory.db import bulk_insert
from observatory.demo.places import SCHEMA_FIELDS, synthetic_place_records
from observatory.demo.responses import synthetic_responses
from observatory.places.importer import import_places
from observatory.places.models import Place, Team, TeamPlace
from observatory.places.schema import parse_places
from observatory.questionnaires.definitions import ensure_questionnaires, load_questionnaires
from observatory.responses.models import KEY_MODULUS, Response
from observatory.territories.referential import load_referential
from observatory.territories.service import import_territories

Step = Callable[[str], None]
_CHUNK = 20_000
RESPONSE_COLUMNS = [
    "seq",
    "id",
    "idempotency_key",
    "place_id",
    "team_id",
    "questionnaire_version",
    "channel",
    "day",
    "language",
    "flags",
    "record_key",
]


@dataclass(frozen=True)
class DemoSummary:
    places: int
    teams: int
    responses: int
    reused: bool


def _communes_frame() -> pd.DataFrame:
    ref = load_referential()
    return pd.DataFrame(
        [
            (
                c.code,
                c.name,
                c.departement_code,
                c.region_code,
                c.population or 0,
                c.postal_codes[0],
            )
            for c in ref.communes.values()
            if c.postal_codes
        ],
        columns=["code", "name", "departement_code", "region_code", "population", "postal_code"],
    )


def _create_teams(session: Session) -> int:
    """One team per place, and some teams serving two places of the same département."""
    rows = session.execute(
        select(Place.id, Place.code, Place.name, Place.commune_code).order_by(Place.id)
    ).all()
    teams: list[dict[str, object]] = []
    links: list[dict[str, int]] = []
    pending: dict[str, int] = {}
    for i, (place_id, code, name, commune) in enumerate(rows, start=1):
        dep = (commune or "")[:2]
        if i % 12 == 0 and dep in pending:
            links.append({"team_id": pending.pop(dep), "place_id": place_id})
            continue
        teams.append({"id": i, "name": f"Équipe {name} ({code})"})
        links.append({"team_id": i, "place_id": place_id})
        pending[dep] = i
    session.execute(insert(Team), teams)
    session.execute(insert(TeamPlace), links)
    return len(teams)


def _single_team_of_places(session: Session) -> dict[int, int]:
    counts = select(TeamPlace.place_id, func.min(TeamPlace.team_id), func.count()).group_by(
        TeamPlace.place_id
    )
    return {place: team for place, team, n in session.execute(counts) if n == 1}


def _store_responses(
    factory: sessionmaker[Session], n_responses: int, end_month: dt.date, seed: int, step: Step
) -> int:
    with factory() as session:
        versions = load_questionnaires(session)
        questionnaire = versions[max(versions)]
        places = pd.DataFrame(
            session.execute(select(Place.id, Place.commune_code, Place.services)).all(),
            columns=["place_id", "commune_code", "services"],
        )
        team_of = _single_team_of_places(session)
        base = int(session.scalar(select(func.coalesce(func.max(Response.seq), 0))) or 0)
    ref = load_referential()
    places["departement_code"] = places["commune_code"].map(
        lambda c: ref.communes[c].departement_code if c in ref.communes else "75"
    )
    places["region_code"] = places["commune_code"].map(
        lambda c: ref.communes[c].region_code if c in ref.communes else "11"
    )
    places["population"] = places["commune_code"].map(
        lambda c: (ref.communes[c].population or 0) if c in ref.communes else 0
    )
    step("generating responses")
    data = synthetic_responses(places, questionnaire, n_responses, end_month, seed=seed)
    responses = data.responses.copy()
    responses["seq"] = responses["row"] + base + 1
    responses["team_id"] = responses["place_id"].map(team_of).astype("Int64")
    answers = data.answers.assign(response_seq=data.answers["row"] + base + 1)
    comments = data.comments.assign(response_seq=data.comments["row"] + base + 1)
    responses["id"] = [str(uuid.uuid4()) for _ in range(len(responses))]
    responses["idempotency_key"] = "demo-" + responses["seq"].astype(str)
    responses["questionnaire_version"] = questionnaire.version
    responses["flags"] = 0
    # Secret record keys (docs/decisions/0019), drawn like `store_response` draws them: from
    # fresh OS entropy, never from the demo's seed, so they cannot be recomputed.
    keys = np.random.default_rng(secrets.randbits(128))
    responses["record_key"] = keys.integers(0, KEY_MODULUS, len(responses), dtype=np.int64)
    for start in range(0, len(responses), _CHUNK):
        chunk = responses.iloc[start : start + _CHUNK]
        lo, hi = int(chunk["seq"].min()), int(chunk["seq"].max())
        a = answers[(answers["response_seq"] >= lo) & (answers["response_seq"] <= hi)]
        c = comments[(comments["response_seq"] >= lo) & (comments["response_seq"] <= hi)]
        with factory.begin() as session:
            bulk_insert(session, "response", chunk[RESPONSE_COLUMNS])
            bulk_insert(session, "answer", a[["response_seq", "question", "option"]])
            bulk_insert(session, "comment", c[["response_seq", "question", "text"]])
        step(f"stored {min(start + _CHUNK, len(responses))} responses")
    with factory.begin() as session:
        if session.get_bind().dialect.name == "postgresql":
            # Explicit seq values do not move the sequence: realign it for future answers.
            session.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('response', 'seq'), "
                    "(SELECT max(seq) FROM response))"
                )
            )
    return len(responses)


def _as_csv(records: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(SCHEMA_FIELDS))
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue().encode("utf-8")


def prepare_demo(
    factory: sessionmaker[Session],
    *,
    n_places: int,
    n_responses: int,
    today: dt.date,
    seed: int = 2026,
    step: Step = lambda _msg: None,
) -> DemoSummary:
    """Seed an empty database, or reuse it if it already holds places and responses."""
    with factory() as session:
        has_places = session.scalar(select(func.count()).select_from(Place)) or 0
        has_responses = session.scalar(select(func.count()).select_from(Response)) or 0
        n_teams = session.scalar(select(func.count()).select_from(Team)) or 0
    if has_places and has_responses:
        step("reusing the existing database")
        fold_all_pending(factory, today)
        return DemoSummary(int(has_places), int(n_teams), int(has_responses), True)

    with factory.begin() as session:
        ensure_questionnaires(session)
        import_territories(session)
    step("territories imported")

    records = synthetic_place_records(_communes_frame(), n_places, seed=seed, as_of=today)
    # Through the real CSV reader and schema validation, exactly like an imported file.
    parsed = parse_places(_as_csv(records), name="synthetic places")
    with factory.begin() as session:
        report = import_places(session, parsed, load_referential())
        if report.rejected:
            raise RuntimeError(f"synthetic places rejected by the schema: {report.rejections[:3]}")
        n_teams = _create_teams(session)
    step(f"{report.imported} places and {n_teams} teams created")

    end_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    stored = _store_responses(factory, n_responses, end_month, seed, step)
    step("folding the responses into aggregate cells")
    fold_all_pending(factory, today)
    return DemoSummary(report.imported, n_teams, stored, False)
