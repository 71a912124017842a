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


class Answers:
    """Stands in for app.ui.dialogs: records what was said, answers questions as told."""

    def __init__(self):
        self.yes = True
        self.log: list[tuple[str, str, str]] = []  # (kind, title, text), in order

    def _texts(self, kind: str) -> list[str]:
        return [text for said_kind, _title, text in self.log if said_kind == kind]

    @property
    def asked(self) -> list[str]:
        return self._texts("ask")

    @property
    def told(self) -> list[str]:
        return self._texts("info")

    @property
    def errors(self) -> list[str]:
        return self._texts("error")

    def ask_yes_no(self, parent, title, text):
        self.log.append(("ask", title, text))
        return self.yes

    def show_info(self, parent, title, text):
        self.log.append(("info", title, text))

    def show_error(self, parent, title, text):
        self.log.append(("error", title, text))

    conflict = "reload"  # how resolve_conflict answers: "reload", "overwrite" or None
    conflicts: list = []

    def resolve_conflict(self, parent, title, text, conflicts):
        self.log.append(("ask", title, text))
        self.conflicts = list(conflicts)
        return self.conflict


@pytest.fixture
def answers(monkeypatch):
    """Every message box and question of the window answered here (yes, unless told)."""
    from app.ui import dialogs

    found = Answers()
    for name in ("ask_yes_no", "show_info", "show_error", "resolve_conflict"):
        monkeypatch.setattr(dialogs, name, getattr(found, name))
    return found
