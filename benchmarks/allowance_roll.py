"""The monthly allowance roll at 100,000 workers, against one raw sqlite3 query.

    python benchmarks/allowance_roll.py [--db FILE] [--month 2026-10]

The database used is always a copy (the file given with --db is only read; without --db a
demo register of 100,000 workers, seed 7, is made in a temp folder); the copy is upgraded
to the current schema. When it holds no pairings or 特殊津贴, some are added (about 3,000
pairings, a third ending in or before the month, and 800 grants), so every allowance type
has lines.

(a) program: generate_roll(engine, MONTH) — computing every line and writing the draft
    (replacing the previous one), Excel excluded;
(b) baseline: one hand-written sqlite3 query giving the same per-type totals (levels by a
    plain GROUP BY, no lines written).
The totals must agree. Prints the best of 3 in seconds and the ratio (a)/(b); target ≤ 2.0.
Writing the workbook is timed as well, for information only.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select

from app.models import Apprenticeship, SpecialAllowance, Worker
from app.models.bulk import bulk_insert
from app.models.db import database_url, make_engine
from app.reports.allowance_xlsx import write_roll
from app.services.allowances import (
    ALLOWANCE_TYPES,
    MENTOR,
    MENTOR_KEY,
    POST,
    POST_KEYS,
    SKILL,
    SKILL_KEYS,
    SPECIAL,
    TEAM_LEADER,
    TEAM_LEADER_KEY,
    generate_roll,
    load_roll,
    month_bounds,
)
from app.services.dashboard import active_on
from app.services.levels import LEVEL_BEARING_KINDS
from app.services.policy import policy_snapshot

BASELINE = """
WITH active AS (
    SELECT id, occupation_id, is_team_leader FROM worker
    WHERE status = '在职' AND (hire_date IS NULL OR hire_date <= :last) AND (leave_date IS NULL OR leave_date > :last)
), lvl AS (
    SELECT c.worker_id, MAX(c.level_rank) AS r,
           MAX(CASE WHEN c.occupation_id = a.occupation_id THEN c.level_rank END) AS rm
    FROM certificate c JOIN active a ON a.id = c.worker_id
    WHERE c.kind IN ({kinds}) AND c.level_rank IS NOT NULL AND c.revoked = 0
      AND (c.issue_date IS NULL OR c.issue_date <= :last)
    GROUP BY c.worker_id
)
SELECT
  (SELECT COALESCE(SUM(CASE r WHEN 3 THEN :s3 WHEN 4 THEN :s4 WHEN 5 THEN :s5 WHEN 6 THEN :s6 WHEN 7 THEN :s7 END), 0)
     FROM lvl WHERE r >= 3),
  (SELECT COALESCE(SUM(CASE r WHEN 3 THEN :p3 WHEN 4 THEN :p4 WHEN 5 THEN :p5 END), 0)
     FROM lvl WHERE r BETWEEN 3 AND 5 AND rm = r
      AND EXISTS (SELECT 1 FROM labor_contract k WHERE k.worker_id = lvl.worker_id AND k.start_date <= :first
                  AND (k.end_date IS NULL OR k.end_date >= :last))),
  (SELECT COUNT(*) * :mentor FROM apprenticeship p JOIN active a ON a.id = p.master_id
     WHERE p.start_date <= :last AND (p.ended_on IS NULL OR p.ended_on >= :first)),
  (SELECT COUNT(*) * :leader FROM active WHERE is_team_leader = 1),
  (SELECT COALESCE(SUM(s.amount), 0) FROM special_allowance s JOIN active a ON a.id = s.worker_id
     WHERE s.month_from <= :first AND (s.month_to IS NULL OR s.month_to >= :first) AND s.amount > 0)
""".format(kinds=", ".join(f"'{kind}'" for kind in LEVEL_BEARING_KINDS))


def _cents(value) -> int:
    return int(Decimal(value).scaleb(2))


def prepare(source: Path | None, folder: Path) -> Path:
    """A copy of `source` (or a new demo register), upgraded to the current schema."""
    target = folder / "allowance-bench.db"
    if source is None:
        print("生成 100,000 名职工的演示数据库…", flush=True)
        subprocess.run([sys.executable, "-m", "app", "--db", str(target), "demo", "--workers", "100000", "--seed", "7"],
                       cwd=ROOT, check=True)
    else:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)  # never written
        dst = sqlite3.connect(target)
        src.backup(dst)
        dst.close()
        src.close()
    subprocess.run([sys.executable, "-m", "app", "--db", str(target), "init"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return target


def add_pairings_and_grants(engine, month: str, seed: int = 7) -> None:
    first, last = month_bounds(month)
    with engine.begin() as conn:
        if conn.scalar(select(func.count()).select_from(Apprenticeship)) or conn.scalar(
            select(func.count()).select_from(SpecialAllowance)
        ):
            return
        ids = list(conn.scalars(select(Worker.id).where(active_on(last)).order_by(Worker.id)))
        rng = random.Random(seed)
        masters = rng.sample(ids, 1500)
        apprentices = rng.sample([i for i in ids if i not in set(masters)], 3000)
        rows = []
        for n, apprentice in enumerate(apprentices):
            start = first - timedelta(days=rng.randrange(0, 900))
            ended = None
            roll = rng.random()
            if roll < 0.15:
                ended = first + timedelta(days=rng.randrange(0, 31))  # ends in the month
            elif roll < 0.3:
                ended = first - timedelta(days=rng.randrange(1, 200))  # ended before
            elif roll < 0.35:
                start = last + timedelta(days=rng.randrange(1, 60))  # starts later
            if ended is not None and ended < start:
                start = ended - timedelta(days=30)
            status = "在培" if ended is None else rng.choice(("已出师", "终止"))
            rows.append((masters[n % len(masters)], apprentice, "企业师带徒", start, ended, status))
        bulk_insert(conn, Apprenticeship.__table__,
                    ("master_id", "apprentice_id", "kind", "start_date", "ended_on", "status"), rows)
        grants = []
        for worker_id in rng.sample(ids, 800):
            month_from = date(first.year, 1, 1) + timedelta(days=31 * rng.randrange(0, 12))
            month_from = month_from.replace(day=1)
            month_to = None if rng.random() < 0.5 else month_from + timedelta(days=31 * rng.randrange(0, 6))
            grants.append((worker_id, month_from, month_to and month_to.replace(day=1),
                           Decimal(rng.randrange(50, 500)), rng.choice(("高温岗位补助", "技术攻关", "夜班补贴"))))
        bulk_insert(conn, SpecialAllowance.__table__, ("worker_id", "month_from", "month_to", "amount", "reason"), grants)


def baseline(path: Path, month: str, policy: dict) -> dict[str, Decimal]:
    first, last = month_bounds(month)
    params = {"first": first.isoformat(), "last": last.isoformat(),
              "mentor": _cents(policy[MENTOR_KEY]), "leader": _cents(policy[TEAM_LEADER_KEY])}
    params.update({f"s{rank}": _cents(policy[key]) for rank, key in SKILL_KEYS.items()})
    params.update({f"p{rank}": _cents(policy[key]) for rank, key in POST_KEYS.items()})
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA cache_size=-65536")  # as the program's connections
        row = conn.execute(BASELINE, params).fetchone()
    finally:
        conn.close()
    return {kind: (Decimal(cents) / 100).quantize(Decimal("0.01")) for kind, cents in
            zip((SKILL, POST, MENTOR, TEAM_LEADER, SPECIAL), row)}


def best_of(runs: int, action):
    best, result = None, None
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an existing database (only read: a copy is used)")
    parser.add_argument("--month", default="2026-10")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = prepare(args.db, Path(tmp))
        engine = make_engine(database_url(path))
        add_pairings_and_grants(engine, args.month)
        with engine.connect() as conn:
            policy = policy_snapshot(conn, month_bounds(args.month)[1])

        program_s, summary = best_of(3, lambda: generate_roll(engine, args.month))
        baseline_s, expected = best_of(3, lambda: baseline(path, args.month, policy))
        excel_s, _ = best_of(1, lambda: write_roll(load_roll(engine, args.month), Path(tmp) / "roll.xlsx"))
        engine.dispose()

        print(f"月份 {args.month}：职工 {summary.workers} 名，明细 {summary.line_count} 条，合计 {summary.total} 元")
        for kind in ALLOWANCE_TYPES:
            print(f"  {kind}: {summary.count_by_type[kind]:>6} 条 {summary.by_type[kind]:>12} 元"
                  f"   (baseline {expected[kind]})")
        print(f"(a) generate_roll, best of 3: {program_s:.3f} s")
        print(f"(b) raw sqlite3 totals, best of 3: {baseline_s:.3f} s")
        print(f"ratio (a)/(b): {program_s / baseline_s:.2f}  (target ≤ 2.0)")
        print(f"(info) load_roll + write_roll (Excel): {excel_s:.3f} s")
        assert summary.by_type == expected, (summary.by_type, expected)
        assert summary.total == sum(expected.values())
    return 0


if __name__ == "__main__":
    sys.exit(main())
