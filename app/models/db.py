"""Engines, sessions and the schema: `ensure_schema` creates or upgrades through Alembic."""

from __future__ import annotations

import os
import shutil
import sqlite3
import weakref
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, create_engine, event, insert, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from app import APP_NAME, __version__
from app.errors import BUSY_WAIT_SECONDS, Refused, StaleRecord, stale_message
from app.logs import get_logger
from app.models.users import actor_of

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
log = get_logger("db")


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


# How long a statement waits for a database another program is writing before it gives up
# with "database is locked" (said in Chinese by app.errors.describe_failure).
BUSY_TIMEOUT_SECONDS = BUSY_WAIT_SECONDS


def make_engine(url: str) -> Engine:
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})
        _make_sqlite_transactional(engine, sqlite_file(url))
    else:
        engine = create_engine(url, pool_pre_ping=True)
        _refuse_readers_at_begin(engine)
        _server_times_in_utc(engine)
    _readers_connect_read_only(engine)
    return engine


# Execution option marking a connection's transaction as one that writes (see below).
_WRITES = "skilldesk_writes"
# Connection-record flag: SQLite could not write this file (see _use_wal). Kept apart from
# PRAGMA query_only, which a 只读 user's connections also set.
_FILE_READ_ONLY = "skilldesk_file_read_only"


def require_writer(engine: Engine) -> None:
    """The role wall every write passes (unit_of_work, engine.begin, restore): a 只读 user
    changes nothing, whatever a screen or a script lets through."""
    actor = actor_of(engine)
    if not actor.can_write:
        raise Refused(
            f"当前用户{actor.name}（{actor.role}）不能修改数据，未写入任何数据。"
            "需要修改时，请由经办人或管理员登录后操作。"
        )


def _refuse_readers_at_begin(engine: Engine) -> None:
    begin = engine.begin

    @contextmanager
    def begin_checked():
        require_writer(engine)
        with begin() as conn:
            yield conn

    engine.begin = begin_checked  # same contract as Engine.begin


def _readers_connect_read_only(engine: Engine) -> None:
    """The second wall, in the database itself: a 只读 user's connections cannot write even if
    a code path forgot require_writer. set_actor empties the pool when the role changes, so
    every connection is opened for the user acting now."""
    sqlite = engine.dialect.name == "sqlite"
    engine_ref = weakref.ref(engine)  # the listener lives in the engine: no cycle through it

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        acting = engine_ref()
        if acting is None or actor_of(acting).can_write:
            return
        cursor = dbapi_connection.cursor()
        try:
            if sqlite:
                cursor.execute("PRAGMA query_only=ON")
            else:
                cursor.execute("SET default_transaction_read_only = on")
                dbapi_connection.commit()  # a SET in a transaction rolled back would be undone
        finally:
            cursor.close()


def _server_times_in_utc(engine: Engine) -> None:
    # CURRENT_TIMESTAMP (the created/updated columns) then means UTC on PostgreSQL as it does
    # on SQLite, whatever time zone the shared server was set up in; the program shows
    # local time.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
        dbapi_connection.commit()


def _make_sqlite_transactional(engine: Engine, file: Path | None) -> None:
    # pysqlite opens transactions only before DML, so DDL and a migration would commit
    # piecemeal. Driving BEGIN ourselves makes every unit of work all-or-nothing.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            if file is not None and not _use_wal(cursor, file):  # first: it decides whether the file can be used at all
                _record.info[_FILE_READ_ONLY] = True
            cursor.execute("PRAGMA foreign_keys=ON")
            # 64 MB of page cache instead of 2 MB: index upkeep during a 100,000-row import
            # otherwise rereads pages from disk.
            cursor.execute("PRAGMA cache_size=-65536")
        except BaseException:
            cursor.close()
            dbapi_connection.close()
            raise
        cursor.close()

    # A transaction that writes (engine.begin(), unit_of_work) starts with BEGIN IMMEDIATE:
    # it takes the write lock first, so while another program writes it waits for the busy
    # timeout. A deferred BEGIN would read first and then fail at once on its first write:
    # SQLite never waits to turn a reading transaction into a writing one. Reads
    # (engine.connect(), plain sessions) keep BEGIN and, with WAL, never wait at all.
    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.get_execution_options().get(_WRITES) else "BEGIN")

    @contextmanager
    def begin_writing():
        require_writer(engine)
        with engine.connect() as conn:
            conn.execution_options(**{_WRITES: True})
            with conn.begin():
                yield conn

    engine.begin = begin_writing  # same contract as Engine.begin


def _use_wal(cursor, file: Path) -> bool:
    """Write-ahead logging, durable commits, and a clear answer for a file that cannot be written.
    False when the file can be read but not written here.

    WAL: readers (the window's lists) never wait for a writer (an import) nor block it, and
    a commit is one append to skilldesk.db-wal, so a crash or power cut at any moment
    leaves either the whole transaction or none of it.

    synchronous=FULL: with WAL, NORMAL never corrupts the file either, but a power cut can
    undo the last transactions that were already reported as saved. A clerk's register
    wants "已保存" to mean saved, and its commits are few (one per user action, one per
    import), so the extra fsync per commit costs nothing a clerk can notice: importing
    20,000 rows took 1.76 s with FULL and 1.77 s with NORMAL (best of 5; 1.82 s before,
    in rollback-journal mode); a one-row commit, 0.7 ms against 0.65 ms (median).

    wal_autocheckpoint=1: every commit is copied back into skilldesk.db right after it, so
    the -wal normally holds nothing the .db file lacks and a clerk who copies just the .db
    file while the program is idle copies everything. The -wal is still part of the
    database: a crash between a commit and its copy leaves that commit only there, and the
    next open brings it back.

    A read-only file, or a folder where SQLite cannot create the -wal and -shm files,
    leaves the database readable (lists, exports, backups) and every write refused with a
    Chinese message. The one case SQLite cannot even read - a WAL database in a read-only
    folder without its -shm file - is refused, naming the folder; nothing is changed.
    """
    try:
        mode = cursor.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise  # another program holds the file: the busy timeout has run out
        mode = None  # SQLite cannot write the file or create files beside it
    if mode == "wal" and os.access(file, os.W_OK):
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA wal_autocheckpoint=1")
        return True
    try:
        cursor.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        if "unable to open" in str(exc) and file.exists() and not os.access(file.parent, os.W_OK):
            raise Refused(
                f"数据库所在的文件夹是只读的：{file.parent}。{APP_NAME} 需要在数据库文件旁边建立"
                f"“{file.name}-wal”和“{file.name}-shm”两个工作文件，因此无法打开。"
                "请把数据库文件复制到可写的文件夹（例如“文档”）后再打开；原文件未作任何改动。"
            ) from exc
        raise
    # Readable but not writable here (a read-only file, or a folder where no journal can be
    # created): refuse every write up front, so that ensure_schema refuses an upgrade before
    # copying anything aside and a write fails as "只读" rather than "unable to open".
    cursor.execute("PRAGMA query_only=ON")
    log.warning("database opened read-only (%s): %s", "file" if os.access(file.parent, os.W_OK) else "folder", file)
    return False


def is_read_only(engine: Engine) -> bool:
    """True for an SQLite database this program can read but not write (see `_use_wal`): the
    file or its folder, never the role of the user acting."""
    if sqlite_file(str(engine.url)) is None:
        return False
    with engine.connect() as conn:
        return bool(conn.info.get(_FILE_READ_ONLY))


def session_factory(engine: Engine) -> sessionmaker[Session]:
    from app.services import audit  # noqa: F401 (importing it hooks every Session: the 操作日志)

    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(engine: Engine):
    """One user action = one transaction: all of it lands or none. Refused, before anything
    is read or written, when the user acting may not change data."""
    require_writer(engine)
    try:
        with session_factory(engine)() as session, session.begin():
            session.connection(execution_options={_WRITES: True})  # BEGIN IMMEDIATE on SQLite
            yield session
    except StaleDataError as exc:
        # Optimistic locking's last line: a versioned row another clerk saved between this
        # action's read and its write (PostgreSQL lets the two interleave). Nothing landed.
        raise StaleRecord(stale_message(_stale_what(exc))) from None


def _stale_what(exc: StaleDataError) -> str:
    """The kind of record a StaleDataError names by its table, in the clerk's words."""
    import re

    from app.services.audit_labels import ENTITY_NAMES

    found = re.search(r"table '(\w+)'", str(exc))
    name = ENTITY_NAMES.get(found.group(1)) if found else None
    return f"该{name}" if name else "该记录"


@contextmanager
def reading(engine: Engine):
    """A read in one transaction (one snapshot on SQLite); writes nothing, so every role may."""
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
    file = sqlite_file(str(engine.url))
    if file is not None and is_read_only(engine):
        what = "创建" if previous is None else f"从 {previous} 升级到 {head}"
        raise Refused(
            f"数据库文件或其所在的文件夹是只读的（{file}），无法{what}数据库结构。"
            "请检查文件的“只读”属性和文件夹的写入权限；数据库未作任何改动。"
        )
    backup = None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    if previous is not None and file is not None and file.exists():
        backup = file.with_name(f"{file.stem}.升级前备份-{previous}-{stamp}{file.suffix}")
        copy_sqlite_file(file, backup)
    elif previous is not None and file is None:
        # A shared server database: its copy, one SQLite file, goes to the data folder of
        # the clerk whose program upgrades it.
        from app.paths import data_dir

        name = make_url(str(engine.url)).database or "database"
        backup = copy_server_database(engine, data_dir() / f"{name}.升级前备份-{previous}-{stamp}.db", previous)
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, head)
        # In the upgrade's transaction: a crash between the two would leave a database at
        # head without the mark that makes it (and its backups) a SkillDesk database.
        _stamp(conn)
    return SchemaResult(previous, head, backup)


def _stamp(conn) -> None:
    from app.models.register import AppMeta

    with Session(bind=conn) as session:
        session.merge(AppMeta(key="application", value=APP_NAME))
        session.merge(AppMeta(key="program_version", value=__version__))
        session.flush()


def tables_in_copy_order():
    """Every table of the current schema, parents before children (foreign keys)."""
    from app.models import Base

    return Base.metadata.sorted_tables


_COPY_BATCH = 5000


def copy_rows(source_conn, target_conn, *, emptying_target: bool = False) -> int:
    """Every row of every table the target has into the target, column by column as both
    have them. Both sides are read from the databases themselves, not from the models, so an
    older schema revision (a backup before an upgrade) copies as faithfully as the current one.
    `emptying_target` first deletes the target's own rows (a new file's app_meta mark, rows a
    migration seeds), children first."""
    source_tables, target_tables = MetaData(), MetaData()
    source_tables.reflect(source_conn)
    target_tables.reflect(target_conn)
    if emptying_target:
        for table in reversed(target_tables.sorted_tables):
            if table.name != "alembic_version":
                target_conn.execute(table.delete())
    copied = 0
    for table in target_tables.sorted_tables:
        source = source_tables.tables.get(table.name)
        if table.name == "alembic_version" or source is None:
            continue
        columns = [source.c[column.name] for column in table.columns if column.name in source.c]
        rows = source_conn.execute(select(*columns).order_by(*source.primary_key.columns))
        while batch := rows.mappings().fetchmany(_COPY_BATCH):
            target_conn.execute(insert(table), [dict(row) for row in batch])
            copied += len(batch)
    return copied


def copy_server_database(engine: Engine, out: Path, revision: str) -> Path:
    """A PostgreSQL database at `revision` into one new SQLite file: every table copied in
    one REPEATABLE READ transaction, so the copy is one snapshot however many clerks write."""
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + ".part")
    part.unlink(missing_ok=True)
    target = make_engine(database_url(part))
    try:
        ensure_schema(target, target=revision)
        with engine.connect() as source_conn:
            source_conn.execution_options(isolation_level="REPEATABLE READ")
            with source_conn.begin(), target.begin() as target_conn:
                copy_rows(source_conn, target_conn, emptying_target=True)
        target.dispose()
        # One self-contained file, like a copy made through SQLite's backup API.
        with sqlite3.connect(part) as conn:
            conn.execute("PRAGMA journal_mode=DELETE")
        conn.close()
    except BaseException:
        target.dispose()
        for leftover in part.parent.glob(part.name + "*"):
            leftover.unlink(missing_ok=True)
        raise
    part.replace(out)
    return out


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
            # The copy takes the source's WAL mode with its pages; a copy is one
            # self-contained file, readable even from a read-only folder or a CD.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    shutil.move(tmp, target)
