"""The places of a département as the public sees their satisfaction over a period (perturbed,
thresholds and dominance applied): what the team space's funnel shows of the other places.

They are the same for every team of the département and every process, and reading them means
reading the cells of hundreds of places (6,805 cells for the largest département over a year).
So the workers make them after each fold, for every département and every period the page
offers, into the shared store (`observatory.analysis.shared`: Redis in production); a page
finds them there, or in its process's memo, and reads them itself only when neither holds them
for the cells as they stand (docs/decisions/0023).

"As they stand" is the version of each value: a digest of the département's own cells over the
period (a dozen cells; their option keys sum the random 32-bit keys of the answers, so a new,
released or removed answer at any of its places changes them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Hashable, Sequence
from typing import Any, cast

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from observatory.aggregation.models import NO_BREAKDOWN, STORED_PERIOD_KIND
from observatory.aggregation.sums import Summed, Tally, add_tally, sum_cells
from observatory.analysis.memo import Memo
from observatory.analysis.periods import offered
from observatory.analysis.shared import SharedStore
from observatory.disclosure import figures
from observatory.disclosure.figures import Rules
from observatory.places.models import Place
from observatory.territories.models import communes_in

QUESTION = "satisfaction"
# Changes whenever what is stored changes shape or meaning (a new rule of the gate in code).
FORMAT = "standing-1"

# A process's own copy of what it last used, kept ten minutes and while the département's cells
# of the period stay the same: no round trip to the shared store on every page.
_PUBLIC: Memo[dict[str, dict[str, int]]] = Memo(seconds=600.0)
# Every place's tallies over a period's months but the last, for the periods still open (those
# ending this month): a new answer changes the current month only, so the counts are made again
# from the last month read and the rest kept (docs/performance.md: 157 → 51 ms p95 for the
# largest département over 12 months). At most 4 open periods (3 and 12 months, this quarter,
# this year) per département: ~400 entries in a worker warming all of them.
_EARLIER: Memo[dict[str, Tally]] = Memo(seconds=600.0, entries=512)
States = dict[dt.date, Hashable]  # each month's state of the département's own cell


def _sums(
    session: Session, by: tuple[str, ...], level: str, months: Sequence[dt.date], **where: Any
) -> dict[tuple[Hashable, ...], Summed]:
    """The question's cells at `level` over `months`, added up by the database per `by`."""
    return sum_cells(
        session,
        by,
        scope_level=level,
        period_kind=STORED_PERIOD_KIND,
        breakdown=NO_BREAKDOWN,
        question=QUESTION,
        period_start=list(months),
        **where,
    )


def by_place(
    session: Session, codes: list[str] | Select[Any], months: Sequence[dt.date]
) -> dict[str, Tally]:
    """Each place's option counts and keys of the question over `months`."""
    if not months:
        return {}
    summed = _sums(session, ("scope_code",), "place", months, scope_code=codes)
    return {str(code): sums.options for (code,), sums in summed.items()}


def departement_months(
    session: Session, departement: str, months: Sequence[dt.date]
) -> dict[dt.date, Summed]:
    """The département's own answers to the question, month by month (a dozen cells)."""
    summed = _sums(session, ("period_start",), "departement", months, scope_code=departement)
    return {cast(dt.date, month): sums for (month,), sums in summed.items()}


def state(summed: Summed | None) -> Hashable:
    return (summed.n, tuple(sorted(summed.options.items()))) if summed else None


def _version(states: States) -> str:
    ordered = sorted(states.items(), key=lambda item: item[0])
    return hashlib.sha256(repr(ordered).encode()).hexdigest()[:32]


def _key(session: Session, departement: str, months: Sequence[dt.date], public: Rules) -> str:
    """The store's key: the database (two deployments may share a Redis), the département,
    the period's months and the rules that made the counts."""
    url = session.get_bind().engine.url.render_as_string(hide_password=True)
    origin = hashlib.sha256(f"{url}|{public!r}".encode()).hexdigest()[:16]
    return f"{FORMAT}:{origin}:{departement}:{months[0]:%Y-%m}:{len(months)}"


def _places_of(departement: str) -> Select[Any]:
    """The codes of the département's places, for the database to find."""
    return select(Place.code).where(Place.commune_code.in_(communes_in("departement", departement)))


def _place_tallies(
    session: Session, departement: str, months: Sequence[dt.date], states: States, *, open_: bool
) -> dict[str, Tally]:
    """Each place's tallies over `months`. For an open period, those of all months but the
    last come from `_EARLIER` when their months are unchanged, else are read and kept; the
    last month is always read (what a new answer changes). Each read adds up per place in the
    database, as one read of the whole period would."""
    places = _places_of(departement)
    if not open_:
        return by_place(session, places, months)
    earlier, last = tuple(months[:-1]), months[-1:]
    version = tuple(states.get(month) for month in earlier)
    kept = _EARLIER.peek((departement, earlier), version=version) if earlier else {}
    if kept is None:
        kept = by_place(session, places, earlier)
        _EARLIER.put((departement, earlier), kept, version=version)
    out: dict[str, Tally] = {}
    for part in (kept, by_place(session, places, last)):
        for code, tally in part.items():
            add_tally(out.setdefault(code, {}), tally)
    return out


def _shown(tallies: dict[str, Tally], public: Rules) -> dict[str, dict[str, int]]:
    """Each place as the public sees its answers; places it does not see are left out."""
    shown: dict[str, dict[str, int]] = {}
    for code, tally in tallies.items():
        counts = figures.distribution(tally, public)
        if counts:
            shown[code] = counts
    return shown


def _make(
    session: Session,
    departement: str,
    months: Sequence[dt.date],
    public: Rules,
    *,
    states: States,
    today: dt.date,
    read: dict[str, Tally],
) -> dict[str, dict[str, int]]:
    open_ = months[-1] >= today.replace(day=1)
    read.update(_place_tallies(session, departement, months, states, open_=open_))
    return _shown(read, public)


def _encoded(version: str, counts: dict[str, dict[str, int]]) -> tuple[str, bytes]:
    return version, json.dumps(counts, separators=(",", ":")).encode()


def public_counts(
    session: Session,
    departement: str,
    months: Sequence[dt.date],
    public: Rules,
    *,
    states: States,
    store: SharedStore,
    today: dt.date,
    read: dict[str, Tally],
) -> dict[str, dict[str, int]]:
    """The département's places as the public sees them over `months`, from the process's
    memo, else the shared store, else read (and then kept in both). When read, every place's
    exact tallies are also put in `read`: the team's own places are among them, fresh, and
    need no second read."""
    version = _version(states)
    key = _key(session, departement, months, public)
    kept = _PUBLIC.peek(key, version=version)
    if kept is not None:
        return kept
    shared = store.get(key)
    if shared is not None and shared[0] == version:
        counts: dict[str, dict[str, int]] = json.loads(shared[1])
    else:
        counts = _make(session, departement, months, public, states=states, today=today, read=read)
        store.put({key: _encoded(version, counts)})
    _PUBLIC.put(key, counts, version=version)
    return counts


def warm(session: Session, public: Rules, store: SharedStore, today: dt.date) -> int:
    """Make, into `store`, the public counts of every département and every period the team
    page offers whose département cells changed since they were stored, or that it lacks (the
    workers' step after each fold and sweep); returns how many were made. Costs one read of
    the départements' own cells and one look at the stored versions when nothing changed."""
    # In December "12 months" is this year, and "3 months" is this quarter at a quarter's end:
    # the same months, the same key, made once.
    periods = list(dict.fromkeys(p.months for p in offered(today)))
    every = sorted({month for months in periods for month in months})
    summed = _sums(session, ("scope_code", "period_start"), "departement", every)
    monthly: dict[str, States] = {}
    for (code, month), sums in summed.items():
        monthly.setdefault(str(code), {})[cast(dt.date, month)] = state(sums)
    wanted: list[tuple[str, tuple[dt.date, ...], States]] = []
    for departement, states in sorted(monthly.items()):
        for months in periods:
            period_states = {m: states[m] for m in months if m in states}
            if period_states:
                wanted.append((departement, months, period_states))
    keys = [_key(session, d, months, public) for d, months, _ in wanted]
    made = 0
    for (departement, months, states), key, stored in zip(
        wanted, keys, store.versions(keys), strict=True
    ):
        version = _version(states)
        if stored == version:
            continue
        counts = _PUBLIC.peek(key, version=version)
        if counts is None:
            counts = _make(
                session, departement, months, public, states=states, today=today, read={}
            )
        store.put({key: _encoded(version, counts)})
        made += 1
    return made
