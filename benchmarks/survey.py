"""The bureau survey at 100,000 workers and 300,000 certificates, against one raw sqlite3 query.

    python benchmarks/survey.py [--db FILE] [--as-of 2026-10-31]

The database used is always a copy (a file given with --db is only read; without it a demo
register of 100,000 workers, seed 7, is made in a temp folder) upgraded to the current
schema; certificates of earlier, lower levels are added until there are 300,000 (a level
history, as real registers have), so the "level on as_of" query has work to do.

(a) program: compute_survey(engine, AS_OF) then its SPEC §8 JSON — what
    `skilldesk survey --out F.json` computes (process start-up and the file write excluded);
(b) baseline: one hand-written sqlite3 query (a window for each worker's level, then
    grouped counts; the employee totals as a UNION ALL row) and the same JSON built from it.
The two JSON documents must be identical. Prints the best of 3 and the ratio (a)/(b);
target ≤ 1.5.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.models.db import database_url, make_engine  # noqa: E402
from app.services.survey import AGE_BANDS, EDUCATION_COLUMNS, LEVEL_ROWS, ROWS, compute_survey, latest_birth  # noqa: E402
from app.services.vocab import EDUCATION_BUCKETS  # noqa: E402

CERTIFICATES = 300_000

BASELINE = """
WITH lvl AS (
    SELECT worker_id, level_rank AS rank,
           row_number() OVER (PARTITION BY worker_id ORDER BY level_rank DESC) AS pos
    FROM certificate
    WHERE kind IN ('职业技能等级证书', '职业资格证书') AND level_rank IS NOT NULL AND revoked = 0
      AND (issue_date IS NULL OR issue_date <= :as_of)
),
active AS (
    SELECT * FROM worker
    WHERE (hire_date IS NULL OR hire_date <= :as_of) AND (leave_date IS NULL OR leave_date > :as_of)
)
SELECT CASE WHEN l.rank > 5 THEN 5 ELSE l.rank END AS row_rank, count(*),
       sum(a.birth_date > :c31), sum(a.birth_date <= :c31 AND a.birth_date > :c41),
       sum(a.birth_date <= :c41 AND a.birth_date > :c51), sum(a.birth_date <= :c51),
       sum(a.education IN ({low})), sum(a.education IN ({mid})), sum(a.education IN ({high})),
       coalesce(sum(a.monthly_wage), 0), count(a.monthly_wage), sum(l.rank > 5)
FROM active a JOIN lvl l ON l.worker_id = a.id AND l.pos = 1
WHERE l.rank >= 1
GROUP BY row_rank
UNION ALL
SELECT 0, count(*), 0, 0, 0, 0, 0, 0, 0, coalesce(sum(monthly_wage), 0), count(monthly_wage), 0 FROM active
"""


def _in_list(bucket: str) -> str:
    return ", ".join(f"'{name}'" for name, b in EDUCATION_BUCKETS.items() if b == bucket)


def _mean(cents: int, count: int):
    if not count:
        return None
    return float((Decimal(cents) / Decimal(count) / 100).quantize(Decimal("0.01"), ROUND_HALF_UP))


def baseline(path: Path, as_of: date) -> dict:
    sql = BASELINE.format(low=_in_list(EDUCATION_COLUMNS[0]), mid=_in_list(EDUCATION_COLUMNS[1]),
                          high=_in_list(EDUCATION_COLUMNS[2]))
    params = {"as_of": as_of.isoformat(), **{f"c{n}": latest_birth(as_of, n).isoformat() for n in (31, 41, 51)}}
    with sqlite3.connect(path) as conn:
        records = conn.execute(sql, params).fetchall()
    levels = {name: {"count": 0, "age": dict.fromkeys(AGE_BANDS, 0), "education": dict.fromkeys(EDUCATION_COLUMNS, 0),
                     "avg_monthly_wage": None} for name in ROWS}
    sums = {name: [0, 0] for name in ROWS}
    folded = total = 0
    total_cents = total_wages = 0
    for rank, count, *rest in records:
        if rank == 0:
            total, total_cents, total_wages = count, rest[7], rest[8]
            continue
        name = LEVEL_ROWS[rank - 1]
        levels[name]["count"] = count
        levels[name]["age"] = dict(zip(AGE_BANDS, rest[0:4]))
        levels[name]["education"] = dict(zip(EDUCATION_COLUMNS, rest[4:7]))
        sums[name] = [rest[7], rest[8]]
        folded += rest[9]
    for name in LEVEL_ROWS:
        levels[name]["avg_monthly_wage"] = _mean(*sums[name])
        for key in ("age", "education"):
            for band in levels[name][key]:
                levels["合计"][key][band] += levels[name][key][band]
        levels["合计"]["count"] += levels[name]["count"]
    levels["合计"]["avg_monthly_wage"] = _mean(sum(sums[n][0] for n in LEVEL_ROWS), sum(sums[n][1] for n in LEVEL_ROWS))
    warnings = [f"特级技师、首席技师 {folded} 人计入高级技师行（表中没有更高的等级）。"] if folded else []
    return {"as_of": as_of.isoformat(), "total_employees": total, "avg_monthly_wage": _mean(total_cents, total_wages),
            "levels": levels, "folded_into_高级技师": folded, "warnings": warnings}


def prepare(source: Path | None, folder: Path) -> Path:
    target = folder / "survey.db"
    if source is None:
        subprocess.run([sys.executable, "-m", "app", "--db", str(target), "demo", "--workers", "100000", "--seed", "7"],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    else:
        target.write_bytes(source.read_bytes())
    subprocess.run([sys.executable, "-m", "app", "--db", str(target), "init"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    with sqlite3.connect(target) as conn:
        have = conn.execute("SELECT count(*) FROM certificate").fetchone()[0]
        rows = conn.execute(
            "SELECT worker_id, level_rank, issue_date FROM certificate WHERE level_rank > 1 AND issue_date IS NOT NULL"
        ).fetchall()
        rng = random.Random(7)
        extra = []
        while have + len(extra) < CERTIFICATES and rows:
            worker_id, rank, issued = rows[rng.randrange(len(rows))]
            earlier = date.fromisoformat(issued) - timedelta(days=rng.randint(400, 2500))
            extra.append((worker_id, "职业技能等级证书", rng.randint(1, rank - 1), earlier.isoformat(), 0, 1))
        conn.executemany(
            "INSERT INTO certificate (worker_id, kind, level_rank, issue_date, revoked, version) VALUES (?, ?, ?, ?, ?, ?)",
            extra)
        print(f"证书 {have} 张，补充更早的低等级证书 {len(extra)} 张，共 {have + len(extra)} 张")
    return target


def best_of(runs: int, action):
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, help="an existing database (only read: a copy is used)")
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 10, 31))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = prepare(args.db, Path(folder))
        engine = make_engine(database_url(path))
        program_time, program = best_of(3, lambda: json.dumps(compute_survey(engine, args.as_of).as_json(),
                                                               ensure_ascii=False))
        raw_time, raw = best_of(3, lambda: json.dumps(baseline(path, args.as_of), ensure_ascii=False))
        engine.dispose()
    same = program == raw
    print(f"(a) compute_survey + JSON, best of 3: {program_time:.3f} s")
    print(f"(b) raw sqlite3 query + JSON, best of 3: {raw_time:.3f} s")
    print(f"ratio (a)/(b): {program_time / raw_time:.2f}  (target ≤ 1.5)；JSON identical: {'yes' if same else 'NO'}")
    if not same:
        print(program[:2000], "\n---\n", raw[:2000])
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
