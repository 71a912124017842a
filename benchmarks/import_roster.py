"""Roster import at 100,000 rows against the raw floor, in one run.

    python benchmarks/import_roster.py [--rows 100000] [--keep]

(a) raw floor: python-calamine reads the file + a bare sqlite3 executemany of the same rows;
(b) `skilldesk import workers FILE` into an empty database (a child process, so its peak
    memory is its own);
(c) `skilldesk demo --workers N`.
Prints seconds, the ratio (b)/(a) (target ≤ 2.0) and peak memory (target < 1 GB).
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook
from python_calamine import CalamineWorkbook

HEADER = [
    "序号", "工号", "姓名", "身份证号码", "性别", "出生日期", "文化程度", "部门", "岗位", "工种", "是否一线职工",
    "是否班组长", "入职日期", "合同起始日", "合同终止日", "月工资", "联系电话", "技能等级", "证书编号", "发证日期",
    "发证机构", "评价方式",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红文斌海波鹏辉宇浩晨阳雪梅玉龙飞凯"
AREAS = ["110105", "320102", "440305", "330106", "370202", "420111", "510107", "610113", "210102", "350102"]
DEPARTMENTS = ["机加工车间", "装配车间", "焊接车间", "热处理车间", "铸造车间", "设备动力部", "质量检验部"]
OCCUPATIONS = ["车工", "铣工", "钳工", "焊工", "维修电工", "数控车工", "磨工", "装配钳工", "电工"]
LEVELS = ["", "", "初级工", "中级工", "中级工", "三级/高级工", "高级工", "技师", "高级技师"]
DIGIT = {"初级工": "5", "中级工": "4", "三级/高级工": "3", "高级工": "3", "技师": "2", "高级技师": "1"}


def make_id(rng: random.Random, seq: int) -> str:
    birth = date(1966, 1, 1) + timedelta(days=rng.randrange(14000))
    first17 = f"{rng.choice(AREAS)}{birth:%Y%m%d}{seq % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights)) % 11]


def build_roster(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("花名册")
    sheet.append(["华东精密机械制造有限公司职工花名册（2026年10月）"])
    sheet.append([])
    sheet.append(HEADER)
    seen: set[str] = set()
    for n in range(1, rows + 1):
        number = make_id(rng, n)
        while number in seen:
            number = make_id(rng, n + rng.randrange(1000))
        seen.add(number)
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        hire = min(birth + timedelta(days=365 * 19 + rng.randrange(3000)), date(2025, 12, 31))
        level = rng.choice(LEVELS)
        issued = min(hire + timedelta(days=rng.randrange(2000)), date(2026, 9, 30))
        cert_no = f"Y{n:014d}{DIGIT[level]}{rng.randrange(10**6):06d}" if level else None
        sheet.append([
            n, f"A{n:06d}", rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
            number, "男" if int(number[16]) % 2 else "女", birth, rng.choice(["中专", "技校", "大专", "本科", "高中"]),
            rng.choice(DEPARTMENTS), "操作岗", rng.choice(OCCUPATIONS), rng.choice(["是", "否"]), "否",
            hire, hire, rng.choice([hire + timedelta(days=365 * 20), "无固定期限"]),
            round(4000 + rng.random() * 8000, 2), f"13{rng.randrange(10**9):09d}", level or None, cert_no,
            issued if level else None, "某省职业技能鉴定指导中心" if level else None, "社会化评价" if level else None,
        ])
    book.save(path)


def raw_floor(path: Path, db: Path) -> float:
    start = time.perf_counter()
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    data = [tuple(str(v) if v != "" else None for v in row) for row in rows[3:]]
    conn = sqlite3.connect(db)
    conn.execute(f"CREATE TABLE roster ({', '.join(f'c{i}' for i in range(len(HEADER)))})")
    conn.executemany(f"INSERT INTO roster VALUES ({', '.join('?' * len(HEADER))})", data)
    conn.commit()
    conn.close()
    return time.perf_counter() - start


def schema_floor(path: Path, db: Path) -> float:
    """The same rows stored by raw sqlite3 into SkillDesk's own tables and indexes (worker,
    labor_contract, certificate), with no checking: what storage alone costs."""
    start = time.perf_counter()
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)[3:]
    conn = sqlite3.connect(db)
    conn.executemany(
        "INSERT INTO worker (employee_no, name, id_type, id_number, gender, birth_date, education, post,"
        " hire_date, monthly_wage, phone, is_frontline, is_team_leader, status) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [(r[1], r[2], "居民身份证", r[3], r[4], r[5].isoformat(), r[6], r[8], r[12].isoformat(), int(r[15] * 100),
          str(r[16]), r[10] == "是", False, "在职") for r in rows],
    )
    ids = dict(conn.execute("SELECT id_number, id FROM worker"))
    conn.executemany(
        "INSERT INTO labor_contract (worker_id, start_date, end_date) VALUES (?,?,?)",
        [(ids[r[3]], r[13].isoformat(), r[14].isoformat() if hasattr(r[14], "isoformat") else None) for r in rows],
    )
    conn.executemany(
        "INSERT INTO certificate (worker_id, kind, level_rank, number, issue_date, issuing_body, evaluation_route)"
        " VALUES (?,?,?,?,?,?,?)",
        [(ids[r[3]], "职业技能等级证书", 3, r[18], r[19].isoformat(), r[20], r[21]) for r in rows if r[18]],
    )
    conn.commit()
    conn.close()
    return time.perf_counter() - start


def run_cli(*args: str) -> tuple[float, float]:
    """Seconds and the child's peak RSS in MB (ru_maxrss of the largest child so far)."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"skilldesk {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts")
    parser.add_argument("--roster", type=Path, help="reuse a roster built by an earlier run")
    parser.add_argument("--keep", action="store_true", help="keep the roster and databases")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="skilldesk-bench-"))
    roster = args.roster or folder / "roster.xlsx"
    if not args.roster:
        t = time.perf_counter()
        build_roster(roster, args.rows)
        print(f"built {args.rows:,}-row roster in {time.perf_counter() - t:.1f} s ({roster.stat().st_size / 1e6:.1f} MB)")

    floors, schema_floors, imports, peak = [], [], [], 0.0
    for run in range(args.repeat):
        floors.append(raw_floor(roster, folder / f"raw{run}.db"))
        run_cli("--db", str(folder / f"schema{run}.db"), "init")
        schema_floors.append(schema_floor(roster, folder / f"schema{run}.db"))
        db = folder / f"import{run}.db"
        run_cli("--db", str(db), "init")
        seconds, peak = run_cli("--db", str(db), "import", "workers", str(roster))
        imports.append(seconds)
    floor, seconds = min(floors), min(imports)
    print(f"raw floor (calamine read + sqlite3 executemany): best {floor:.2f} s of {', '.join(f'{f:.2f}' for f in floors)}")
    print(f"schema floor (raw sqlite3 into SkillDesk's tables): best {min(schema_floors):.2f} s")
    print(f"skilldesk import workers:                        best {seconds:.2f} s of {', '.join(f'{f:.2f}' for f in imports)}   peak RSS {peak:.0f} MB")
    print(f"ratio import / raw floor: {seconds / floor:.2f}x  (target <= 2.0x, peak < 1024 MB)")
    print(f"ratio import / schema floor: {seconds / min(schema_floors):.2f}x  (checking every cell is the rest)")

    seconds, peak = run_cli("--db", str(folder / "demo.db"), "demo", "--workers", str(args.rows), "--seed", "7")
    print(f"skilldesk demo --workers {args.rows}: {seconds:.2f} s   peak RSS (largest child so far) {peak:.0f} MB")
    if not args.keep:
        shutil.rmtree(folder)
    else:
        print(f"kept in {folder}")


if __name__ == "__main__":
    main()
