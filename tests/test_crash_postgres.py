"""Faults on a shared PostgreSQL database (issue 9): the command-line import killed with
SIGKILL at several moments leaves the database with all of the import or none of it, the
server keeps no lock for the dead client, and the same import afterwards completes.

Runs when SKILLDESK_TEST_POSTGRES names a server (as in CI); the SQLite side of the same
proof is tests/test_crash.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.conftest import POSTGRES_SERVER, _postgres_url
from tests.factories import write_roster
from tests.test_crash import BASE_ROWS, HEADER, ROOT, ROWS, roster_rows

pytestmark = [
    pytest.mark.skipif(not POSTGRES_SERVER, reason="SKILLDESK_TEST_POSTGRES is not set"),
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"),
]

# Of a whole run's time, start-up included: the import's own transaction is its later part.
KILL_FRACTIONS = (0.2, 0.35, 0.5, 0.6, 0.7, 0.95)


def _admin():
    return create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT", poolclass=NullPool)


def _command(url, *args):
    return [sys.executable, "-m", "app", "--db", url, *map(str, args)]


def _workers(url) -> tuple[int, int]:
    """(workers, certificates): an import adds both or neither."""
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        counts = (conn.execute(text("SELECT count(*) FROM worker")).scalar(),
                  conn.execute(text("SELECT count(*) FROM certificate")).scalar())
    engine.dispose()
    return counts


@pytest.fixture(scope="module")
def databases(tmp_path_factory):
    """A base database with BASE_ROWS workers, the roster to import, and a maker of fresh
    copies of the base (CREATE DATABASE … TEMPLATE)."""
    folder = tmp_path_factory.mktemp("crash-pg")
    roster = write_roster(folder / "花名册.xlsx", HEADER, roster_rows(ROWS, "320102"))
    base_roster = write_roster(folder / "base.xlsx", HEADER, roster_rows(BASE_ROWS, "110105", first=ROWS))
    prefix = f"skilldesk_crash_{os.getpid()}"
    base = f"{prefix}_base"
    admin = _admin()
    made = [base]
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {base}"))
    assert subprocess.run(_command(_postgres_url(base), "import", "workers", base_roster), cwd=ROOT,
                          capture_output=True, timeout=300).returncode == 0

    def fresh(name: str) -> str:
        full = f"{prefix}_{name}"
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {full} TEMPLATE {base}"))
        made.append(full)
        return _postgres_url(full)

    yield roster, fresh
    with admin.connect() as conn:
        for name in reversed(made):
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def test_killed_import_on_postgresql_leaves_all_or_nothing(databases):
    roster, fresh = databases
    reference = fresh("reference")
    started = time.monotonic()
    done = subprocess.run(_command(reference, "import", "workers", roster), cwd=ROOT, capture_output=True, timeout=300)
    duration = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    before, after = _workers(fresh("untouched")), _workers(reference)
    assert before[0] == BASE_ROWS and after[0] == BASE_ROWS + ROWS

    found = []
    for number, fraction in enumerate(KILL_FRACTIONS):
        url = fresh(f"kill{number}")
        process = subprocess.Popen(_command(url, "import", "workers", roster), cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration * fraction)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        state = _workers(url)
        assert state in (before, after), f"killed at {fraction:.0%}: {state}"  # workers and certificates alike
        found.append((fraction, "all" if state[0] == after[0] else "none"))
        # The dead client's transaction is gone with it: the same import runs to the end.
        redo = subprocess.run(_command(url, "import", "workers", roster), cwd=ROOT, capture_output=True, timeout=300)
        assert redo.returncode == 0, redo.stderr
        assert _workers(url) == after
    print("\nPostgreSQL kills:", ", ".join(f"{fraction:.0%} -> {what}" for fraction, what in found))
