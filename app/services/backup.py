"""Backup and restore of an SQLite database through SQLite's online backup API, so the copy
is consistent even while the program has the database open."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from app import APP_NAME
from app.errors import Refused
from app.models.db import copy_sqlite_file, ensure_schema, require_writer, sqlite_file
from app.models.users import actor_of

SQLITE_HEADER = b"SQLite format 3\x00"


def _require_sqlite(engine: Engine) -> Path:
    file = sqlite_file(str(engine.url))
    if file is None:
        raise Refused("备份与恢复目前只支持单机 SQLite 数据库；共享的 PostgreSQL 数据库请由管理员用 pg_dump 备份。")
    return file


def _require_full_view(engine: Engine) -> None:
    # A backup is the whole register, every 证件号码 in full (SPEC §11).
    actor = actor_of(engine)
    if not actor.sees_full_id_numbers:
        raise Refused(f"备份文件含有完整的证件号码，当前用户{actor.name}（{actor.role}）不能备份；请由经办人或管理员备份。")


def backup_database(engine: Engine, out: str | Path) -> Path:
    _require_full_view(engine)
    source = _require_sqlite(engine)
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
    target = _require_sqlite(engine)
    source = Path(source)
    describe_backup(source)
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
