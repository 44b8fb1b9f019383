"""create_app(settings) → the Flask server with the survey, the API and the dashboards mounted."""

from __future__ import annotations

from flask import Flask, current_app, g, render_template, request
from sqlalchemy.exc import OperationalError

from observatory.config import Settings, get_settings
from observatory.runtime import Runtime, build_runtime
from observatory.workers.dispatch import Notifier

EXTENSION = "observatory"
DASH_PREFIX = "/barometre/"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def create_app(settings: Settings | None = None, notifier: Notifier | None = None) -> Flask:
    from dashboards.barometer import register_barometer
    from survey import survey_blueprint
    from survey.api import api_blueprint
    from survey.entry import entry_blueprint
    from survey.kiosk import kiosk_blueprint

    settings = settings or get_settings()
    runtime = build_runtime(settings, notifier)
    app = Flask(__name__, template_folder=None)
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
    _install_translations(app)

    @app.get("/")
    def home() -> str:
        return render_template("home.html")

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.after_request
    def security_headers(response):  # type: ignore[no-untyped-def]
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if not request.path.startswith(DASH_PREFIX):
            # No inline script, nothing from another origin. (Dash's renderer still needs an
            # inline bootstrap, so its pages are left to a later hash-based policy.)
            response.headers.setdefault("Content-Security-Policy", CSP)
        return response

    @app.errorhandler(OperationalError)
    def database_unavailable(_error: OperationalError):  # type: ignore[no-untyped-def]
        # Clients retry later: the kiosk keeps its queue, a browser shows a plain message.
        if request.path.startswith("/api/"):
            return {"error": "the database is unavailable; retry later"}, 503
        return render_template("unavailable.html"), 503

    register_barometer(app, runtime)
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


def runtime() -> Runtime:
    """The runtime of the app handling the current request."""
    rt: Runtime = current_app.extensions[EXTENSION]
    return rt
