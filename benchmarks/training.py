"""The compliance report and the training fund at 100,000 workers and 300,000 enrolments,
against one raw sqlite3 query each, in one run.

    python benchmarks/training.py [--db FILE] [--year 2025] [--enrolments 300000]

Without --db, a demo register of 100,000 workers (seed 7) is made in a temp folder; with
--db, that database is used, and its training data is added only when it has none. The
training data: about 600 programmes from 2024 to 2026 (mostly 职工教育经费, some 政府补贴,
a few paid by the worker), each with a few hundred workers who were 在职 when it started,
results and completion dates spread over the years (some on 31 December).

(a) program: compliance_report(engine, YEAR) and fund_year(engine, YEAR);
(b) baseline: one hand-written sqlite3 query each giving the same numbers (the sizes of
    the two compliance lists; used and used on frontline workers).
The numbers must agree. Prints the best of 3 in seconds and the ratio (a)/(b); target ≤ 1.5.
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

from app.models import TrainingEnrolment, TrainingProgramme, Worker
from app.models.bulk import bulk_insert
from app.models.db import database_url, make_engine
from app.services.compliance import compliance_report
from app.services.fund import fund_year
from app.services.policy import policy_snapshot
from app.services.training_rules import (
    FUNDING_FUND,
    FUNDING_GOVERNMENT,
    FUNDING_PERSONAL,
    RESULT_FAIL,
    RESULT_PASS,
    TRAINING_FORMS,
)
from app.services.vocab import STATUS_ACTIVE

YEARS = (2024, 2025, 2026)
DATA_END = date(2026, 10, 31)  # the demo register's reference date is 2026-11-01
COURSES = ("数控车床编程与操作提高班", "焊接工艺评定与操作", "PLC 控制系统安装与调试", "安全生产知识轮训",
           "精密测量与质量控制", "设备点检与维护保养", "装配钳工技能提升", "工业机器人操作与运维",
           "高级工取证培训", "技师研修班", "班组长管理能力培训", "新型学徒制理论课程")
PROVIDERS = ("常州机电职业技术学院", "江苏省常州技师学院", "常州市职业技能鉴定指导中心", "本公司培训中心")
FUNDING = ((FUNDING_FUND, 0.8), (FUNDING_GOVERNMENT, 0.15), (FUNDING_PERSONAL, 0.05))


def _pick_weighted(rng: random.Random, pairs) -> str:
    roll, total = rng.random(), 0.0
    for item, weight in pairs:
        total += weight
        if roll < total:
            return item
    return pairs[-1][0]


def _programme(rng: random.Random, year: int) -> dict:
    start = date(year, 1, 1) + timedelta(days=rng.randrange(365))
    days = rng.choice((1, 2, 3, 5, 10, 15, 30, 60))
    end = start + timedelta(days=days - 1)
    if rng.random() < 0.04:  # classes that close the year, and the ones that start the next
        end = date(year, 12, 31)
        start = min(start, end - timedelta(days=days - 1))
    elif rng.random() < 0.02:
        start = date(year, 1, 1)
        end = start + timedelta(days=days - 1)
    if start > DATA_END:
        start = DATA_END - timedelta(days=rng.randrange(300))
        end = start + timedelta(days=days - 1)
    return {
        "name": f"{year}年{rng.choice(COURSES)}（第{rng.randint(1, 6)}期）",
        "provider": rng.choice(PROVIDERS),
        "form": rng.choice(TRAINING_FORMS),
        "start_date": start,
        "end_date": end,
        "hours": days * 8,
        "cost_per_person": Decimal(rng.randrange(200, 5000, 50)),
        "funding_source": _pick_weighted(rng, FUNDING),
    }


def add_training(engine, enrolments: int, programmes: int = 600, seed: int = 7) -> None:
    """Programmes and enrolments, written with bulk inserts in one transaction."""
    rng = random.Random(seed)
    rows = [_programme(rng, YEARS[i % len(YEARS)]) for i in range(programmes)]
    columns = list(rows[0])
    with engine.begin() as conn:
        first_id = (conn.scalar(select(func.max(TrainingProgramme.id))) or 0) + 1
        bulk_insert(conn, TrainingProgramme.__table__, columns, [[r[c] for c in columns] for r in rows])
        workers = conn.execute(select(Worker.id, Worker.hire_date, Worker.leave_date)).all()
        enrolment_rows = []
        per_programme = enrolments // programmes
        for offset, programme in enumerate(rows):
            start, end = programme["start_date"], programme["end_date"]
            # Over-draw, then keep those employed when the class started.
            drawn = rng.sample(workers, min(len(workers), per_programme * 2))
            chosen = [w for w in drawn
                      if (w.hire_date is None or w.hire_date <= start) and (w.leave_date is None or w.leave_date > start)]
            for worker in chosen[:per_programme]:
                roll = rng.random()
                finished = end <= DATA_END and roll < 0.95
                result = (RESULT_FAIL if roll < 0.07 else RESULT_PASS) if finished else None
                enrolment_rows.append((
                    first_id + offset, worker.id, start - timedelta(days=rng.randint(3, 30)),
                    programme["hours"] if result else None,
                    programme["cost_per_person"], result, end if result else None,
                ))
        bulk_insert(conn, TrainingEnrolment.__table__,
                    ["programme_id", "worker_id", "enrolled_on", "hours_attended", "cost_charged", "result",
                     "completed_on"], enrolment_rows)
    print(f"added {programmes} programmes and {len(enrolment_rows):,} enrolments")


# The fastest single counting query found (of five shapes tried): the population
# materialized once, the enrolments grouped from the completed_on index (the unary +
# keeps SQLite from grouping through the worker_id index, which reads rows at random).
BASELINE_COMPLIANCE = """
WITH population AS MATERIALIZED (
    SELECT w.id, (SELECT max(c.level_rank) FROM certificate c WHERE c.worker_id = w.id
                    AND c.kind IN ('职业技能等级证书', '职业资格证书') AND c.level_rank IS NOT NULL
                    AND c.revoked = 0 AND (c.issue_date IS NULL OR c.issue_date <= :as_of)) AS rank
    FROM worker w
    WHERE w.status = :active AND (w.hire_date IS NULL OR w.hire_date <= :as_of)
      AND (w.leave_date IS NULL OR w.leave_date > :as_of)
),
done AS (
    SELECT worker_id, sum(completed_on >= :year_start) AS in_year, max(completed_on) AS last
    FROM training_enrolment WHERE result IS NOT NULL AND completed_on <= :year_end
    GROUP BY +worker_id
)
SELECT sum(rank >= 3 AND coalesce(in_year, 0) < :min_per_year),
       sum(rank < 3 AND (last IS NULL OR last < :window_start))
FROM population p LEFT JOIN done ON done.worker_id = p.id
WHERE rank >= 1
"""

# Of a join and this IN shape, the faster: it reads only the enrolments of the year's
# fund programmes through the (programme_id, worker_id) index.
BASELINE_FUND = """
SELECT sum(e.cost_charged), sum(CASE WHEN w.is_frontline THEN e.cost_charged ELSE 0 END)
FROM training_enrolment e JOIN worker w ON w.id = e.worker_id
WHERE e.programme_id IN (SELECT p.id FROM training_programme p
                         WHERE p.funding_source = :fund AND p.start_date BETWEEN :year_start AND :year_end)
"""


def best_of(runs: int, work):
    best, result = None, None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", help="a SkillDesk database to use (made with demo when absent)")
    parser.add_argument("--workers", type=int, default=100_000)
    parser.add_argument("--enrolments", type=int, default=300_000)
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    db = args.db or str(Path(tempfile.mkdtemp(prefix="skilldesk-training-")) / "training.db")
    if not Path(db).exists():
        subprocess.run([sys.executable, "-m", "app", "--db", db, "demo", "--workers", str(args.workers), "--seed", "7"],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    engine = make_engine(database_url(db))
    with engine.connect() as conn:
        has_training = conn.scalar(select(func.count()).select_from(TrainingEnrolment))
        workers = conn.scalar(select(func.count()).select_from(Worker))
    if not has_training:
        add_training(engine, args.enrolments)
    with engine.connect() as conn:
        enrolments = conn.scalar(select(func.count()).select_from(TrainingEnrolment))
        policy = policy_snapshot(conn, date(args.year, 12, 31))
    print(f"{workers:,} workers, {enrolments:,} enrolments, year {args.year} ({db})")

    year = args.year
    as_of = min(date(year, 12, 31), date.today())
    rotation = policy["training.rotation_years"]
    params = {
        "active": STATUS_ACTIVE, "as_of": as_of.isoformat(), "year_start": f"{year}-01-01",
        "year_end": f"{year}-12-31", "window_start": f"{year - rotation + 1}-01-01",
        "min_per_year": policy["training.high_skilled_min_per_year"], "fund": FUNDING_FUND,
    }
    # The baseline runs on a sqlite3 connection set up as the program's (make_engine's
    # PRAGMAs): the page cache size alone moves both queries by 15–50 %, which would
    # measure the connection, not the query. Plain-connection times are printed too.
    pooled = engine.raw_connection()
    raw = pooled.driver_connection
    plain = sqlite3.connect(db)

    prog_report_s, report = best_of(3, lambda: compliance_report(engine, year))
    base_report_s, (untrained, not_rotated) = best_of(3, lambda: raw.execute(BASELINE_COMPLIANCE, params).fetchone())
    assert report.as_of == as_of, (report.as_of, as_of)
    assert (len(report.high_skilled_untrained), len(report.skilled_not_rotated)) == (untrained, not_rotated), (
        len(report.high_skilled_untrained), len(report.skilled_not_rotated), untrained, not_rotated)

    prog_fund_s, fund = best_of(3, lambda: fund_year(engine, year))
    base_fund_s, (used_cents, frontline_cents) = best_of(3, lambda: raw.execute(BASELINE_FUND, params).fetchone())
    assert (fund.used, fund.used_frontline) == (Decimal(used_cents or 0) / 100, Decimal(frontline_cents or 0) / 100), (
        fund.used, fund.used_frontline, used_cents, frontline_cents)

    plain_report_s, _ = best_of(3, lambda: plain.execute(BASELINE_COMPLIANCE, params).fetchone())
    plain_fund_s, _ = best_of(3, lambda: plain.execute(BASELINE_FUND, params).fetchone())
    pooled.close()

    print(f"compliance: {report.high_skilled_total:,} 高技能人才, {untrained:,} untrained; "
          f"{report.skilled_total:,} 初级/中级, {not_rotated:,} not rotated in {year - rotation + 1}–{year}")
    print(f"fund: used {fund.used} yuan, frontline {fund.used_frontline} ({fund.frontline_share}%)")
    for label, prog, base, bare in (("compliance_report", prog_report_s, base_report_s, plain_report_s),
                                    ("fund_year", prog_fund_s, base_fund_s, plain_fund_s)):
        print(f"{label:18} baseline {base:7.3f} s   program {prog:7.3f} s   ratio {prog / base:.2f}"
              f"   (baseline on a plain sqlite3 connection {bare:.3f} s, ratio {prog / bare:.2f})")
    print("target: ratio <= 1.5")


if __name__ == "__main__":
    main()
