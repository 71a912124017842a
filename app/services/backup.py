"""Backup and restore. A backup is always one SQLite file in SkillDesk's schema:

- from SQLite, a copy through SQLite's online backup API, consistent even while the program
  has the database open;
- from PostgreSQL, every table copied into a new SQLite file inside one REPEATABLE READ
  transaction (one snapshot, however many clerks are writing), so a shared database needs
  no pg_dump of matching version on the clerk's PC. Restoring such a file (or a single
  clerk's backup, to move a register onto a shared server) replaces every table's rows in
  one PostgreSQL transaction: all of it lands or none.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from app import APP_NAME
from app.errors import Refused
from app.models.db import (
    copy_rows,
    copy_server_database,
    copy_sqlite_file,
    current_revision,
    database_url,
    ensure_schema,
    make_engine,
    require_writer,
    sqlite_file,
    tables_in_copy_order,
)
from app.models.users import actor_of

SQLITE_HEADER = b"SQLite format 3\x00"


def _require_full_view(engine: Engine) -> None:
    # A backup is the whole register, every 证件号码 in full (SPEC §11).
    actor = actor_of(engine)
    if not actor.sees_full_id_numbers:
        raise Refused(f"备份文件含有完整的证件号码，当前用户{actor.name}（{actor.role}）不能备份；请由经办人或管理员备份。")


def backup_database(engine: Engine, out: str | Path) -> Path:
    _require_full_view(engine)
    source = sqlite_file(str(engine.url))
    if source is None:
        revision = current_revision(engine)
        if revision is None:
            raise Refused("该数据库还没有 SkillDesk 的数据表，无可备份。")
        out = copy_server_database(engine, Path(out), revision)
        describe_backup(out)
        return out
    if not source.exists():
        raise Refused(f"数据库文件不存在：{source}")
    out = Path(out)
    if out.resolve() == source.resolve():
        raise Refused("备份文件不能与数据库文件相同。")
    copy_sqlite_file(source, out)
    describe_backup(out)  # proves the copy reads back as a SkillDesk database
    return out


def describe_backup(path: Path) -> dict[str, str]:
    """The app_meta of a backup file; refuses anything that is not a sound SkillDesk database."""
    if not path.is_file():
        raise Refused(f"找不到备份文件：{path}")
    with path.open("rb") as handle:
        if handle.read(16) != SQLITE_HEADER:
            raise Refused(f"{path.name} 不是 {APP_NAME} 数据库备份（不是 SQLite 文件）。")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"app_meta", "alembic_version", "worker"} <= tables:
            raise Refused(f"{path.name} 不是 {APP_NAME} 数据库备份（缺少 {APP_NAME} 的数据表）。")
        meta = dict(conn.execute("SELECT key, value FROM app_meta"))
        if meta.get("application") != APP_NAME:
            raise Refused(f"{path.name} 不是 {APP_NAME} 数据库备份。")
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise Refused(f"{path.name} 已损坏（完整性检查未通过），未恢复。")
        meta["schema_revision"] = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        return meta
    except sqlite3.DatabaseError as exc:
        if "unable to open" in str(exc):
            # A copy of a database in WAL mode (not made by 备份) needs its -shm file beside it.
            raise Refused(
                f"无法读取 {path.name}：没有读取权限，或它是预写日志（WAL）模式的数据库而所在的文件夹只读。"
                "请先把它复制到可写的文件夹（例如“文档”）再恢复；当前数据库未作任何改动。"
            ) from exc
        raise Refused(f"{path.name} 无法读取：{exc}") from exc
    finally:
        conn.close()


def restore_database(engine: Engine, source: str | Path) -> Path | None:
    """Replace the database with `source`. The current file is copied aside first; returns
    that copy's path (None when there was no database yet)."""
    require_writer(engine)  # the file is replaced below SQLAlchemy: no unit_of_work to refuse it
    target = sqlite_file(str(engine.url))
    source = Path(source)
    describe_backup(source)
    if target is None:
        return _restore_server_database(engine, source)
    if target.exists() and source.resolve() == target.resolve():
        raise Refused("要恢复的文件就是当前数据库。")
    safety = None
    if target.exists():
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        safety = target.with_name(f"{target.stem}.恢复前备份-{stamp}{target.suffix}")
        copy_sqlite_file(target, safety)
    engine.dispose()
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=30)
    try:
        # The backup API replaces the target's pages in one step, under SQLite's lock.
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    ensure_schema(engine)  # a backup from an older program version is upgraded
    return safety


def _restore_server_database(engine: Engine, source: Path) -> Path:
    """Replace every row of a PostgreSQL database with the backup's, in one transaction.

    The backup is first copied aside and upgraded to the program's schema there (it may come
    from an older version); the current database is first backed up into the user data
    folder; returns that backup's path."""
    import tempfile

    from app.paths import data_dir

    ensure_schema(engine)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    safety = data_dir() / f"{make_url(str(engine.url)).database}.恢复前备份-{stamp}.db"
    backup_database(engine, safety)
    with tempfile.TemporaryDirectory(prefix="skilldesk-restore-") as folder:
        upgraded = Path(folder) / "backup.db"
        copy_sqlite_file(source, upgraded)
        backup_engine = make_engine(database_url(upgraded))
        try:
            ensure_schema(backup_engine)
            tables = tables_in_copy_order()
            with backup_engine.connect() as source_conn, engine.begin() as target_conn:
                # TRUNCATE, not DELETE: the audit log's append-only triggers are row triggers
                # and rightly refuse DELETE; replacing the whole database is another matter.
                names = ", ".join(target_conn.dialect.identifier_preparer.format_table(t) for t in tables)
                target_conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                copy_rows(source_conn, target_conn)
                for table in tables:
                    _restart_id_sequence(target_conn, table)
        finally:
            backup_engine.dispose()
    return safety


def _restart_id_sequence(conn, table) -> None:
    """After rows came in with their ids, new rows must get ids above them."""
    id_column = table.columns.get("id")
    if id_column is None or not id_column.primary_key:
        return
    sequence = conn.execute(text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}).scalar()
    if sequence is None:
        return
    conn.execute(
        text(f"SELECT setval(:sequence, COALESCE((SELECT max(id) FROM {table.name}), 0) + 1, false)"),
        {"sequence": sequence},
    )
