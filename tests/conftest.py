"""Shared fixtures: every test gets a real SQLite file in its own temp folder."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def user_folders(tmp_path, monkeypatch):
    """Keep the default database and the log inside the test's folder, never the real ones."""
    for name in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / "home" / name.lower()))
    return tmp_path / "home"


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "skilldesk.db"


@pytest.fixture
def engine(db_path):
    from app.models.db import database_url, ensure_schema, make_engine

    engine = make_engine(database_url(db_path))
    ensure_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    from app.models.db import session_factory

    with session_factory(engine)() as session:
        yield session


@pytest.fixture(autouse=True)
def inline_jobs(monkeypatch):
    """Background jobs run on the test's thread, one after another (STYLE.md: tests run jobs inline)."""
    try:
        from app.ui import jobs
    except ImportError:  # Qt absent: the rule layers' tests still run
        return
    monkeypatch.setattr(jobs, "RUN_INLINE", True)
