"""Schema creation, upgrades that keep data, refusal of newer or foreign databases, backups."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
from sqlalchemy import inspect, text

from app.errors import Refused
from app.models.db import database_url, ensure_schema, head_revision, make_engine
from app.services.backup import backup_database, describe_backup, restore_database


def test_upgrade_from_first_revision_keeps_data(db_path):
    engine = make_engine(database_url(db_path))
    ensure_schema(engine, target="0001")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO worker (name, id_type, id_number, monthly_wage) VALUES ('张三', '居民身份证', '11010519900101002X', 650050)"))
    result = ensure_schema(engine)
    assert result.current == head_revision()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name, monthly_wage FROM worker")).one() == ("张三", 650050)
    assert result.changed and result.previous == "0001"
    assert result.backup is not None and result.backup.exists()  # copied aside before upgrading
    copy = sqlite3.connect(result.backup)
    assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    copy.close()
    with engine.connect() as conn:  # the new tables arrive with the policy defaults
        assert conn.execute(text("SELECT value FROM policy_value WHERE key = 'fund.min_extraction_rate'")).scalar() == "1.5"


def test_models_and_migrations_agree(engine):
    """Every schema change is a migration: the migrated schema equals the models."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from app.models import Base

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


@pytest.mark.sqlite_only
def test_newer_database_is_refused_and_untouched(db_path):
    engine = make_engine(database_url(db_path))
    ensure_schema(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    before = db_path.read_bytes()
    with pytest.raises(Refused, match="更新版本"):
        ensure_schema(engine)
    assert db_path.read_bytes() == before


@pytest.mark.sqlite_only
def test_foreign_database_is_refused(db_path):
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE customers (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(Refused, match="不是 SkillDesk 数据库"):
        ensure_schema(make_engine(database_url(db_path)))


def test_failed_migration_leaves_nothing_half_done(db_path, monkeypatch):
    """DDL runs inside one transaction on SQLite too: a failure rolls every table back."""
    import alembic.command

    engine = make_engine(database_url(db_path))
    real_upgrade = alembic.command.upgrade

    def upgrade_then_fail(cfg, revision):
        real_upgrade(cfg, revision)
        raise RuntimeError("power cut")

    monkeypatch.setattr(alembic.command, "upgrade", upgrade_then_fail)
    with pytest.raises(RuntimeError):
        ensure_schema(engine)
    assert inspect(engine).get_table_names() == []


def test_backup_is_consistent_while_open(engine, tmp_path):
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO department (name) VALUES ('焊接车间')"))
    held = engine.connect()  # the program still has the database open
    out = backup_database(engine, tmp_path / "b.db")
    held.close()
    assert describe_backup(out)["application"] == "SkillDesk"
    check = sqlite3.connect(out)
    assert check.execute("SELECT name FROM department").fetchall() == [("焊接车间",)]
    check.close()


def test_restore_keeps_a_copy_of_the_current_database(engine, db_path, tmp_path):
    out = backup_database(engine, tmp_path / "empty.db")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO department (name) VALUES ('装配车间')"))
    safety = restore_database(engine, out)
    assert safety is not None and safety.exists()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM department")).scalar() == 0
    kept = sqlite3.connect(safety)
    assert kept.execute("SELECT name FROM department").fetchall() == [("装配车间",)]
    kept.close()


def test_restore_refuses_a_damaged_or_foreign_file(engine, tmp_path):
    fake = tmp_path / "fake.db"
    conn = sqlite3.connect(fake)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(Refused):
        restore_database(engine, fake)
    with pytest.raises(Refused):
        restore_database(engine, tmp_path / "missing.db")


def test_rule_layers_import_without_qt():
    code = (
        "import sys, importlib, pkgutil, app.models, app.services, app.reports, app.cli.main\n"
        "for pkg in (app.services, app.reports):\n"
        "    for m in pkgutil.iter_modules(pkg.__path__): importlib.import_module(f'{pkg.__name__}.{m.name}')\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


# --- WAL (issue 9) ------------------------------------------------------------------------------

@pytest.mark.sqlite_only
def test_sqlite_runs_in_wal_with_durable_commits_and_a_busy_timeout(engine):
    with engine.connect() as conn:
        pragma = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                  for name in ("journal_mode", "synchronous", "busy_timeout", "wal_autocheckpoint", "foreign_keys", "query_only")}
    assert pragma == {"journal_mode": "wal", "synchronous": 2, "busy_timeout": 10_000, "wal_autocheckpoint": 1,
                      "foreign_keys": 1, "query_only": 0}


@pytest.mark.sqlite_only
def test_writes_take_the_write_lock_at_begin_reads_never_do(engine, db_path):
    from app.models.db import unit_of_work

    other = sqlite3.connect(db_path, isolation_level=None, timeout=0)
    try:
        with engine.connect() as conn:  # a read: another program may still write
            conn.execute(text("SELECT count(*) FROM worker")).scalar()
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
        for writing in (engine.begin(), unit_of_work(engine)):
            with writing:  # a write holds the lock from its BEGIN, before it writes anything
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("BEGIN IMMEDIATE")
    finally:
        other.close()


def _held_in_wal(db_path, sql):
    """Commit `sql` on a connection that never checkpoints and stays open: the change lives
    only in the -wal file."""
    held = sqlite3.connect(db_path, isolation_level=None)
    held.execute("PRAGMA wal_autocheckpoint=0")
    held.execute(sql)
    return held


@pytest.mark.sqlite_only
def test_backup_sees_commits_still_in_the_wal_and_is_one_file(engine, db_path, tmp_path):
    held = _held_in_wal(db_path, "INSERT INTO department (name) VALUES ('锻造车间')")
    try:
        out = backup_database(engine, tmp_path / "b.db")
    finally:
        held.close()
    copy = sqlite3.connect(out)
    assert copy.execute("SELECT name FROM department").fetchall() == [("锻造车间",)]
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    copy.close()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("b.db")) == ["b.db"]


@pytest.mark.sqlite_only
def test_restore_replaces_what_the_wal_held_for_every_connection(engine, db_path, tmp_path):
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO department (name) VALUES ('装配车间')"))
    out = backup_database(engine, tmp_path / "b.db")
    held = _held_in_wal(db_path, "INSERT INTO department (name) VALUES ('锻造车间')")
    try:
        restore_database(engine, out)
        assert held.execute("SELECT name FROM department").fetchall() == [("装配车间",)]
    finally:
        held.close()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM department")).scalars().all() == ["装配车间"]
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


@pytest.mark.sqlite_only
def test_copy_aside_before_an_upgrade_includes_the_wal(db_path):
    engine = make_engine(database_url(db_path))
    ensure_schema(engine, target="0001")
    held = _held_in_wal(db_path, "INSERT INTO worker (name, id_type, id_number, monthly_wage) "
                                 "VALUES ('张三', '居民身份证', '11010519900101002X', 650050)")
    try:
        result = ensure_schema(engine)
    finally:
        held.close()
    copy = sqlite3.connect(result.backup)
    assert copy.execute("SELECT name FROM worker").fetchall() == [("张三",)]
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    copy.close()


def test_the_schema_and_its_skilldesk_mark_land_together(db_path, monkeypatch):
    """app_meta is written in the schema's transaction: never a schema without the mark
    that backups and restores look for."""
    import app.models.db as db_module

    def fail(_conn):
        raise RuntimeError("power cut")

    monkeypatch.setattr(db_module, "_stamp", fail)
    engine = make_engine(database_url(db_path))
    with pytest.raises(RuntimeError):
        ensure_schema(engine)
    assert inspect(engine).get_table_names() == []


def test_database_failures_are_explained_in_chinese(tmp_path):
    from sqlalchemy.exc import OperationalError

    from app.errors import describe_failure

    for raw, words in (
        ("database is locked", "被其他程序占用"),
        ("attempt to write a readonly database", "只读"),
        ("database or disk is full", "磁盘已满"),
        ("disk I/O error", "读写磁盘出错"),
        ("unable to open database file", "无法打开数据库文件"),
    ):
        for exc in (sqlite3.OperationalError(raw), OperationalError("INSERT", {}, sqlite3.OperationalError(raw))):
            text_ = describe_failure(exc, tmp_path / "skilldesk.log")
            assert words in text_ and "未写入任何数据" in text_, text_
    assert "已损坏" in describe_failure(sqlite3.DatabaseError("database disk image is malformed"), "log")
