"""Self-service for a team's places (/equipe/lieux): the form link, the poster and the QR code
of each place, its kiosk tablets enrolled and revoked, all without the CLI.

The page is drawn by `places_view`; the kiosk forms and the QR files are served here, each for
the team's own places only. An enrolment link is shown once, in the reply to the form (never in
an address, which browsers and proxies keep), as `observatory kiosk enrol` prints it once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from dash import dcc, html
from flask import Blueprint, Response, abort, redirect, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboards.team_forms import refused
from observatory.access import audit
from observatory.analysis.team import PlaceChoice
from observatory.clock import today
from observatory.places.kiosks import enrol_kiosk, kiosks_of_place, revoke_kiosk
from observatory.places.models import Kiosk, Place, TeamPlace
from observatory.places.qr import form_url, qr_png, qr_svg_document
from observatory.teamspace.contacts import (
    ContactEntry,
    ContactError,
    add_contact,
    remove_contact,
)
from observatory.web.context import public_url, runtime, unit_of_work
from observatory.web.staff import current_principal, signed_in_team, team_form_sender

team_places_blueprint = Blueprint(
    "team_places", __name__, url_prefix="/equipe", template_folder="templates"
)
CODE = re.compile(r"[A-Z0-9]{4,8}")
NUMBER = re.compile(r"[0-9]{1,9}")
FILES = (
    ("Affiche à imprimer", "/r/{code}/affiche"),
    ("QR code (SVG)", "/equipe/lieux/{code}/qr.svg"),
    ("QR code (PNG)", "/equipe/lieux/{code}/qr.png"),
)


def _principal_team() -> tuple[int, str]:
    principal = team_form_sender()
    return int(principal.scope), principal.jti


def _own_place(team_id: int, code: str) -> Place:
    if not CODE.fullmatch(code):
        abort(404)
    with unit_of_work() as db:
        place = db.scalar(
            select(Place)
            .join(TeamPlace, TeamPlace.place_id == Place.id)
            .where(TeamPlace.team_id == team_id, Place.code == code)
        )
    if place is None:
        abort(404)
    return place


@team_places_blueprint.get("/lieux/<code>/qr.<kind>")
def qr(code: str, kind: str) -> ResponseReturnValue:
    if current_principal() is None:
        return redirect("/equipe/connexion")
    team = signed_in_team()
    if team is None:
        abort(403)
    place = _own_place(int(team.scope), code)
    url = form_url(public_url(), place.code)
    if kind == "svg":
        body: Any = qr_svg_document(url, title=f"Votre avis – {place.name}")
        mimetype = "image/svg+xml"
    elif kind == "png":
        body, mimetype = qr_png(url), "image/png"
    else:
        abort(404)
    disposition = f'attachment; filename="qr-{place.code}.{kind}"'
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": disposition})


@team_places_blueprint.post("/envoi/kiosque")
def enrol() -> ResponseReturnValue:
    team_id, jti = _principal_team()
    place = _own_place(team_id, request.form.get("lieu", ""))
    rt = runtime()
    with unit_of_work() as db:
        kiosk, token = enrol_kiosk(
            db, db.merge(place), request.form.get("nom", ""),
            rt.settings.secret_key.get_secret_value(), today(rt.settings.timezone),
        )  # fmt: skip
        audit.record(db, actor=audit.token_actor(jti), action="kiosk.enrol", target=str(kiosk.id))
        label = kiosk.label
    link = f"{public_url()}/kiosk/{token}"
    return render_template("team_kiosk.html", link=link, label=label, place=place.name)


@team_places_blueprint.post("/envoi/kiosque/retrait")
def revoke() -> ResponseReturnValue:
    team_id, jti = _principal_team()
    kiosk_id = request.form.get("kiosque", "")
    if not NUMBER.fullmatch(kiosk_id):
        abort(400)
    rt = runtime()
    with unit_of_work() as db:
        served = select(TeamPlace.place_id).where(TeamPlace.team_id == team_id)
        kiosk = db.scalar(
            select(Kiosk).where(Kiosk.id == int(kiosk_id), Kiosk.place_id.in_(served))
        )
        if kiosk is None:
            abort(404)
        revoke_kiosk(db, kiosk.id, today(rt.settings.timezone))
        audit.record(db, actor=audit.token_actor(jti), action="kiosk.revoke", target=kiosk_id)
    return redirect("/equipe/lieux?fait=kiosque", code=303)


@team_places_blueprint.post("/envoi/adresse")
def add_address() -> ResponseReturnValue:
    team_id, jti = _principal_team()
    rt = runtime()
    try:
        with unit_of_work() as db:
            add_contact(
                db, team_id, request.form.get("adresse", "")[:320],
                today=today(rt.settings.timezone), actor=audit.token_actor(jti),
            )  # fmt: skip
    except ContactError as error:
        return refused(str(error), "/equipe/lieux")
    return redirect("/equipe/lieux?fait=adresse", code=303)


@team_places_blueprint.post("/envoi/adresse/retrait")
def remove_address() -> ResponseReturnValue:
    team_id, jti = _principal_team()
    try:
        with unit_of_work() as db:
            remove_contact(
                db, team_id, request.form.get("adresse", "")[:320], actor=audit.token_actor(jti)
            )
    except ContactError:
        abort(404)
    return redirect("/equipe/lieux?fait=adresse-retiree", code=303)


def contacts_view(contacts: Sequence[ContactEntry], csrf: str) -> html.Section:
    """The addresses the weekly digest goes to, managed by the team."""
    items = [
        html.Li([
            c.email if c.subscribed else f"{c.email} (désabonnée le {c.unsubscribed_on:%d/%m/%Y})",
            html.Form([
                dcc.Input(type="hidden", name="csrf", value=csrf),
                dcc.Input(type="hidden", name="adresse", value=c.email),
                html.Button(f"Retirer {c.email}", type="submit", className="link-button"),
            ], method="post", action="/equipe/envoi/adresse/retrait"),
        ]) for c in contacts
    ]  # fmt: skip
    return html.Section([
        html.H3("La lettre de la semaine", id="adresses-titre"),
        html.P("Chaque lundi, s'il y a du nouveau, un court courriel dit combien de réponses "
               "sont arrivées et ce qui a changé, avec un lien vers cet espace. Jamais le texte "
               "des commentaires. Chaque courriel a un lien pour se désabonner."),
        html.Ul(items) if items else html.P("Aucune adresse pour l'instant."),
        html.Form([
            dcc.Input(type="hidden", name="csrf", value=csrf),
            html.Label("Ajouter une adresse e-mail", htmlFor="adresse"),
            dcc.Input(id="adresse", name="adresse", type="email", maxLength=254, required=True,
                      placeholder="prenom.nom@exemple.fr"),
            html.Button("Ajouter l'adresse", type="submit", className="primary-button"),
        ], method="post", action="/equipe/envoi/adresse", className="stacked-form"),
    ], className="place-card", **{"aria-labelledby": "adresses-titre"})  # type: ignore[arg-type]  # fmt: skip


def places_view(
    places: Sequence[PlaceChoice], kiosks: dict[int, list[Kiosk]], *, base_url: str, csrf: str,
    done: str | None,
) -> list[Any]:  # fmt: skip
    out: list[Any] = [html.H2("Vos lieux : affiches, liens et tablettes", id="lieux-titre")]
    if done:
        out.append(html.P(done, role="status", className="done"))
    for place in places:
        url = form_url(base_url, place.code)
        active = [k for k in kiosks.get(place.id, []) if k.revoked_on is None]
        rows = [
            html.Li([
                f"{k.label} (depuis le {k.enrolled_on:%d/%m/%Y}) ",
                html.Form([
                    dcc.Input(type="hidden", name="csrf", value=csrf),
                    dcc.Input(type="hidden", name="kiosque", value=str(k.id)),
                    html.Button(f"Retirer la tablette « {k.label} »", type="submit",
                                className="link-button"),
                ], method="post", action="/equipe/envoi/kiosque/retrait"),
            ]) for k in active
        ]  # fmt: skip
        field = f"nom-{place.code}"
        out.append(html.Section([
            html.H3(place.name),
            html.P(["Lien du questionnaire (à copier dans un message ou sur un site) : ",
                    html.Code(url)]),
            html.Ul([
                html.Li(html.A(f"{label} – {place.name}", href=href.format(code=place.code)))
                for label, href in FILES
            ]),
            html.H4("Tablettes en libre-service"),
            html.Ul(rows) if rows else html.P("Aucune tablette enregistrée."),
            html.Form([
                dcc.Input(type="hidden", name="csrf", value=csrf),
                dcc.Input(type="hidden", name="lieu", value=place.code),
                html.Label("Nom de la nouvelle tablette", htmlFor=field),
                dcc.Input(id=field, name="nom", type="text", maxLength=100,
                          placeholder="Tablette de l'accueil"),
                html.Button("Enregistrer une tablette", type="submit", className="primary-button"),
            ], method="post", action="/equipe/envoi/kiosque", className="stacked-form"),
        ], className="place-card"))  # fmt: skip
    return out


def kiosks_by_place(db: Session, places: Sequence[PlaceChoice]) -> dict[int, list[Kiosk]]:
    return {p.id: kiosks_of_place(db, p.id) for p in places}
