"""Faults (issue 9): a command killed at any moment, a full disk, a read-only database, a
database another program is writing.

Whatever happens, the file passes PRAGMA integrity_check and holds either everything the
command wrote or nothing of it. The kills are timed, without hooks in the program: each
command is first run to the end while its -wal file is watched, to learn when its commit
begins and what it writes; then it is started again on fresh copies and killed with
SIGKILL halfway to the commit, just before it, as soon as the -wal grows (the commit being
written), 10 and 40 ms after, and while the program exits. Where a kill lands varies from
run to run, so the tests assert only what must hold wherever it lands; the phase each
kill reached is recorded and printed (`pytest tests/test_crash.py -s`).
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

import app
from app.models.db import copy_sqlite_file, database_url, ensure_schema, make_engine
from tests.factories import make_id, write_roster

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL, file modes and mounts are POSIX")

ROOT = Path(app.__file__).resolve().parent.parent
ROWS = 3000
BASE_ROWS = 200
HEADER = ["工号", "姓名", "身份证号码", "部门", "工种", "月工资", "入职日期", "技能等级", "证书编号", "发证日期"]
ROLL = ("allowance-roll", "--month", "2026-09", "--confirm")
SUBSIDY = ("subsidy", "apply", "--type", "技能提升补贴", "--from", "2020-01-01", "--to", "2030-12-31")
OUTCOMES: list[tuple[str, str, int, str, str]] = []  # (command, kill point, exit code, phase, state found)


def roster_rows(count: int, area: str, first: int = 0) -> list[list]:
    rows = []
    for i in range(first, first + count):
        birth = date(1970, 1, 1) + timedelta(days=3 * (i // 10))
        level = ("中级工", "高级工", None)[i % 3]
        rows.append([
            f"C{i:05d}", "职工" + "甲乙丙丁戊己庚辛壬癸"[i % 10], make_id(area, birth, 100 + i % 10),
            ("焊接车间", "装配车间")[i % 2], ("焊工", "钳工")[i % 2], 5000 + i, date(2015, 3, 1),
            level, f"S{i:08d}" if level else None, date(2020, 5, 1) if level else None,
        ])
    return rows


# --- the databases and the roster, built once --------------------------------------------

@pytest.fixture(scope="module")
def work(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crash")
    yield folder
    if OUTCOMES:
        print(f"\n{len(OUTCOMES)} kills:")
        for command, point, code, phase, found in OUTCOMES:
            print(f"  {command:<15} {point:<24} exit {code:>3}  {phase:<15} -> {found}")


@pytest.fixture(scope="module")
def roster(work):
    return write_roster(work / "花名册.xlsx", HEADER, roster_rows(ROWS, "320102"))


@pytest.fixture(scope="module")
def register(work):
    """A register with BASE_ROWS workers other than the roster's, closed cleanly (WAL mode)."""
    from app.services.roster_import import import_roster

    path = work / "register.db"
    engine = make_engine(database_url(path))
    ensure_schema(engine)
    import_roster(engine, write_roster(work / "base.xlsx", HEADER, roster_rows(BASE_ROWS, "110105", first=ROWS)))
    engine.dispose()
    assert not Path(f"{path}-wal").exists()
    return path


@pytest.fixture(scope="module")
def demo_register(work):
    from app.services.demo import generate_demo

    path = work / "demo.db"
    engine = make_engine(database_url(path))
    ensure_schema(engine)
    generate_demo(engine, ROWS, seed=0)
    engine.dispose()
    return path


# --- running the program and looking at what it left ----------------------------------------

def command(*args) -> list[str]:
    return [sys.executable, "-m", "app", *map(str, args)]


def run(args) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)


def state(db: Path) -> dict[str, int]:
    """Row counts of every table, after PRAGMA integrity_check and foreign_key_check."""
    if not db.exists():
        return {}
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in sorted(tables)}
    finally:
        conn.close()


def state_after_crash(db: Path, scratch: Path) -> dict[str, int]:
    """The state, checked twice: through a backup made first (a read-only connection that
    must see the -wal left by the killed process) and through the file itself."""
    if not db.exists():
        return {}
    copy = scratch / f"{db.stem}.backup.db"
    copy_sqlite_file(db, copy)
    seen_by_backup = state(copy)
    copy.unlink()
    found = state(db)
    assert seen_by_backup == found
    return found


def fresh_copy(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


@dataclass
class Run:
    code: int
    phase: str
    seconds: float  # from start to exit (or to the kill)
    wal_at: float | None  # when the -wal first exceeded `wal_over`


def run_watching(args, db: Path, folder: Path, *, wal_over: int = 0, after: float | None = None,
                 kill_on_wal: bool = False) -> Run:
    """Start the command and watch db's -wal; SIGKILL it `after` seconds, or (kill_on_wal)
    as soon as the -wal exceeds `wal_over` bytes: the commit being written."""
    wal = Path(f"{db}-wal")
    state_home = folder / "state"
    env = {**os.environ, "XDG_STATE_HOME": str(state_home)}
    with (folder / "stderr.txt").open("w") as err:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)
        start, wal_at = time.monotonic(), None
        while proc.poll() is None:
            now = time.monotonic() - start
            if wal_at is None:
                try:
                    if wal.stat().st_size > wal_over:
                        wal_at = now
                except FileNotFoundError:
                    pass
            if (after is not None and now >= after) or (kill_on_wal and wal_at is not None):
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.0005)
        code = proc.wait(timeout=60)
        seconds = time.monotonic() - start
    logs = list(state_home.rglob("skilldesk.log"))
    started = bool(logs) and "command:" in logs[0].read_text(encoding="utf-8")
    if code == 0:
        phase = "finished"
    elif not started:
        phase = "starting Python"
    elif wal_at is not None:
        phase = "-wal written"
    else:
        phase = "before writing"
    assert code in (0, -signal.SIGKILL), (folder / "stderr.txt").read_text()
    return Run(code, phase, seconds, wal_at)


def kill_repeatedly(name, args_for, source: Path | None, work: Path, before: dict, wal_over: int = 0,
                    between: dict | None = None) -> list[str]:
    """Run `args_for(db, folder)` once to the end, then kill it on fresh copies of `source`
    at points placed around the moment its commit starts; every time the database must be
    sound and either as `before` or as the full run left it (or, for a command that commits
    twice, as `between`). Returns the state found after each kill."""
    folder = work / f"{name}-ref"
    db = folder / "skilldesk.db"
    folder.mkdir()
    if source is not None:
        fresh_copy(source, db)
    ref = run_watching(args_for(db, folder), db, folder, wal_over=wal_over)
    assert ref.code == 0 and ref.wal_at is not None, (folder / "stderr.txt").read_text()
    allowed = {"before": before, **({"between": between} if between else {}), "after": state(db)}
    assert allowed["after"] != before
    commit, end = ref.wal_at, ref.seconds
    points = [
        ("½ way to commit", {"after": commit / 2}),
        ("just before", {"after": commit * 0.9}),
        ("-wal growing", {"kill_on_wal": True}),
        ("commit+10ms", {"after": commit + 0.01}),
        ("commit+40ms", {"after": commit + 0.04}),
        ("while exiting", {"after": commit + (end - commit) * 0.6}),
    ]
    found_names = []
    for index, (point, trigger) in enumerate(points):
        folder = work / f"{name}-kill{index}"
        folder.mkdir()
        db = folder / "skilldesk.db"
        if source is not None:
            fresh_copy(source, db)
        kill = run_watching(args_for(db, folder), db, folder, wal_over=wal_over, **trigger)
        found = state_after_crash(db, folder)
        matches = [label for label, expected in allowed.items() if found == expected]
        assert matches, f"{name} killed at {point} ({kill.phase}) left neither the state before nor after: {found}"
        OUTCOMES.append((name, f"{point} ({kill.seconds:.2f}s)", kill.code, kill.phase, matches[0]))
        found_names.append(matches[0])
    return found_names


# --- kills ----------------------------------------------------------------------------------

def test_killed_import_leaves_all_or_nothing(work, roster, register):
    before = state(register)
    kill_repeatedly(
        "import", lambda db, _f: command("--db", db, "import", "workers", roster), register, work, before,
    )
    after = state(work / "import-ref" / "skilldesk.db")
    assert after["worker"] == before["worker"] + ROWS
    # A database left by a kill takes the same import again, completely (or, where the kill
    # came after the commit, finds every row already there).
    redo = work / "import-kill0" / "skilldesk.db"
    assert run(command("--db", redo, "import", "workers", roster)).returncode == 0
    assert state(redo) == after


def test_killed_demo_leaves_all_or_nothing(work):
    schema_db = work / "demo-init" / "skilldesk.db"
    schema_db.parent.mkdir()
    assert run(command("--db", schema_db, "init")).returncode == 0
    # The schema is one transaction, the demo data another: killed in between leaves an
    # empty register of the current schema, stamped as SkillDesk's. The schema's own -wal
    # stays under 1 MB; the demo data's commit goes past it.
    kill_repeatedly(
        "demo", lambda db, _f: command("--db", db, "demo", "--workers", ROWS), None, work, {},
        wal_over=1024 * 1024, between=state(schema_db),
    )
    assert state(work / "demo-ref" / "skilldesk.db")["worker"] == ROWS


def test_killed_allowance_roll_leaves_all_or_nothing(work, demo_register):
    before = state(demo_register)
    kill_repeatedly(
        "allowance-roll", lambda db, f: command("--db", db, *ROLL, "--out", f / "roll.xlsx"), demo_register, work,
        before,
    )
    after = state(work / "allowance-roll-ref" / "skilldesk.db")
    assert after["allowance_roll"] == before["allowance_roll"] + 1 and after["allowance_line"] > before["allowance_line"]


def test_killed_subsidy_apply_leaves_all_or_nothing(work, demo_register):
    before = state(demo_register)
    found = kill_repeatedly(
        "subsidy-apply", lambda db, f: command("--db", db, *SUBSIDY, "--out", f / "a.pdf"), demo_register, work,
        before,
    )
    assert state(work / "subsidy-apply-ref" / "skilldesk.db")["subsidy_application"] == before["subsidy_application"] + 1
    # The PDF is written before the application commits: an application never lacks it.
    for index, label in enumerate(found):
        if label == "after":
            pdf = (work / f"subsidy-apply-kill{index}" / "a.pdf").read_bytes()
            assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")


# --- a full disk ----------------------------------------------------------------------------

LIMITED = """\
import resource, runpy, signal, sys
limit = int(sys.argv.pop(1))
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
runpy.run_module("app", run_name="__main__", alter_sys=True)
"""


def assert_refused_untouched(done, db: Path, before: dict, *needles: str) -> None:
    assert done.returncode == 1, done.stderr
    assert "未写入任何数据" in done.stderr or "未作任何改动" in done.stderr, done.stderr
    for needle in needles:
        assert needle in done.stderr, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert state(db) == before


def test_file_size_limit_refuses_the_import_and_keeps_the_register(tmp_path, roster, register):
    """RLIMIT_FSIZE stands in for a full disk: the -wal cannot grow past the limit."""
    db = fresh_copy(register, tmp_path / "skilldesk.db")
    before = state(db)
    limit = db.stat().st_size + 256 * 1024
    done = run([sys.executable, "-c", LIMITED, str(limit), "--db", str(db), "import", "workers", str(roster)])
    assert_refused_untouched(done, db, before, "磁盘")


@pytest.fixture
def small_tmpfs(tmp_path):
    """A 1.5 MB tmpfs (root only): a real full disk."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1536k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace')}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_refuses_the_import_and_keeps_the_register(small_tmpfs, roster, register):
    db = fresh_copy(register, small_tmpfs / "skilldesk.db")
    before = state(db)
    done = run(command("--db", db, "import", "workers", roster))
    assert_refused_untouched(done, db, before, "磁盘已满")
    # With room again (a consistent copy elsewhere), the same import goes through.
    moved = small_tmpfs.parent / "roomy" / "skilldesk.db"
    copy_sqlite_file(db, moved)
    assert run(command("--db", moved, "import", "workers", roster)).returncode == 0
    assert state(moved)["worker"] == before["worker"] + ROWS


# --- read-only files and folders --------------------------------------------------------------

@contextmanager
def read_only(path: Path):
    """Make a file or folder unwritable: by its mode, or for root (whom modes do not stop)
    by the immutable attribute."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(mode & ~0o222)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("running as root and the file system has no immutable attribute")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_read_only_file_reads_but_refuses_writes(tmp_path, roster, register):
    db = fresh_copy(register, tmp_path / "skilldesk.db")
    before = state(db)
    with read_only(db):
        export = run(command("--db", db, "export", "workers", "--out", tmp_path / "out.xlsx"))
        assert export.returncode == 0, export.stderr
        assert f"已导出职工 {BASE_ROWS} 名" in export.stdout
        done = run(command("--db", db, "import", "workers", roster))
    assert_refused_untouched(done, db, before, "只读")


def test_read_only_old_database_is_not_upgraded(tmp_path):
    db = tmp_path / "old.db"
    engine = make_engine(database_url(db))
    ensure_schema(engine, target="0001")
    engine.dispose()
    with sqlite3.connect(db) as conn:
        before = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    with read_only(db):
        done = run(command("--db", db, "init"))
    assert done.returncode == 1 and "只读" in done.stderr and "无法从 0001 升级" in done.stderr, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if "备份" in p.name) == []  # no copy-aside made for nothing
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == before


def test_wal_database_in_a_read_only_folder_is_refused_untouched(tmp_path, roster, register):
    """SQLite cannot read a WAL database where it cannot create the -shm file: refused,
    naming the folder."""
    folder = tmp_path / "readonly"
    db = fresh_copy(register, folder / "skilldesk.db")
    before = state(db)
    with read_only(folder):
        for args in (("export", "workers", "--out", tmp_path / "out.xlsx"), ("import", "workers", roster)):
            done = run(command("--db", db, *args))
            assert done.returncode == 1 and "文件夹是只读的" in done.stderr and str(folder) in done.stderr, done.stderr
            assert "Traceback" not in done.stderr
        assert sorted(p.name for p in folder.iterdir()) == ["skilldesk.db"]
    assert state(db) == before


def test_backup_in_a_read_only_folder_reads_but_refuses_writes(tmp_path, roster, register):
    """A backup is one file (not WAL), so it opens from a read-only folder (a CD, a locked share)."""
    folder = tmp_path / "cd"
    folder.mkdir()
    engine = make_engine(database_url(register))
    from app.services.backup import backup_database

    copy = backup_database(engine, folder / "备份.db")
    engine.dispose()
    before = state(copy)
    with read_only(folder):
        export = run(command("--db", copy, "export", "workers", "--out", tmp_path / "out.xlsx"))
        assert export.returncode == 0, export.stderr
        done = run(command("--db", copy, "import", "workers", roster))
        assert sorted(p.name for p in folder.iterdir()) == ["备份.db"]
    assert_refused_untouched(done, copy, before, "只读")


# --- a database another program is writing ------------------------------------------------------

@contextmanager
def write_lock(db: Path):
    """Another program in the middle of writing: BEGIN IMMEDIATE and an uncommitted row."""
    other = sqlite3.connect(db, isolation_level=None, timeout=0, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO department (name) VALUES ('另一个程序的车间')")
    try:
        yield other
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_locked_database_waits_then_explains(tmp_path, roster, register, capsys, monkeypatch):
    """In-process, with the 10-second wait shortened: the message and the exit code."""
    import app.models.db as db_module
    from app.cli.main import main

    db = fresh_copy(register, tmp_path / "skilldesk.db")
    before = state(db)
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_SECONDS", 0.3)
    with write_lock(db):
        start = time.monotonic()
        code = main(["--db", str(db), "import", "workers", str(roster)])
        waited = time.monotonic() - start
    err = capsys.readouterr().err
    assert code == 1 and "被其他程序占用" in err and "未写入任何数据" in err, err
    assert waited >= 0.3
    assert state(db) == before


def test_import_waits_for_a_write_lock_released_in_time(tmp_path, roster, register):
    """The real 10-second wait: a lock held for 2 seconds delays the import, it does not fail it."""
    db = fresh_copy(register, tmp_path / "skilldesk.db")
    before = state(db)
    with write_lock(db) as other:
        release = threading.Timer(2.0, lambda: other.execute("ROLLBACK"))
        proc = subprocess.Popen(command("--db", db, "import", "workers", roster), cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        release.start()
        out, err = proc.communicate(timeout=60)
        release.join()
        other.execute("BEGIN")  # for write_lock's own ROLLBACK
    assert proc.returncode == 0, err
    assert state(db)["worker"] == before["worker"] + ROWS


def test_restore_from_a_wal_copy_in_a_read_only_folder_is_refused_in_chinese(tmp_path, register):
    """A file copied from a live database (WAL mode) rather than made by 备份 cannot be read
    where its -shm file cannot be created: refused, the current database untouched."""
    db = fresh_copy(register, tmp_path / "skilldesk.db")
    before = state(db)
    folder = tmp_path / "usb"
    fresh_copy(register, folder / "copy.db")
    with read_only(folder):
        done = run(command("--db", db, "restore", folder / "copy.db"))
    assert done.returncode == 1 and "复制到可写的文件夹" in done.stderr and "unable" not in done.stderr, done.stderr
    assert state(db) == before
