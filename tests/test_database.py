"""Schema creation, upgrades that keep data, refusal of newer or foreign databases, backups."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
from sqlalchemy import text

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


def test_newer_database_is_refused_and_untouched(db_path):
    engine = make_engine(database_url(db_path))
    ensure_schema(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    before = db_path.read_bytes()
    with pytest.raises(Refused, match="更新版本"):
        ensure_schema(engine)
    assert db_path.read_bytes() == before


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
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).all() == []


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
