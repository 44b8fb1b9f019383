"""create_app(settings) → the Flask server with the survey, the API and the dashboards mounted."""

from __future__ import annotations

import gc

from flask import Flask, g, render_template, request
from sqlalchemy.exc import OperationalError

from dashboards.barometer import register_barometer
from dashboards.team import register_team_space
from observatory.config import Settings, get_settings
from observatory.digest.views import unsubscribe_blueprint
from observatory.runtime import build_runtime
from observatory.web.context import EXTENSION
from observatory.web.hardening import ObservatoryFlask, guard_dash, install_hardening
from observatory.web.install import install_web
from observatory.web.problems import problem
from observatory.workers.dispatch import Notifier
from survey import survey_blueprint
from survey.api import api_blueprint
from survey.entry import entry_blueprint
from survey.kiosk import kiosk_blueprint


def create_app(settings: Settings | None = None, notifier: Notifier | None = None) -> Flask:
    settings = settings or get_settings()
    runtime = build_runtime(settings, notifier)
    app = ObservatoryFlask(__name__, template_folder=None)
    app.config["SECRET_KEY"] = settings.secret_key.get_secret_value()
    # Only mediators signing in get a cookie; never the people who answer.
    app.config["SESSION_COOKIE_SAMESITE"] = "Strict"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SECURE"] = settings.public_url.startswith("https://")
    app.extensions[EXTENSION] = runtime
    app.register_blueprint(survey_blueprint)
    app.register_blueprint(kiosk_blueprint)
    app.register_blueprint(api_blueprint)
    app.register_blueprint(entry_blueprint)
    app.register_blueprint(unsubscribe_blueprint)  # /equipe/desabonnement/<token>
    _install_translations(app)

    @app.get("/")
    def home() -> str:
        return render_template("home.html")

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    install_web(app)
    install_hardening(app, settings)

    @app.errorhandler(OperationalError)
    def database_unavailable(_error: OperationalError):  # type: ignore[no-untyped-def]
        # Clients retry later: the kiosk keeps its queue, a browser shows a plain message.
        if request.path.startswith("/api/"):
            return problem(503, "Unavailable", "the database is unavailable; retry later")
        return render_template("unavailable.html"), 503

    guard_dash(app, register_barometer(app, runtime))
    guard_dash(app, register_team_space(app, runtime))
    return app


def _install_translations(app: Flask) -> None:
    """`_()` in templates translates into the request's language (chosen in survey.i18n)."""
    from survey.i18n import Translator

    def translator() -> Translator:
        found: Translator | None = g.get("translator")
        return found if found is not None else Translator("fr")

    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message: translator().gettext(message),
        ngettext=lambda singular, plural, n: translator().ngettext(singular, plural, n),
        newstyle=True,
    )


def freeze_startup_objects() -> None:
    """Keep what start-up built (modules, the app, reference data: hundreds of thousands of
    objects that live as long as the process) out of the garbage collector's full passes.

    Why: each full pass walks every tracked object, and a page that parses a few thousand
    cells triggers one now and then; on the team space that added 100 ms or more to one
    request in twenty (docs/performance.md). Called once the app is built, by the servers
    (gunicorn's `observatory.wsgi`, `observatory serve` and `demo`), never by create_app
    itself: tests build many apps in one process and their garbage must stay collectable."""
    gc.collect()
    gc.freeze()
