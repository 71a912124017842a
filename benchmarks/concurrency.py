"""Clerks sharing one database: processes editing workers and importing rosters at once.

    python benchmarks/concurrency.py [--seconds 20] [--pg URL] [--pg-processes 4]
                                     [--sqlite-processes 2] [--no-pg] [--no-sqlite] [--keep]

For each backend a fresh database with the demo register of 2,000 workers (seed 7):
PostgreSQL, a new database bench_concurrency_<pid> on the server of --pg (default: env
SKILLDESK_BENCH_POSTGRES, else the throwaway test server), dropped afterwards, 4 processes;
SQLite, a file in a temp folder, 2 processes. Unreachable PostgreSQL is skipped, saying so.

Every process (spawned, its own engine: one clerk's program) loops for --seconds:
- edit, through the services the 职工档案 form uses: load_worker, change 联系电话 or 备注 to a
  value never used before, save_worker with the version loaded. Half the edits go to a hot
  set of 8 workers every process edits, so saves collide: a StaleRecord is a conflict
  detected, counted, and the loop goes on;
- every --import-every seconds an import through the service (check_roster, then
  apply_plan, what `skilldesk import workers` runs), in turn a roster of 40 new workers
  (distinct per process) and a roster re-importing 12 existing workers (2 of them hot) with
  a new 联系电话 each. An import refused because a worker changed after its check is a
  conflict too.
Each process logs every successful write with the version it produced (a save: the version
loaded + 1; an import: the version it checked + 1), and every refused write's values.

Then the main process reads the database. Lost:
- a save or import whose version is missing from the worker's chain (final version must be
  the first one + the writes logged) or claimed twice (two writes from the same version: one
  overwrote the other unseen);
- a 联系电话/备注 that is not the value of the last write (highest version) that set it;
- an imported worker not there exactly once with its row's 联系电话; a worker count other
  than the first count + the workers imported;
- a write without its 操作日志 entry (audit_entry, same transaction), an import without its 导入 entry.
Also checked: nothing refused landed (values never written appear nowhere), workers nobody
wrote are unchanged. Prints operations per second by kind, conflicts, lock waits that ran
out (SQLite "database is locked" after the 10 s busy timeout) and PostgreSQL deadlocks,
counted as refusals; and, for reference, the raw floor: one process of bare UPDATE
statements, one commit each (psycopg / sqlite3 with the program's WAL + synchronous=FULL),
against one process of load_worker + save_worker without contention.
Exit 1 when a row is lost, a refused write landed, or a process met an unexpected error.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.models import AuditEntry, Department, Occupation, Worker
from app.models.db import database_url, ensure_schema, make_engine

DEFAULT_PG = os.environ.get("SKILLDESK_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:55432/postgres")
WORKERS = 2000
HOT = 8
NEW_PER_ROSTER = 40
UPDATE_PER_ROSTER = 12
HOT_PER_UPDATE = 2
FORM_KEYS = (
    "employee_no", "name", "id_type", "id_number", "gender", "birth_date", "education", "department", "post",
    "occupation", "is_frontline", "is_team_leader", "hire_date", "leave_date", "monthly_wage", "phone", "status",
    "notes", "contract_start", "contract_end", "contract_open_ended",
)
AREAS = ["650102", "640104", "630102", "620102", "540102", "530102", "520102", "460105"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰"


# ── the database and the rosters ───────────────────────────────────────────────────────

def make_id(area: str, birth: date, seq: int) -> str:
    first17 = f"{area}{birth:%Y%m%d}{seq % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights)) % 11]


def write_roster(path: Path, header: list[str], rows: list[list]) -> None:
    """Laid out like a clerk's: a title row, a blank row, the header."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("花名册")
    sheet.append(["华东精密机械制造有限公司职工花名册"])
    sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)


def snapshot(engine) -> dict[int, dict]:
    table = Worker.__table__
    with engine.connect() as conn:
        return {
            row.id: {"version": row.version, "phone": row.phone, "notes": row.notes, "name": row.name,
                     "id_type": row.id_type, "id_number": row.id_number}
            for row in conn.execute(select(table.c.id, table.c.version, table.c.phone, table.c.notes, table.c.name,
                                           table.c.id_type, table.c.id_number))
        }


def max_audit_id(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.coalesce(func.max(AuditEntry.id), 0))).scalar_one()


def build_plan(engine, folder: Path, processes: int, seconds: float, import_every: float, seed: int) -> dict:
    """Who is hot, and every process's rosters (built here, so building them costs no process time)."""
    rng = random.Random(seed)
    before = snapshot(engine)
    ids = sorted(before)
    hot = rng.sample(ids, HOT)
    with engine.connect() as conn:
        departments = [n for (n,) in conn.execute(select(Department.name).order_by(Department.name))]
        occupations = [n for (n,) in conn.execute(select(Occupation.name).order_by(Occupation.name))]
    taken = {row["id_number"] for row in before.values()}
    imports_each = int(seconds / import_every) // 2 + 2 if import_every > 0 else 0
    procs = []
    new_header = ["序号", "工号", "姓名", "身份证号码", "部门", "工种", "入职日期", "联系电话"]
    update_header = ["序号", "姓名", "身份证号码", "联系电话"]
    for p in range(processes):
        new_rosters, update_rosters = [], []
        for k in range(imports_each):
            rows, people = [], []
            for n in range(NEW_PER_ROSTER):
                number = None
                while number is None or number in taken:
                    birth = date(1970, 1, 1) + timedelta(days=rng.randrange(11000))
                    number = make_id(rng.choice(AREAS), birth, rng.randrange(1000))
                taken.add(number)
                name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(2))
                phone = f"17{p}{k:03d}{n:05d}"
                hire = min(birth + timedelta(days=365 * 20 + rng.randrange(2000)), date(2025, 12, 31))
                rows.append([n + 1, f"C{p}{k:03d}{n:03d}", name, number, rng.choice(departments),
                             rng.choice(occupations), hire, phone])
                people.append([number, name, phone])
            path = folder / f"p{p}-new-{k:03d}.xlsx"
            write_roster(path, new_header, rows)
            new_rosters.append({"file": str(path), "people": people})

            chosen = rng.sample(hot, HOT_PER_UPDATE) + rng.sample([i for i in ids if i not in hot],
                                                                  UPDATE_PER_ROSTER - HOT_PER_UPDATE)
            rng.shuffle(chosen)
            rows, writes = [], []
            for n, worker_id in enumerate(chosen):
                phone = f"15{p}{k:03d}{n:05d}"
                rows.append([n + 1, before[worker_id]["name"], before[worker_id]["id_number"], phone])
                writes.append([worker_id, phone])
            path = folder / f"p{p}-update-{k:03d}.xlsx"
            write_roster(path, update_header, rows)
            update_rosters.append({"file": str(path), "writes": writes})
        procs.append({"new": new_rosters, "update": update_rosters})
    return {"hot": hot, "ids": ids, "procs": procs}


# ── one clerk's program ────────────────────────────────────────────────────────────────

def _kind_of_failure(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).lower()
    if "deadlock" in text:
        return "deadlock"
    if "locked" in text or "busy" in text:
        return "busy"
    return "error"


def clerk(number: int, url: str, plan: dict, seconds: float, import_every: float, hot_share: float,
          barrier, out: str) -> None:
    from app.errors import FieldErrors, Refused, StaleRecord
    from app.services.roster_import import apply_plan, check_roster
    from app.services.workers import load_worker, save_worker

    rng = random.Random(1000 + number)
    engine = make_engine(url)
    load_worker(engine, plan["ids"][0])  # connect and import everything before the clock starts
    mine = plan["procs"][number]
    log = {"writes": [], "new_workers": [], "refused_values": [], "refused_new": [], "errors": [],
           "counts": Counter(), "save_ms": [], "import_ms": []}
    counts = log["counts"]

    def failed(kind: str, exc: BaseException) -> None:
        what = _kind_of_failure(exc)
        counts[f"{kind}_{what}"] += 1
        if what == "error" and len(log["errors"]) < 5:
            log["errors"].append(f"{kind}: {type(exc).__name__}: {exc}"[:500])

    def edit() -> None:
        worker_id = rng.choice(plan["hot"]) if rng.random() < hot_share else rng.choice(plan["ids"])
        field = rng.choice(("phone", "notes"))
        value = f"13{number}{counts['save_try']:08d}" if field == "phone" else f"备注 进程{number} 第{counts['save_try']}次"
        counts["save_try"] += 1
        start = time.perf_counter()
        try:
            record = load_worker(engine, worker_id)
            values = {key: getattr(record, key) for key in FORM_KEYS}
            values[field] = value
            save_worker(engine, values, worker_id=worker_id, expected_version=record.version)
        except StaleRecord:
            counts["save_conflict"] += 1
            log["refused_values"].append([worker_id, field, value])
            return
        except FieldErrors as exc:
            counts["save_refused"] += 1
            log["refused_values"].append([worker_id, field, value])
            if len(log["errors"]) < 5:
                log["errors"].append(f"save refused by the checks: {exc}"[:500])
            return
        except Exception as exc:  # noqa: BLE001 - counted and reported, the run goes on
            failed("save", exc)
            log["refused_values"].append([worker_id, field, value])
            return
        log["save_ms"].append((time.perf_counter() - start) * 1000)
        counts["save_ok"] += 1
        log["writes"].append(["save", worker_id, record.version + 1, field, value])

    def import_next() -> None:
        kind = "import_new" if counts["import_try"] % 2 == 0 else "import_update"
        queue = mine["new"] if kind == "import_new" else mine["update"]
        index = counts[f"{kind}_try"]
        counts["import_try"] += 1
        counts[f"{kind}_try"] += 1
        if index >= len(queue):
            counts["import_out_of_rosters"] += 1
            return
        roster = queue[index]
        start = time.perf_counter()
        failure = None
        try:
            checked = check_roster(engine, roster["file"])
            if not checked.report.ok:
                failure = "error: " + "；".join(map(str, checked.report.problems[:3]))
            else:
                apply_plan(engine, checked)
        except Refused as exc:  # a worker saved after the check: the whole import is refused
            failure = "conflict" if "已被他人修改" in str(exc) else f"error: refused: {exc}"
        except Exception as exc:  # noqa: BLE001 - counted and reported, the run goes on
            failure = _kind_of_failure(exc)
            if failure == "error":
                failure = f"error: {type(exc).__name__}: {exc}"
        if failure is not None:
            outcome = failure.split(":")[0]
            counts[f"{kind}_{outcome}"] += 1
            if outcome == "error" and len(log["errors"]) < 5:
                log["errors"].append(f"{kind}: {roster['file']}: {failure}"[:500])
            if kind == "import_new":
                log["refused_new"].extend(person[0] for person in roster["people"])
            else:
                log["refused_values"].extend([worker_id, "phone", phone] for worker_id, phone in roster["writes"])
            return
        log["import_ms"].append((time.perf_counter() - start) * 1000)
        counts[f"{kind}_ok"] += 1
        if kind == "import_new":
            log["new_workers"].extend(roster["people"])
            return
        for worker_id, phone in roster["writes"]:
            checked_version = checked.versions.get(worker_id, (None,))[0]
            if checked_version is None:  # the import did not plan to write this row
                counts["import_update_row_not_written"] += 1
                log["refused_values"].append([worker_id, "phone", phone])
                continue
            log["writes"].append(["import", worker_id, checked_version + 1, "phone", phone])

    barrier.wait()
    log["start"] = time.monotonic()
    deadline = log["start"] + seconds
    next_import = log["start"] + import_every * (number + 1) / len(plan["procs"])  # staggered
    while (now := time.monotonic()) < deadline:
        if import_every > 0 and now >= next_import:
            import_next()
            next_import = time.monotonic() + import_every
        else:
            edit()
    log["end"] = time.monotonic()
    engine.dispose()
    Path(out).write_text(json.dumps(log, ensure_ascii=False))


# ── checking what landed ───────────────────────────────────────────────────────────────

def verify(engine, before: dict[int, dict], audit_base: int, logs: list[dict]) -> dict:
    after = snapshot(engine)
    writes = defaultdict(list)
    for log in logs:
        for kind, worker_id, version, field, value in log["writes"]:
            writes[worker_id].append((version, kind, field, value))
    found = Counter()
    # Chains and last values of the workers written.
    for worker_id, done in writes.items():
        start, now = before[worker_id]["version"], after[worker_id]["version"]
        claimed = Counter(version for version, *_ in done)
        found["version_claimed_twice"] += sum(n - 1 for n in claimed.values())
        expected = start + len(done)
        if now < expected:
            found["version_missing"] += expected - now
        elif now > expected:
            found["unlogged_commit"] += now - expected
        found["version_outside_chain"] += sum(1 for v in claimed if not start < v <= now)
        for field in ("phone", "notes"):
            setting = sorted((version, value) for version, _, f, value in done if f == field)
            if setting and after[worker_id][field] != setting[-1][1]:
                found["last_value_missing"] += 1
    # Nobody else's rows moved.
    for worker_id, row in before.items():
        if worker_id not in writes and after.get(worker_id) != row:
            found["unwritten_worker_changed"] += 1
    # Imported workers: there exactly once, as the roster said.
    by_number = Counter((row["id_type"], row["id_number"]) for row in after.values())
    phone_of = {row["id_number"]: row["phone"] for row in after.values()}
    imported = [person for log in logs for person in log["new_workers"]]
    for number, _name, phone in imported:
        if by_number[("居民身份证", number)] != 1:
            found["imported_worker_missing"] += 1
        elif phone_of[number] != phone:
            found["imported_worker_wrong"] += 1
    found["worker_count_off"] = abs(len(after) - (len(before) + len(imported)))
    for log in logs:
        found["refused_import_landed"] += sum(1 for number in log["refused_new"] if number in phone_of)
    # 操作日志: an entry per write, in the write's transaction.
    with engine.connect() as conn:
        entries = conn.execute(
            select(AuditEntry.record_id, AuditEntry.action, AuditEntry.after)
            .where(AuditEntry.id > audit_base, AuditEntry.entity == "worker")
        ).all()
    logged = Counter()
    per_worker = Counter()
    for record_id, action, after_json in entries:
        if record_id is None or not after_json:
            continue
        per_worker[record_id] += 1
        for field, value in json.loads(after_json).items():
            logged[(record_id, field, value)] += 1
    for worker_id, done in writes.items():
        found["audit_entry_missing"] += sum(1 for _v, _k, field, value in done if not logged[(worker_id, field, value)])
        found["audit_entry_count_off"] += abs(per_worker[worker_id] - len(done))
    final_values = {(worker_id, field, row[field]) for worker_id, row in after.items() for field in ("phone", "notes")}
    for log in logs:
        for worker_id, field, value in log["refused_values"]:
            if (worker_id, field, value) in final_values or logged[(worker_id, field, value)]:
                found["refused_write_landed"] += 1
    found["imports_logged"] = sum(1 for record_id, action, _ in entries if record_id is None and action == "导入")
    return found


LOST_KINDS = ("version_claimed_twice", "version_missing", "last_value_missing", "imported_worker_missing",
              "imported_worker_wrong", "worker_count_off", "audit_entry_missing", "audit_entry_count_off",
              "audit_import_entry_off")
WRONG_KINDS = ("unlogged_commit", "version_outside_chain", "unwritten_worker_changed", "refused_import_landed",
               "refused_write_landed")


# ── raw floors ─────────────────────────────────────────────────────────────────────────

def raw_updates(url: str, ids: list[int], seconds: float = 2.0) -> float:
    """Bare UPDATEs of one row each, one commit each, from one process: the most any save can reach."""
    rng = random.Random(3)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        conn = sqlite3.connect(parsed.database, isolation_level=None, timeout=10)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA wal_autocheckpoint=1")
        versions = dict(conn.execute("SELECT id, version FROM worker"))
        sql = "UPDATE worker SET notes = ?, version = version + 1 WHERE id = ? AND version = ?"

        def one(worker_id, n):
            conn.execute("BEGIN IMMEDIATE")
            changed = conn.execute(sql, (f"raw {n}", worker_id, versions[worker_id])).rowcount
            conn.execute("COMMIT")
            return changed
    else:
        import psycopg

        conn = psycopg.connect(parsed.set(drivername="postgresql").render_as_string(hide_password=False))
        versions = dict(conn.execute("SELECT id, version FROM worker").fetchall())
        conn.commit()
        sql = "UPDATE worker SET notes = %s, version = version + 1 WHERE id = %s AND version = %s"

        def one(worker_id, n):
            changed = conn.execute(sql, (f"raw {n}", worker_id, versions[worker_id])).rowcount
            conn.commit()
            return changed
    done = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        worker_id = rng.choice(ids)
        if one(worker_id, done) != 1:
            raise SystemExit(f"raw floor: UPDATE of worker {worker_id} changed no row")
        versions[worker_id] += 1
        done += 1
    elapsed = time.perf_counter() - start
    conn.close()
    return done / elapsed


def durability(url: str) -> str:
    """What a commit costs: the server's settings, or the program's own for SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return "SQLite WAL, synchronous=FULL, wal_autocheckpoint=1 (every commit fsynced, as the program runs it)"
    import psycopg

    with psycopg.connect(parsed.set(drivername="postgresql").render_as_string(hide_password=False)) as conn:
        shown = {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in ("fsync", "synchronous_commit")}
    return "server " + ", ".join(f"{k}={v}" for k, v in shown.items()) + (
        " (commits not flushed to disk: a test server)" if "off" in shown.values() else "")


def service_saves(engine, ids: list[int], seconds: float = 2.0) -> float:
    """load_worker + save_worker from one process, nobody else writing."""
    from app.services.workers import load_worker, save_worker

    rng = random.Random(4)
    done = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        worker_id = rng.choice(ids)
        record = load_worker(engine, worker_id)
        values = {key: getattr(record, key) for key in FORM_KEYS}
        values["notes"] = f"单进程 {done}"
        save_worker(engine, values, worker_id=worker_id, expected_version=record.version)
        done += 1
    return done / (time.perf_counter() - start)


# ── one backend ────────────────────────────────────────────────────────────────────────

def run_backend(label: str, url: str, processes: int, args, folder: Path) -> bool:
    """Prints the figures; True when nothing was lost and nothing went wrong."""
    from app.services.demo import generate_demo

    started = time.perf_counter()
    engine = make_engine(url)
    ensure_schema(engine)
    generate_demo(engine, WORKERS, seed=7)
    plan = build_plan(engine, folder, processes, args.seconds, args.import_every, seed=11)
    before = snapshot(engine)
    audit_base = max_audit_id(engine)
    setup = time.perf_counter() - started

    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),)
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(processes + 1)
    outs = [folder / f"{label}-clerk{n}.json" for n in range(processes)]
    children = [
        ctx.Process(target=clerk, args=(n, url, plan, args.seconds, args.import_every, args.hot_share, barrier,
                                        str(out)))
        for n, out in enumerate(outs)
    ]
    for child in children:
        child.start()
    barrier.wait(timeout=120)
    for child in children:
        child.join(args.seconds + 120)
    crashed = [n for n, child in enumerate(children) if child.exitcode != 0]
    logs = [json.loads(out.read_text()) for out in outs if out.exists()]
    if crashed or len(logs) != processes:
        print(f"{label}: process(es) {crashed} ended with exit codes {[c.exitcode for c in children]}; no verdict")
        engine.dispose()
        return False
    elapsed = max(log["end"] for log in logs) - min(log["start"] for log in logs)
    counts = sum((Counter(log["counts"]) for log in logs), Counter())
    found = verify(engine, before, audit_base, logs)
    service = service_saves(engine, plan["ids"])
    engine.dispose()
    raw = raw_updates(url, plan["ids"])

    saves = counts["save_ok"]
    new_ok, upd_ok = counts["import_new_ok"], counts["import_update_ok"]
    found["audit_import_entry_off"] = abs(found.pop("imports_logged") - (new_ok + upd_ok))  # one 导入 entry each
    imported = sum(len(log["new_workers"]) for log in logs)
    lost = sum(found[k] for k in LOST_KINDS)
    wrong = sum(found[k] for k in WRONG_KINDS)
    errors = [e for log in logs for e in log["errors"]]
    error_count = sum(v for k, v in counts.items() if k.endswith("_error")) + counts["save_refused"]
    save_ms = sorted(ms for log in logs for ms in log["save_ms"])
    import_ms = sorted(ms for log in logs for ms in log["import_ms"])

    def pct(values, q):
        return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")

    print(f"\n== {label}: {processes} processes, {args.seconds:g} s (setup {setup:.1f} s: demo {WORKERS:,} workers, "
          f"{processes * 2 * len(plan['procs'][0]['new'])} rosters) ==")
    print(f"durability: {durability(url)}; load average before the run {load[0]:.1f} on {os.cpu_count()} cores")
    print(f"operations/s, all processes: {(saves + new_ok + upd_ok) / elapsed:.1f} "
          f"({saves + new_ok + upd_ok} writes committed in {elapsed:.1f} s)")
    print(f"  save (load_worker + save_worker): {saves / elapsed:.1f}/s  ({saves} of {counts['save_try']} tried; "
          f"latency median {statistics.median(save_ms) if save_ms else float('nan'):.1f} ms, p95 {pct(save_ms, 0.95):.1f} ms)")
    print(f"  import of {NEW_PER_ROSTER} new workers: {new_ok / elapsed:.2f}/s  ({new_ok} of {counts['import_new_try']}; "
          f"{imported} workers)")
    print(f"  re-import updating {UPDATE_PER_ROSTER} workers: {upd_ok / elapsed:.2f}/s  ({upd_ok} of "
          f"{counts['import_update_try']}; import median {statistics.median(import_ms) if import_ms else float('nan'):.0f} ms)")
    print(f"conflicts detected: {counts['save_conflict'] + counts['import_update_conflict'] + counts['import_new_conflict']}"
          f" (saves refused as stale: {counts['save_conflict']} = {counts['save_conflict'] / max(1, counts['save_try']):.1%}"
          f" of saves; imports refused, a worker changed after the check: "
          f"{counts['import_update_conflict'] + counts['import_new_conflict']})")
    busy = sum(v for k, v in counts.items() if k.endswith("_busy"))
    deadlocks = sum(v for k, v in counts.items() if k.endswith("_deadlock"))
    print(f"lock waits run out (database is locked after {10} s): {busy}; deadlocks refused by the server: {deadlocks}"
          f"  (refusals: nothing written)")
    print(f"rows lost: {lost}" + (f"  ({', '.join(f'{k} {found[k]}' for k in LOST_KINDS if found[k])})" if lost else
                                  f"  (checked: {saves} saves and {sum(len(log['writes']) for log in logs) - saves} re-imported rows by version "
                                  f"chain, last value and 操作日志 entry; "
                                  f"{imported} imported workers there once; {len(before) + imported} workers in all)"))
    if wrong:
        print(f"REFUSED OR UNLOGGED WRITES THAT LANDED: {', '.join(f'{k} {found[k]}' for k in WRONG_KINDS if found[k])}")
    if error_count or counts["import_out_of_rosters"] or counts["import_update_row_not_written"]:
        print(f"unexpected: {error_count} errors, out of rosters {counts['import_out_of_rosters']}, "
              f"re-import rows not planned {counts['import_update_row_not_written']}")
        for text in errors[:5]:
            print(f"  {text}")
    per_process = saves / elapsed / processes
    print(f"raw floor, one process, bare UPDATE … WHERE id AND version, one commit each: {raw:.0f}/s")
    print(f"service, one process alone, load_worker + save_worker:                  {service:.1f}/s  "
          f"(ratio raw/service {raw / service:.1f}x)")
    print(f"concurrent saves per process: {per_process:.1f}/s = {per_process / service:.2f} of alone "
          f"(imports share the time); all processes {saves / elapsed / service:.2f}x one process alone")
    return lost == 0 and wrong == 0 and error_count == 0 and not counts["import_update_row_not_written"]


def postgres_database(url: str):
    """A new database beside the one `url` names; None (with the reason printed) when unreachable."""
    try:
        import psycopg
    except ImportError:
        print("PostgreSQL skipped: psycopg is not installed")
        return None, None
    server = make_url(url)
    try:
        admin = psycopg.connect(server.set(drivername="postgresql").render_as_string(hide_password=False),
                                autocommit=True, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001
        print(f"PostgreSQL skipped: cannot connect to {server.render_as_string()} ({str(exc).strip()[:200]})")
        return None, None
    name = f"bench_concurrency_{os.getpid()}"
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    return admin, server.set(database=name).render_as_string(hide_password=False)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0, help="how long the processes run, per backend")
    parser.add_argument("--pg", default=DEFAULT_PG, help="a PostgreSQL URL (a new bench_ database is made beside it)")
    parser.add_argument("--pg-processes", type=int, default=4)
    parser.add_argument("--sqlite-processes", type=int, default=2)
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--import-every", type=float, default=1.0, help="seconds between imports of one process")
    parser.add_argument("--hot-share", type=float, default=0.5, help="share of edits going to the 8 hot workers")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file, rosters and PostgreSQL database")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="skilldesk-bench-concurrency-"))
    ok = True
    try:
        if not args.no_pg:
            admin, url = postgres_database(args.pg)
            if admin is not None:
                try:
                    ok &= run_backend("PostgreSQL", url, args.pg_processes, args, folder)
                finally:
                    if not args.keep:
                        admin.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
                    else:
                        print(f"kept database {make_url(url).database}")
                    admin.close()
        if not args.no_sqlite:
            ok &= run_backend("SQLite", database_url(folder / "shared.db"), args.sqlite_processes, args, folder)
    finally:
        if args.keep:
            print(f"kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    print("\nverdict:", "no row lost" if ok else "ROWS LOST OR ERRORS (see above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
