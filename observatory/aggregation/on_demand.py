"""Cells of one team or EPCI, split by breakdown, computed from its own answers when asked.

Storing every team and EPCI split by theme, channel, age band and language for every month
would multiply the stored cells by four (docs/decisions/0009), while nearly all of those
cells would sit below the threshold. A team has a few thousand answers at most: the same pure
computation as the fold gives its cells in milliseconds, always fresh and always exact.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from observatory.aggregation.cells.builder import compute_cells
from observatory.aggregation.cells.frames import Cells, option_levels
from observatory.aggregation.fold import load_geo, read_answers
from observatory.questionnaires.definitions import load_questionnaires

_SCOPES = {
    "team": "r.team_id = ?",
    "epci": "r.place_id IN (SELECT p.id FROM place p JOIN territory t ON t.level = 'commune' "
    "AND t.code = p.commune_code WHERE t.epci_code = ?)",
}


def scope_cells(session: Session, level: str, code: str, start: dt.date, end: dt.date) -> Cells:
    """Month cells (every breakdown) of one team or EPCI for answers with start <= day < end.

    Only the requested scope's cells are returned; the other levels the computation produces
    on the way are dropped.
    """
    if level not in _SCOPES:
        raise ValueError(f"cells on demand exist for {sorted(_SCOPES)}, not {level!r}")
    key: object = int(code) if level == "team" else code
    chosen = f"r.day >= ? AND r.day < ? AND {_SCOPES[level]}"
    frame = read_answers(
        session,
        chosen,
        f"a.response_seq IN (SELECT r.seq FROM response r WHERE {chosen})",
        (start, end, key),
    )
    geo = load_geo(session)
    levels = option_levels(load_questionnaires(session).values())
    cells = compute_cells(frame, geo, levels)
    if not len(cells):
        return cells
    # The computation stores breakdowns only from the département up; rerun the breakdown
    # step for this scope by relabelling it as national, the level that always has them.
    national = cells.totals["scope_level"] == "national"
    options_national = cells.options["scope_level"] == "national"
    totals = cells.totals[national].assign(scope_level=level, scope_code=str(code))
    options = cells.options[options_national].assign(scope_level=level, scope_code=str(code))
    return Cells(totals.reset_index(drop=True), options.reset_index(drop=True))
