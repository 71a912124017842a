"""An upgrade keeps the clerk's data: a database the first release made (schema 0001, rows in
every table it had) opened by this program is copied aside first, upgraded to head, and
every row it held is still there, readable by today's services. scripts/release_check.sh
opens the same database with the built program."""

from __future__ import annotations

import sqlite3
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app import __version__
from app.models.db import database_url, ensure_schema, head_revision, make_engine
from tests import first_release

pytestmark = pytest.mark.sqlite_only  # the backup beside the file is the point


@pytest.fixture
def old_db(tmp_path):
    return first_release.build(tmp_path / "skilldesk.db")


def _revision(path) -> str:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        conn.close()


def test_the_first_release_database_is_what_it_claims(old_db):
    assert _revision(old_db) == first_release.FIRST_REVISION != head_revision()
    rows = first_release.snapshot(old_db, first_release.first_schema_columns(old_db))
    counts = {table: len(rows[table]) for table in ("app_meta", "worker", "certificate", "certificate_scan")}
    assert counts == {"app_meta": 2, "worker": 3, "certificate": 5, "certificate_scan": 1}


def test_opening_it_backs_up_upgrades_and_keeps_every_row(old_db):
    columns = first_release.first_schema_columns(old_db)
    before = first_release.snapshot(old_db, columns)
    assert all(before.values())  # something in every table to lose

    engine = make_engine(database_url(old_db))
    result = ensure_schema(engine)
    engine.dispose()

    assert (result.previous, result.current) == ("0001", head_revision())
    assert result.backup is not None and result.backup.parent == old_db.parent
    assert result.backup.name.startswith("skilldesk.升级前备份-0001-") and result.backup.suffix == ".db"
    # The copy is the database as it was, whole and on its own (no -wal needed).
    assert _revision(result.backup) == "0001"
    assert first_release.snapshot(result.backup, columns) == before
    # The upgraded database: at head, sound, and every row of the first schema unchanged.
    assert _revision(old_db) == head_revision()
    conn = sqlite3.connect(old_db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()
    after = first_release.snapshot(old_db, columns)
    # The one row an upgrade rewrites on purpose: which program last shaped the schema.
    assert sorted(after.pop("app_meta")) == [("application", "SkillDesk"), ("program_version", __version__)]
    assert after == {table: rows for table, rows in before.items() if table != "app_meta"}


def test_the_upgraded_data_reads_as_before(old_db):
    from app.models import Worker
    from app.models.db import session_factory
    from app.services.enterprise import load_enterprise
    from app.services.levels import level_on
    from app.services.survey import compute_survey

    engine = make_engine(database_url(old_db))
    ensure_schema(engine)
    with session_factory(engine)() as session:
        workers = {w.name: w for w in session.scalars(select(Worker))}
        assert workers["张三丰"].monthly_wage == Decimal("8650.50")  # cents in, yuan out
        assert level_on(session, workers["张三丰"].id, date(2026, 6, 30)) == 4  # 技师, from 2021
        assert level_on(session, workers["单丽华"].id, date(2022, 6, 30)) is None  # the revoked one never counts
        assert level_on(session, workers["单丽华"].id, date(2026, 6, 30)) == 3
    assert load_enterprise(engine).name == "华北重型机械有限公司"
    survey = compute_survey(engine, date(2026, 6, 30))
    assert survey.header.total_employees == 2  # 曾国强 left in 2025
    engine.dispose()


def test_a_second_opening_changes_nothing_and_copies_nothing(old_db, tmp_path):
    engine = make_engine(database_url(old_db))
    ensure_schema(engine)
    again = ensure_schema(engine)
    engine.dispose()
    assert not again.changed and again.backup is None
    assert len(list(tmp_path.glob("skilldesk.升级前备份-*.db"))) == 1
