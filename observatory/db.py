"""Declarative base, engine and session factories, and schema migrations."""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import BigInteger, Engine, Integer, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

# Stable constraint names, so Alembic batch mode on SQLite can find and alter them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL wants 64 bits for big tables.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url if isinstance(engine_or_url, str) else str(engine_or_url.url)
    return url.startswith("sqlite")


def make_engine(database_url: str, **kwargs: Any) -> Engine:
    """An engine tuned for the backend: WAL and a busy timeout on SQLite (web + worker threads).

    SQL parameters are never written into errors or logs (`hide_parameters`): they hold
    comments and keys, and a NUL byte once put a comment's text into a traceback.
    """
    kwargs.setdefault("hide_parameters", True)
    if is_sqlite(database_url):
        engine = create_engine(
            database_url,
            connect_args={"check_same_thread": False, "timeout": 30},
            **kwargs,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(database_url, pool_pre_ping=True, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def sessions_for(database_url: str) -> sessionmaker[Session]:
    """A session factory on its own engine (commands: one per invocation)."""
    return make_session_factory(make_engine(database_url))


@contextmanager
def committing(session: Session) -> Iterator[Session]:
    """A transaction on `session`: commit on success, roll back on any error."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error, always close."""
    session = factory()
    try:
        with committing(session):
            yield session
    finally:
        session.close()


def bulk_insert(session: Session, table: str, frame: pd.DataFrame) -> None:
    """Insert a frame's rows through the driver: COPY on PostgreSQL, executemany on SQLite.

    The ORM's per-row work dominates large folds and demo seeding; this path skips it. Column
    names are the frame's; values must be plain (dates as `datetime.date`, missing as None).
    """
    if frame.empty:
        return
    connection = session.connection()
    names = ", ".join(frame.columns)
    if connection.dialect.name == "postgresql":
        raw: Any = connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in _plain_rows(frame, sqlite=False):
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in frame.columns)
    connection.exec_driver_sql(
        f"INSERT INTO {table} ({names}) VALUES ({marks})", list(_plain_rows(frame, sqlite=True))
    )


def _plain_rows(frame: pd.DataFrame, sqlite: bool) -> Iterator[tuple[Any, ...]]:
    """Rows as tuples of plain Python values, converted column by column (not value by value)."""
    columns = []
    for name in frame.columns:
        values: Sequence[Any] = frame[name].astype(object).where(frame[name].notna(), None).tolist()
        if sqlite and len(values) and isinstance(values[0], dt.date):
            # Stored as SQLAlchemy stores dates on SQLite: ISO text.
            values = [v.isoformat() if v is not None else None for v in values]
        columns.append(values)
    return zip(*columns, strict=True)


def read_frame(
    session: Session, sql: str, params: Sequence[Any], columns: list[str]
) -> pd.DataFrame:
    """Run SQL with positional parameters on the session's connection, straight from the driver.

    Plain tuples from the DBAPI cursor make a DataFrame several times faster than Row objects.
    `sql` uses `?` marks; they are adapted to the driver.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        sql = sql.replace("?", "%s")
    raw: Any = connection.connection.driver_connection
    cursor = raw.cursor()
    try:
        cursor.execute(sql, tuple(params))
        return pd.DataFrame.from_records(cursor.fetchall(), columns=columns)
    finally:
        cursor.close()


def migrations_dir() -> Path:
    """Where the Alembic scripts are, installed (wheel) or mapped (editable install)."""
    spec = importlib.util.find_spec("observatory.migrations")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the observatory.migrations package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def alembic_config(database_url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    # Alembic's ini interpolation treats % specially: escape it in URLs.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(database_url), revision)
