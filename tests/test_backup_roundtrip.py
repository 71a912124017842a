"""Backup and restore keep every row, on SQLite and on PostgreSQL (a PostgreSQL backup is
one SQLite file too), and a restored database goes on working: new rows get new ids."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from app.errors import Refused
from app.models import Base
from app.models.db import unit_of_work
from app.services.backup import backup_database, describe_backup, restore_database
from app.services.demo import generate_demo


def _counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar() for t in Base.metadata.sorted_tables}


def test_backup_then_restore_gives_back_every_row(engine, tmp_path):
    generate_demo(engine, workers=60, seed=3, training=True)
    before = _counts(engine)
    assert before["worker"] == 60 and before["certificate"] > 0
    out = backup_database(engine, tmp_path / "备份.db")
    assert describe_backup(out)["application"] == "SkillDesk"

    with unit_of_work(engine) as session:
        session.execute(text("DELETE FROM worker WHERE id IN (SELECT id FROM worker ORDER BY id LIMIT 10)"))
    assert _counts(engine)["worker"] == 50

    safety = restore_database(engine, out)
    assert safety is not None and safety.exists()
    assert describe_backup(safety)["application"] == "SkillDesk"
    assert _counts(engine) == before

    # New rows after a restore get ids of their own (PostgreSQL's sequences moved past the
    # restored ids).
    with unit_of_work(engine) as session:
        session.execute(text("INSERT INTO department (name) VALUES ('恢复后新建车间')"))
    assert _counts(engine)["department"] == before["department"] + 1


def test_a_backup_of_a_backup_is_the_same(engine, tmp_path):
    generate_demo(engine, workers=20, seed=5)
    first = backup_database(engine, tmp_path / "a.db")
    restore_database(engine, first)
    second = backup_database(engine, tmp_path / "b.db")
    assert describe_backup(first)["schema_revision"] == describe_backup(second)["schema_revision"]


def test_a_refused_restore_changes_nothing(engine, tmp_path):
    generate_demo(engine, workers=15, seed=9)
    before = _counts(engine)
    broken = tmp_path / "坏的.db"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises(Refused):
        restore_database(engine, broken)
    assert _counts(engine) == before
