"""The team space's working pages as components (pure): comments to read and mark "traité",
"vous avez dit, nous avons fait", and answers held for review. Every write is a plain form
posted to dashboards/team_forms.py with the session's CSRF value."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from dash import dcc, html

from dashboards.team_view import ALL_PLACES, choice_list
from observatory.aggregation.review import Held
from observatory.analysis.periods import Period, month_label
from observatory.analysis.team import PlaceChoice
from observatory.analysis.wording import number
from observatory.clock import add_months
from observatory.teamspace.actions import MAX_TEXT, ActionEntry
from observatory.teamspace.comments import Comments, TeamComment

COMMENTS_SHOWN = 200
SEND = "/equipe/envoi"


def _csrf_field(csrf: str) -> dcc.Input:
    return dcc.Input(type="hidden", name="csrf", value=csrf)


def _hidden(name: str, value: str) -> dcc.Input:
    return dcc.Input(type="hidden", name=name, value=value)


def _status(done: str | None) -> list[Any]:
    return [html.P(done, role="status", className="done")] if done else []


def _href(base: str, **params: str | None) -> str:
    kept = {k: v for k, v in params.items() if v}
    return f"{base}?{urlencode(kept)}" if kept else base


def _comment(item: TeamComment, notes: dict[str, str], themes: dict[str, str],
             csrf: str, back: str) -> html.Li:  # fmt: skip
    meta = [month_label(item.month), item.place]
    if item.satisfaction:
        meta.append(f"note : {notes.get(item.satisfaction, item.satisfaction)}")
    if item.themes:
        meta.append("venu·e pour : " + ", ".join(themes.get(t, t) for t in item.themes))
    button = "Remettre à lire" if item.treated else "Marquer comme traité"
    return html.Li(
        [
            html.Blockquote(html.P(item.text)),
            html.P(" · ".join(meta), className="note"),
            html.Form(
                [
                    _csrf_field(csrf),
                    _hidden("seq", str(item.seq)),
                    _hidden("traite", "0" if item.treated else "1"),
                    _hidden("retour", back),
                    html.Button(button, type="submit", className="link-button"),
                ],
                method="post",
                action=f"{SEND}/commentaire",
            ),
        ],
        className="comment",
    )


def comments_view(
    found: Comments,
    *,
    period: Period,
    offered: Sequence[Period],
    places: Sequence[PlaceChoice],
    place_id: int | None,
    themes: dict[str, str],
    notes: dict[str, str],
    theme: str | None,
    note: str | None,
    search: str,
    csrf: str,
    done: str | None,
) -> list[Any]:
    base = "/equipe/commentaires"
    place = str(place_id) if place_id is not None else ALL_PLACES
    keep = {"periode": period.code, "lieu": place, "motif": theme, "note": note}
    out: list[Any] = [html.H2("Commentaires", id="commentaires-titre"), *_status(done)]
    out.append(choice_list("Période", [
        (p.label[0].upper() + p.label[1:], _href(base, **(keep | {"periode": p.code})),
         p.code == period.code) for p in offered
    ]))  # fmt: skip
    if len(places) > 1:
        out.append(choice_list("Lieu", [
            ("Tous nos lieux", _href(base, **(keep | {"lieu": ALL_PLACES})), place_id is None),
            *((p.name, _href(base, **(keep | {"lieu": str(p.id)})), p.id == place_id)
              for p in places),
        ]))  # fmt: skip
    out.append(choice_list("Motif de venue", [
        ("Tous", _href(base, **(keep | {"motif": None})), theme is None),
        *((label, _href(base, **(keep | {"motif": code})), code == theme)
          for code, label in themes.items()),
    ]))  # fmt: skip
    out.append(choice_list("Note donnée", [
        ("Toutes", _href(base, **(keep | {"note": None})), note is None),
        *((label, _href(base, **(keep | {"note": code})), code == note)
          for code, label in notes.items()),
    ]))  # fmt: skip
    if not found.shown:
        out.append(html.P(
            f"Pas encore assez de réponses sur {period.label} pour montrer les commentaires : "
            "avec très peu de réponses, vous pourriez reconnaître qui a écrit quoi.",
            id="commentaires-resume",
        ))  # fmt: skip
        return out
    summary = (
        f"{number(found.total)} commentaires sur {period.label} ; "
        f"{number(len(found.comments))} avec les filtres choisis. Les dates sont données au mois."
    )
    out.append(html.P(summary, id="commentaires-resume"))
    if found.keywords:
        words = ", ".join(f"{k.word} ({number(k.comments)})" for k in found.keywords)
        out.append(html.P(f"Les mots qui reviennent le plus (nombre de commentaires) : {words}."))
    back = base + ("?" + search.removeprefix("?") if search.strip("?") else "")
    unread = [c for c in found.comments if not c.treated][:COMMENTS_SHOWN]
    treated = [c for c in found.comments if c.treated][:COMMENTS_SHOWN]
    out.append(html.H3(f"À lire ({number(len(unread))})"))
    out.append(html.Ul([_comment(c, notes, themes, csrf, back) for c in unread],
                       className="comments"))  # fmt: skip
    if treated:
        out.append(html.H3(f"Traités ({number(len(treated))})"))
        out.append(html.Ul([_comment(c, notes, themes, csrf, back) for c in treated],
                           className="comments treated"))  # fmt: skip
    return out


def _month_options(today: dt.date, chosen: dt.date | None) -> list[html.Option]:
    this = today.replace(day=1)
    months = [add_months(this, -i) for i in range(36)]
    if chosen is not None and chosen not in months:
        months.append(chosen)
    selected = chosen or this
    return [html.Option(month_label(m), value=f"{m:%Y-%m}", selected=m == selected) for m in months]


def _action_form(editing: ActionEntry | None, topics: dict[str, str], csrf: str,
                 today: dt.date) -> html.Form:  # fmt: skip
    title = "Modifier l'action" if editing else "Ajouter une action"
    chosen_topic = editing.topic if editing else None
    fields: list[Any] = [_csrf_field(csrf), html.H3(title)]
    if editing:
        fields.append(_hidden("action", str(editing.id)))
    fields += [
        html.Label("Ce que vos usagers ont dit", htmlFor="dit"),
        dcc.Textarea(id="dit", name="dit", required=True, maxLength=MAX_TEXT, rows=3,
                     value=editing.said if editing else ""),
        html.Label("Ce que vous avez changé", htmlFor="fait"),
        dcc.Textarea(id="fait", name="fait", required=True, maxLength=MAX_TEXT, rows=3,
                     value=editing.done if editing else ""),
        html.Label("Mois du changement", htmlFor="mois"),
        html.Select(_month_options(today, editing.done_in if editing else None),
                    id="mois", name="mois"),
        html.Label("Indicateur ou motif concerné (facultatif)", htmlFor="sujet"),
        html.Select(
            [html.Option("Aucun en particulier", value="", selected=not chosen_topic)]
            + [html.Option(label, value=code, selected=chosen_topic == code)
               for code, label in topics.items()],
            id="sujet", name="sujet",
        ),
        html.Label("Montrer cette action sur la page publique de votre territoire ?",
                   htmlFor="public"),
        html.Select([
            html.Option("Non, seulement dans notre espace et notre bilan", value="0",
                        selected=not editing or not editing.public),
            html.Option("Oui, aussi sur la page publique", value="1",
                        selected=bool(editing and editing.public)),
        ], id="public", name="public"),
        html.Button("Enregistrer", type="submit", className="primary-button"),
    ]  # fmt: skip
    return html.Form(fields, method="post", action=f"{SEND}/action", className="stacked-form")


def actions_view(
    entries: Sequence[ActionEntry],
    *,
    editing: ActionEntry | None,
    topics: dict[str, str],
    csrf: str,
    today: dt.date,
    done: str | None,
    departements: Sequence[tuple[str, str]] = (),
) -> list[Any]:
    """`departements`: (code, name) of the départements of the team's places, whose public
    pages show the entries the team publishes."""
    pages: list[Any] = []
    for i, (code, name) in enumerate(departements):
        pages += [", " if i else "", html.A(name, href=f"/barometre/territoires/{code}")]
    out: list[Any] = [
        html.H2("Vous avez dit, nous avons fait", id="actions-titre"),
        *_status(done),
        html.P(
            "Notez ce que vous avez changé pour répondre à ce que vos usagers ont dit. Les "
            "actions apparaissent ici et dans votre bilan annuel ; sur la page publique de votre "
            "territoire seulement si vous le choisissez. Chaque modification est datée et "
            "l'historique est gardé."
        ),
        *(
            [
                html.P(
                    [
                        "Vos actions publiques paraissent sur la page de : ",
                        *pages,
                        " (les noms, numéros et adresses y sont masqués).",
                    ]
                )
            ]
            if pages
            else []
        ),
        _action_form(editing, topics, csrf, today),
        html.H3(f"Vos actions ({number(len(entries))})"),
    ]
    if not entries:
        out.append(html.P("Aucune action notée pour l'instant."))
        return out
    items = []
    for e in entries:
        edited = (
            f" · modifiée {e.versions - 1} fois, la dernière le {e.saved_on:%d/%m/%Y}"
            if e.versions > 1
            else ""
        )
        topic = topics.get(e.topic, e.topic) if e.topic else "sans sujet"
        meta = (
            f"{month_label(e.done_in)} · {topic}"
            f" · {'publique' if e.public else 'non publique'}{edited}"
        )
        items.append(html.Li([
            html.P([html.Strong("Vous avez dit : "), e.said]),
            html.P([html.Strong("Nous avons fait : "), e.done]),
            html.P(meta, className="note"),
            html.Div([
                dcc.Link("Modifier", href=f"/equipe/actions?modifier={e.id}"),
                html.Form([
                    _csrf_field(csrf), _hidden("action", str(e.id)),
                    html.Button("Retirer", type="submit", className="link-button"),
                ], method="post", action=f"{SEND}/action/retrait"),
            ], className="row-actions"),
        ], className="action"))  # fmt: skip
    out.append(html.Ul(items, className="actions"))
    return out


def held_view(
    held: Sequence[Held], names: dict[str, str], *, csrf: str, release_days: int,
    done: str | None,
) -> list[Any]:  # fmt: skip
    out: list[Any] = [
        html.H2("Réponses en attente", id="attente-titre"),
        *_status(done),
        html.P(
            "Quand beaucoup de réponses identiques arrivent en quelques minutes du même appareil "
            "(un essai, un atelier, un abus), elles sont mises de côté et ne comptent pas dans "
            "vos chiffres. Comptez-les si elles sont vraies, écartez-les sinon. Sans décision, "
            f"elles sont comptées au bout de {release_days} jours."
        ),
    ]
    if not held:
        out.append(html.P("Aucune réponse en attente.", id="attente-vide"))
        return out
    rows = [
        html.Tr([
            html.Td(f"{h.day:%d/%m/%Y}"), html.Td(names.get(h.place_code, h.place_code)),
            html.Td(h.channel),
        ]) for h in held
    ]  # fmt: skip
    out.append(html.Table([
        html.Caption(f"{number(len(held))} réponses en attente"),
        html.Thead(html.Tr([html.Th("Jour", scope="col"), html.Th("Lieu", scope="col"),
                            html.Th("Canal", scope="col")])),
        html.Tbody(rows),
    ], id="table-attente"))  # fmt: skip
    out.append(html.Form(
        [_csrf_field(csrf), *(_hidden("reponse", h.id) for h in held),
         html.Button("Compter ces réponses", type="submit", name="decision", value="liberer",
                     className="primary-button"),
         html.Button("Les écarter", type="submit", name="decision", value="ecarter",
                     className="link-button")],
        method="post", action=f"{SEND}/attente", className="row-actions",
    ))  # fmt: skip
    return out
