"""A team's or an EPCI's breakdowns computed on demand agree with the stored cells."""

from __future__ import annotations

import datetime as dt

import pytest

from observatory.aggregation.cells.builder import to_rows
from observatory.aggregation.fold import fold_all_pending
from observatory.aggregation.on_demand import scope_cells
from observatory.places.models import TeamPlace
from tests.unit.aggregation.test_fold import TODAY, answer, cells


def test_team_cells_on_demand_match_the_stored_ones(session_factory, make_place) -> None:
    place = make_place()
    other = make_place()
    for choice, day in [("bien", dt.date(2026, 10, 3)), ("tres_bien", dt.date(2026, 11, 2)),
                        ("pas_bien", dt.date(2026, 11, 20))]:  # fmt: skip
        answer(session_factory, place, choice, day=day, motif=["demarches"])
    answer(session_factory, other, "bien")
    fold_all_pending(session_factory, TODAY)
    with session_factory() as session:
        team_id = session.query(TeamPlace.team_id).filter_by(place_id=place.id).scalar()
        got = to_rows(
            scope_cells(session, "team", str(team_id), dt.date(2026, 1, 1), dt.date(2027, 1, 1))
        )
    stored = cells(session_factory)
    stored = stored[(stored.scope_level == "team") & (stored.scope_code == str(team_id))]
    plain = got[got.breakdown == "none"].sort_values(["period_start", "question"])
    assert list(plain.n) == list(stored.sort_values(["period_start", "question"]).n)
    themed = got[(got.breakdown == "theme") & (got.question == "satisfaction")]
    assert themed.groupby("breakdown_value").n.sum().to_dict() == {"demarches": 3}
    assert set(got.scope_level) == {"team"}
    # The half-open period leaves October out.
    with session_factory() as session:
        november = scope_cells(session, "team", str(team_id), dt.date(2026, 11, 1),
                               dt.date(2026, 12, 1))  # fmt: skip
    satisfaction = november.totals[(november.totals.question == "satisfaction")
                                   & (november.totals.breakdown == "none")]  # fmt: skip
    assert int(satisfaction.n.sum()) == 2


def test_only_teams_and_epcis_are_computed_on_demand(session) -> None:
    with pytest.raises(ValueError, match="team"):
        scope_cells(session, "commune", "51454", dt.date(2026, 1, 1), dt.date(2027, 1, 1))
