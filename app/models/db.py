"""Engines, sessions and the schema: `ensure_schema` creates or upgrades through Alembic."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app import APP_NAME, __version__
from app.errors import Refused

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def database_url(db: str | Path | None) -> str:
    """`--db` accepts a file path or an SQLAlchemy URL; no value means the embedded default."""
    if db is None:
        from app.paths import default_db_path

        db = default_db_path()
    text = str(db)
    if "://" in text:
        return text
    return "sqlite:///" + str(Path(text).expanduser().resolve())


def sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def make_engine(url: str) -> Engine:
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30})
        _make_sqlite_transactional(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _make_sqlite_transactional(engine: Engine) -> None:
    # pysqlite opens transactions only before DML, so DDL and a migration would commit
    # piecemeal. Driving BEGIN ourselves makes every unit of work all-or-nothing.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # 64 MB of page cache instead of 2 MB: index upkeep during a 100,000-row import
        # otherwise rereads pages from disk.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(engine: Engine):
    """One user action = one transaction: all of it lands or none."""
    with session_factory(engine)() as session, session.begin():
        yield session


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@dataclass
class SchemaResult:
    previous: str | None
    current: str
    backup: Path | None = None

    @property
    def changed(self) -> bool:
        return self.previous != self.current


def ensure_schema(engine: Engine, *, target: str = "head") -> SchemaResult:
    """Create the schema in an empty database or upgrade an older one to `target`.

    A database file is copied aside before an upgrade; a database from a newer program,
    or one that is not SkillDesk's, is refused and left untouched.
    """
    script = ScriptDirectory.from_config(_alembic_config())
    head = script.get_current_head() if target == "head" else target
    previous = current_revision(engine)
    if previous == head:
        return SchemaResult(previous, head)
    if previous is not None and previous not in {r.revision for r in script.walk_revisions()}:
        raise Refused(
            f"该数据库由更新版本的 {APP_NAME} 创建（架构版本 {previous}），"
            f"本程序（{__version__}）只认识到 {script.get_current_head()}。请先升级程序，数据库未作任何改动。"
        )
    if previous is None:
        tables = set(inspect(engine).get_table_names())
        if tables:
            raise Refused(
                f"该数据库不是 {APP_NAME} 数据库（其中已有其他表：{'、'.join(sorted(tables)[:5])}），未作任何改动。"
            )
    backup = None
    file = sqlite_file(str(engine.url))
    if previous is not None and file is not None and file.exists():
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = file.with_name(f"{file.stem}.升级前备份-{previous}-{stamp}{file.suffix}")
        copy_sqlite_file(file, backup)
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, head)
    with unit_of_work(engine) as session:
        from app.models.register import AppMeta

        session.merge(AppMeta(key="application", value=APP_NAME))
        session.merge(AppMeta(key="program_version", value=__version__))
    return SchemaResult(previous, head, backup)


def copy_sqlite_file(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's online backup API, safe while others have it open."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    shutil.move(tmp, target)
