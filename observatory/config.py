"""The one typed place where settings are read (environment variables prefixed OBSERVATORY_)."""

from __future__ import annotations

from email.utils import parseaddr
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from observatory.keyring import default_key_file, load_or_create


def _default_database_url() -> str:
    # A file in the working directory: the embedded default needs no server at all.
    return f"sqlite:///{Path.cwd() / 'observatory.sqlite3'}"


class Settings(BaseSettings):
    """Every setting of the product; `docs/settings.md` documents each one (a test checks)."""

    model_config = SettingsConfigDict(env_prefix="OBSERVATORY_", extra="ignore")

    database_url: str = Field(
        default_factory=_default_database_url,
        description="SQLAlchemy URL of the database: sqlite:///path (embedded) or "
        "postgresql+psycopg://user@host/db (production).",
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis URL used as Celery broker. Unset: tasks run in an in-process worker.",
    )
    secret_key: SecretStr = Field(
        default=SecretStr(""),
        description="Key that signs tokens, kiosk enrolments, sign-in links and form tokens. "
        "Unset: the newest key of the key file (created once, mode 0600, beside the SQLite "
        "database), shared by every command and the server.",
    )
    key_file: Path | None = Field(
        default=None,
        description="Key file used when no secret key is set (default: observatory.keys.json "
        "beside the SQLite database, or in the working directory for PostgreSQL).",
    )
    k_team: int = Field(
        default=5, ge=1, description="Smallest number of answers a team sees in its own cells."
    )
    k_public: int = Field(
        default=11,
        ge=1,
        description="Smallest number of answers behind any figure shown to anyone but the team "
        "(INSEE statistical-secrecy rule).",
    )
    n_place_score: int = Field(
        default=100,
        ge=1,
        description="Answers over rolling 12 months needed to publish the score of a single place.",
    )
    fold_debounce_seconds: float = Field(
        default=1.0,
        ge=0.0,
        le=60.0,
        description="Window during which new answers share one fold task (never one per answer).",
    )
    sweep_interval_seconds: float = Field(
        default=60.0,
        gt=0.0,
        description="Period of the safety sweep that folds answers whose notification was lost.",
    )
    task_time_limit_seconds: int = Field(
        default=240,
        gt=0,
        description="Hard time limit of every task; must stay below the broker visibility timeout.",
    )
    broker_visibility_timeout_seconds: int = Field(
        default=300,
        gt=0,
        description="Seconds before Redis redelivers an unacknowledged task to another worker.",
    )
    min_fill_seconds: float = Field(
        default=2.0,
        ge=0.0,
        description="A form sent faster than this after it was shown is shown again to confirm "
        "(robots answer instantly; a person just presses Send again).",
    )
    form_token_max_age_seconds: int = Field(
        default=86_400,
        gt=0,
        description="How long a form stays valid after it was shown; older forms are shown "
        "again with the answers kept.",
    )
    rate_limit_client_per_hour: int = Field(
        default=60,
        gt=0,
        description="Answers accepted per hour from one (hashed) client address; generous, as "
        "a place's public Wi-Fi puts everyone behind one address.",
    )
    rate_limit_place_per_hour: int = Field(
        default=600,
        gt=0,
        description="Answers accepted per hour for one place through its form (QR code or "
        "link). Only stored answers count; enrolled kiosks and mediators have their own limits.",
    )
    rate_limit_kiosk_per_hour: int = Field(
        default=600,
        gt=0,
        description="Answers accepted per hour from one enrolled kiosk (its own bucket, never "
        "the place's or the address's).",
    )
    rate_limit_mediator_per_hour: int = Field(
        default=600,
        gt=0,
        description="Answers a signed-in mediator may enter per hour, per token (a stack of "
        "paper forms is transcribed at a few hundred an hour).",
    )
    burst_threshold: int = Field(
        default=5,
        gt=0,
        description="Identical answers from one client address at one place within 10 minutes "
        "beyond which the next ones are flagged and kept out of statistics until released "
        "(kiosks and mediators are never flagged).",
    )
    burst_release_days: int = Field(
        default=7,
        ge=0,
        description="Days after which a flagged answer that nobody discarded is released into "
        "the statistics automatically.",
    )
    kiosk_idle_seconds: int = Field(
        default=60,
        gt=0,
        description="Seconds without a touch after which a kiosk asks whether the person is "
        "still there (RGAA 13.1: they can ask for more time).",
    )
    kiosk_warning_seconds: int = Field(
        default=30,
        ge=20,  # WCAG 2.2.1 / RGAA 13.1: at least 20 s to ask for more time
        description="Seconds the kiosk waits for an answer to that question before it keeps "
        "what was answered and goes back to the start.",
    )
    kiosk_pause_seconds: int = Field(
        default=8,
        ge=0,
        description="Minimum interval between two answers on a kiosk (the thank-you screen).",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8050",
        description="Public address of the site, printed on posters and QR codes made offline "
        "(pages served on the web use the address they were requested at).",
    )
    timezone: str = Field(
        default="Europe/Paris",
        description="Time zone that decides which day an answer belongs to.",
    )
    log_level: str = Field(default="INFO", description="Python logging level of the services.")
    smtp_url: SecretStr | None = Field(
        default=None,
        description="SMTP server the weekly digests are sent through, as "
        "smtp://user:password@host:587?starttls=1 or smtps://user:password@host:465. Unset: "
        "digests cannot be sent (`observatory digest send --dry-run` still shows them).",
    )
    mail_from: str = Field(
        default="Observatoire de la médiation numérique <ne-pas-repondre@localhost>",
        description="Sender (From) of the e-mails the observatory sends.",
    )
    session_idle_minutes: int = Field(
        default=120,
        ge=1,
        le=24 * 60,
        description="Minutes without a request after which a staff session ends (a shared "
        "computer left signed in).",
    )
    session_lifetime_hours: int = Field(
        default=12,
        ge=1,
        le=7 * 24,
        description="Hours after sign-in when a staff session ends however active it is (never "
        "later than its token's expiry).",
    )
    signin_link_hours: int = Field(
        default=24,
        ge=1,
        le=7 * 24,
        description="Hours a sign-in link printed by `observatory token issue` or `token link` "
        "stays valid; each link works once.",
    )

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        # HMAC-SHA256 keys shorter than the hash are weak (RFC 7518 §3.2). Empty: unset, the
        # key file's is used.
        if 0 < len(value.get_secret_value()) < 32:
            raise ValueError("the secret key needs at least 32 characters")
        return value

    @model_validator(mode="after")
    def _key_from_file(self) -> Settings:
        # Read (or made) once per process, like every setting: never a key per process.
        if not self.secret_key.get_secret_value():
            path = self.key_file or default_key_file(self.database_url)
            self.secret_key = SecretStr(load_or_create(path)[0].secret)
        return self

    @field_validator("redis_url")
    @classmethod
    def _empty_is_unset(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("smtp_url")
    @classmethod
    def _empty_smtp_is_unset(cls, value: SecretStr | None) -> SecretStr | None:
        # Its shape is checked where it is used (observatory.digest.mailer), whose errors never
        # repeat the URL: it holds a password.
        return value if value is not None and value.get_secret_value() else None

    @field_validator("mail_from")
    @classmethod
    def _one_address(cls, value: str) -> str:
        # A line break would let the value add headers to every e-mail.
        if "\r" in value or "\n" in value or "@" not in parseaddr(value)[1]:
            raise ValueError("the sender reads 'Name <address@domain>' or 'address@domain'")
        return value

    @model_validator(mode="after")
    def _time_limit_below_visibility(self) -> Settings:
        # A task still running when Redis redelivers it would run twice at once.
        if self.task_time_limit_seconds >= self.broker_visibility_timeout_seconds:
            raise ValueError(
                "task_time_limit_seconds must be below broker_visibility_timeout_seconds"
            )
        return self

    @property
    def embedded(self) -> bool:
        """True when no Redis is configured: tasks then run in-process."""
        return self.redis_url is None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once from the environment (tests build their own `Settings`)."""
    return Settings()
