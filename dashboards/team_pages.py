"""The pages of the team space, each parse → query → components: results, comments, "nous
avons fait" and answers held for review. The caller has checked who is signed in; each page
reads only the places the team serves."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol
from urllib.parse import parse_qs

from sqlalchemy.orm import Session

from dashboards.team_forms import theme_labels_of, topics
from dashboards.team_members import members_view, team_tokens
from dashboards.team_places import contacts_view, kiosks_by_place, places_view
from dashboards.team_view import (
    ALL_PLACES,
    PLACE_ID,
    choices,
    groups_tables,
    render_results,
    standing_section,
)
from dashboards.team_work_view import actions_view, comments_view, held_view
from observatory.aggregation.review import held_answers
from observatory.analysis import periods
from observatory.analysis.breakdown import reasons_by_group
from observatory.analysis.standing import team_funnel
from observatory.analysis.team import (
    NotYourPlaceError,
    team_places,
    team_results,
    territory_name,
)
from observatory.clock import today
from observatory.config import Settings
from observatory.questionnaires.definitions import Questionnaire
from observatory.runtime import Runtime
from observatory.teamspace.actions import list_actions
from observatory.teamspace.comments import team_comments
from observatory.teamspace.contacts import list_contacts
from observatory.web.staff import current_principal

MAX_SEARCH = 300
DONE = {
    "traite": "Le commentaire est marqué « traité ».",
    "rouvert": "Le commentaire est de nouveau parmi les commentaires à lire.",
    "enregistre": "C'est enregistré.",
    "retire": "L'action est retirée ; son historique est gardé.",
    "liberer": "Les réponses sont comptées dans vos chiffres.",
    "ecarter": "Les réponses sont écartées : elles ne seront jamais comptées.",
    "kiosque": "La tablette est retirée : son lien ne fonctionne plus.",
    "adresse": "L'adresse recevra la lettre de la semaine.",
    "adresse-retiree": "L'adresse est retirée de la liste.",
    "membre-retire": "L'accès est retiré : cette personne ne peut plus se connecter.",
}


def parse_query(search: object, allowed: set[str]) -> dict[str, str]:
    """The page's query string ("?periode=12m&lieu=42") as a dict; ValueError for anything
    that is not one of ours."""
    if search is None:
        search = ""
    if not isinstance(search, str) or len(search) > MAX_SEARCH:
        raise ValueError("adresse non reconnue")
    query = parse_qs(search.removeprefix("?"), keep_blank_values=True)
    if set(query) - allowed or any(len(v) != 1 for v in query.values()):
        raise ValueError("adresse non reconnue")
    return {key: values[0] for key, values in query.items()}


def team_choice(query: dict[str, str]) -> tuple[str, int | None]:
    place = query.get("lieu", ALL_PLACES)
    if place != ALL_PLACES and not PLACE_ID.fullmatch(place):
        raise NotYourPlaceError(place)
    return query.get("periode", periods.DEFAULT), None if place == ALL_PLACES else int(place)


def _today(runtime: Runtime) -> dt.date:
    return today(runtime.settings.timezone)


class _TeamService(Protocol):
    def __call__(
        self,
        session: Session,
        team_id: int,
        *,
        place_id: int | None,
        period: periods.Period,
        questionnaire: Questionnaire,
        settings: Settings,
    ) -> Any: ...


def _for_period(
    runtime: Runtime, team_id: int, search: object, service: _TeamService
) -> tuple[Any, list[periods.Period]]:
    """`service`'s answer for the period and place the address asks for, and the periods
    offered (the query checked first: a bad one is a ValueError, a place the team does not
    serve a NotYourPlaceError)."""
    period_code, place_id = team_choice(parse_query(search, {"periode", "lieu"}))
    period = periods.period(period_code, _today(runtime))
    with runtime.sessions() as session:
        found = service(
            session,
            team_id,
            place_id=place_id,
            period=period,
            questionnaire=runtime.current_questionnaire(),
            settings=runtime.settings,
        )
    return found, periods.offered(_today(runtime))


def results_page(runtime: Runtime, team_id: int, search: object) -> list[Any]:
    results, offered = _for_period(runtime, team_id, search, team_results)
    shown = search if isinstance(search, str) else ""
    return choices(offered, results, "/equipe/") + render_results(results, shown)


def standing_part(runtime: Runtime, team_id: int, search: object) -> Any:
    """The funnel of the team's département, drawn by its own callback beside the results."""
    standing, _ = _for_period(runtime, team_id, search, team_funnel)
    return standing_section(standing)


def groups_part(runtime: Runtime, team_id: int, search: object) -> list[Any]:
    """The reasons by channel, age band and language, drawn when the team asks for them: they
    read every answer of the period, where the page reads only cells."""
    period_code, place_id = team_choice(parse_query(search, {"periode", "lieu"}))
    period = periods.period(period_code, _today(runtime))
    with runtime.sessions() as session:
        places = team_places(session, team_id)
        shown = [p for p in places if place_id is None or p.id == place_id]
        if not shown:
            raise NotYourPlaceError(str(place_id))
        groups = reasons_by_group(
            session, [p.id for p in shown], period.months, runtime.current_questionnaire(),
            runtime.settings.k_team,
        )  # fmt: skip
    return groups_tables(groups)


def comments_page(runtime: Runtime, team_id: int, search: object, csrf: str) -> list[Any]:
    query = parse_query(search, {"periode", "lieu", "motif", "note", "fait"})
    period_code, place_id = team_choice(query)
    period = periods.period(period_code, _today(runtime))
    questionnaire = runtime.current_questionnaire()
    themes = theme_labels_of(questionnaire)
    levels = questionnaire.question("satisfaction")
    notes = {o.code: o.label for o in levels.options} if levels else {}
    theme, note = query.get("motif") or None, query.get("note") or None
    if (theme and theme not in themes) or (note and note not in notes):
        raise ValueError("filtre non reconnu")
    with runtime.sessions() as session:
        places = team_places(session, team_id)
        shown = [p for p in places if place_id is None or p.id == place_id]
        if place_id is not None and not shown:
            raise NotYourPlaceError(str(place_id))
        found = team_comments(
            session, team_id, [p.id for p in shown], period.months,
            k=runtime.settings.k_team, theme=theme, satisfaction=note,
        )  # fmt: skip
    return comments_view(
        found, period=period, offered=periods.offered(_today(runtime)), places=places,
        place_id=place_id, themes=themes, notes=notes, theme=theme, note=note,
        search=search if isinstance(search, str) else "", csrf=csrf,
        done=DONE.get(query.get("fait", "")),
    )  # fmt: skip


def actions_page(runtime: Runtime, team_id: int, search: object, csrf: str) -> list[Any]:
    query = parse_query(search, {"fait", "modifier"})
    edit = query.get("modifier")
    with runtime.sessions() as session:
        entries = list_actions(session, team_id)
        codes = sorted({p.departement for p in team_places(session, team_id) if p.departement})
        departements = [(code, territory_name(session, code) or code) for code in codes]
    editing = next((e for e in entries if str(e.id) == edit), None)
    if edit and editing is None:
        raise ValueError("action inconnue")
    return actions_view(
        entries, editing=editing, topics=topics(theme_labels_of(runtime.current_questionnaire())),
        csrf=csrf, today=_today(runtime), done=DONE.get(query.get("fait", "")),
        departements=departements,
    )  # fmt: skip


def places_page(runtime: Runtime, team_id: int, search: object, csrf: str) -> list[Any]:
    query = parse_query(search, {"fait"})
    with runtime.sessions() as session:
        places = team_places(session, team_id)
        kiosks = kiosks_by_place(session, places)
        contacts = list_contacts(session, team_id)
    return [
        *places_view(
            places, kiosks, base_url=runtime.settings.public_url.rstrip("/"), csrf=csrf,
            done=DONE.get(query.get("fait", "")),
        ),
        contacts_view(contacts, csrf),
    ]  # fmt: skip


def members_page(runtime: Runtime, team_id: int, search: object, csrf: str) -> list[Any]:
    query = parse_query(search, {"fait"})
    principal = current_principal()
    with runtime.sessions() as session:
        tokens = team_tokens(session, team_id)
    me = principal.jti if principal else ""
    return members_view(tokens, me=me, csrf=csrf, done=DONE.get(query.get("fait", "")))


def held_page(runtime: Runtime, team_id: int, search: object, csrf: str) -> list[Any]:
    query = parse_query(search, {"fait"})
    with runtime.sessions() as session:
        places = team_places(session, team_id)
        held = held_answers(session, [p.id for p in places])
    names = {p.code: p.name for p in places}
    return held_view(
        held, names, csrf=csrf, release_days=runtime.settings.burst_release_days,
        done=DONE.get(query.get("fait", "")),
    )  # fmt: skip
