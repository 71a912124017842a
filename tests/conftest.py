"""Shared fixtures: every test gets a real database of its own.

On SQLite, a file in the test's temp folder. When SKILLDESK_TEST_POSTGRES names a
PostgreSQL server (`.ci/run` starts one with scripts/postgres_for_tests.sh), every test
that uses a database runs a second time against a fresh PostgreSQL database of its own,
created from a template migrated once per run. Tests marked `sqlite_only` (they read the
SQLite file itself) run on SQLite alone.
"""

from __future__ import annotations

import itertools
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

POSTGRES_SERVER = os.environ.get("SKILLDESK_TEST_POSTGRES")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_SERVER else ["sqlite"]
# Per test run: two runs against one server (a developer's and a helper's) keep apart.
_TEMPLATE = f"skilldesk_test_template_{os.getpid()}"
_database_numbers = itertools.count(1)


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only: reads or damages the SQLite file itself; not run on PostgreSQL")


def pytest_collection_modifyitems(config, items):
    """The PostgreSQL runs of `sqlite_only` tests are deselected, not reported as skipped."""
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("backend") == "postgresql"
        (dropped if on_postgres and item.get_closest_marker("sqlite_only") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(autouse=True)
def user_folders(tmp_path, monkeypatch):
    """Keep the default database and the log inside the test's folder, never the real ones."""
    for name in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / "home" / name.lower()))
    return tmp_path / "home"


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


def _postgres_admin():
    from sqlalchemy import create_engine

    return create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT", poolclass=_null_pool())


def _null_pool():
    from sqlalchemy.pool import NullPool

    return NullPool


def _postgres_url(database: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(POSTGRES_SERVER).set(database=database).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_template():
    """A database at the current schema, copied by CREATE DATABASE … TEMPLATE for each test."""
    from sqlalchemy import text

    from app.models.db import ensure_schema, make_engine

    admin = _postgres_admin()
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {_TEMPLATE} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {_TEMPLATE}"))
    engine = make_engine(_postgres_url(_TEMPLATE))
    ensure_schema(engine)
    engine.dispose()
    yield _TEMPLATE
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {_TEMPLATE} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture
def db_path(backend, tmp_path, request):
    """The test's database as `--db` takes it: an SQLite file path, or a PostgreSQL URL of
    an empty database of its own (dropped afterwards, whoever is still connected)."""
    if backend == "sqlite":
        yield tmp_path / "skilldesk.db"
        return
    from sqlalchemy import text

    name = f"skilldesk_test_{os.getpid()}_{next(_database_numbers)}"
    admin = _postgres_admin()
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield _postgres_url(name)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture
def engine(db_path, backend, request):
    from app.models.db import database_url, ensure_schema, make_engine

    if backend == "postgresql":
        # Faster than migrating each test's database: recreate it as a copy of the template.
        from sqlalchemy import text
        from sqlalchemy.engine import make_url

        template = request.getfixturevalue("postgres_template")
        name = make_url(db_path).database
        admin = _postgres_admin()
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
            conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
        admin.dispose()
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
