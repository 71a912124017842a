"""A database as the first release (schema 0001) left it on a clerk's PC, with data in every
table that schema had, written in that schema's own SQL: the models of today must not shape
it. Used by tests/test_upgrade.py and by scripts/release_check.sh, which opens it with the
built program. No pytest here, so the release check can import it without the dev extras.

    python -m tests.first_release FILE.db
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

FIRST_REVISION = "0001"

# Rows as SkillDesk 0.1.0 wrote them: money in cents, dates as ISO text, booleans 0/1.
ROWS = """
INSERT INTO app_meta (key, value) VALUES ('application', 'SkillDesk'), ('program_version', '0.1.0');
INSERT INTO enterprise (id, name, uscc, principal, phone, address, enterprise_type, scale, business_field,
                        bank_name, bank_account)
VALUES (1, '华北重型机械有限公司', '91110105MA01ABCD26', '王建国', '010-65001234', '北京市朝阳区工业路 8 号',
        '民营企业', '中型', '通用设备制造', '中国工商银行北京朝阳支行', '0200001234567890123');
INSERT INTO department (id, name) VALUES (1, '铆焊车间'), (2, '机加工车间'), (3, '设备动力部');
INSERT INTO occupation (id, name, code) VALUES (1, '焊工', '6-18-02-04'), (2, '车工', '6-18-01-01'),
                                               (3, '电工', '6-31-01-03');
INSERT INTO occupation_shortage (id, occupation_id, year) VALUES (1, 1, 2025), (2, 1, 2026);
INSERT INTO worker (id, employee_no, name, name_initials, id_type, id_number, gender, birth_date, education,
                    department_id, post, occupation_id, is_frontline, is_team_leader, hire_date, leave_date,
                    monthly_wage, phone, status, notes)
VALUES
 (1, 'HB0001', '张三丰', 'zsf', '居民身份证', '{zhang}', '男', '1985-03-12', '技工学校', 1, '电焊工', 1, 1, 1,
  '2006-07-01', NULL, 865050, '13800000001', '在职', '2019 年省技能大赛二等奖'),
 (2, 'HB0002', '单丽华', 'slh', '居民身份证', '{shan}', '女', '1992-11-30', '高职（专科）', 2, '数控车工', 2, 1, 0,
  '2014-03-15', NULL, 723000, NULL, '在职', NULL),
 (3, 'HB0003', '曾国强', 'zgq', '居民身份证', '{zeng}', '男', '1970-01-05', '高中', 3, '维修电工', 3, 0, 0,
  '1990-09-01', '2025-01-05', 612345, NULL, '退休', '退休前返聘一年');
INSERT INTO certificate (id, worker_id, kind, occupation_id, level_rank, number, issuing_body, evaluation_route,
                         issue_date, expiry_date, review_date, revoked, revoked_on, revoke_reason, notes)
VALUES
 (1, 1, '职业资格证书', 1, 3, '1411000000300321', '北京市人力资源和社会保障局', '社会培训评价', '2012-06-30',
  NULL, NULL, 0, NULL, NULL, NULL),
 (2, 1, '职业技能等级证书', 1, 4, 'S000011000001244000123', '华北重型机械有限公司', '企业自主评价',
  '2021-12-20', NULL, NULL, 0, NULL, NULL, '企业自主评价首批'),
 (3, 2, '职业技能等级证书', 2, 2, 'S000011000001243000456', '北京市职业技能鉴定中心', '社会培训评价',
  '2020-05-18', NULL, NULL, 1, '2022-03-01', '证书编号录入错误，已重新发证', NULL),
 (4, 2, '职业技能等级证书', 2, 3, 'S000011000001243000789', '北京市职业技能鉴定中心', '社会培训评价',
  '2023-09-10', NULL, NULL, 0, NULL, NULL, NULL),
 (5, 3, '特种作业操作证', 3, NULL, 'T{zeng}', '北京市应急管理局', NULL, '2019-04-01',
  '2025-04-01', '2022-04-01', 0, NULL, NULL, '低压电工作业');
INSERT INTO certificate_scan (id, certificate_id, filename, media_type, content)
VALUES (1, 2, '张三丰技师证书.pdf', 'application/pdf', X'255044462D312E340A25E2E3CFD30A');
INSERT INTO honour (id, worker_id, title, level, year, awarding_body, reward_amount)
VALUES (1, 1, '首都劳动奖章', '省部级', 2022, '北京市总工会', 500000);
INSERT INTO labor_contract (id, worker_id, start_date, end_date)
VALUES (1, 1, '2006-07-01', '2016-06-30'), (2, 1, '2016-07-01', NULL), (3, 2, '2014-03-15', '2027-03-14'),
       (4, 3, '1990-09-01', '2025-01-05');
INSERT INTO competition_entry (id, worker_id, competition_name, level, category, organiser, held_on, occupation_id,
                               result, placing, prize_amount, promoted_certificate_id)
VALUES (1, 1, '北京市职业技能大赛焊工赛项', '省级', '一类', '北京市人力资源和社会保障局', '2019-10-18', 1, '二等奖',
        2, 300000, 2);
"""


def _ids() -> dict[str, str]:
    from datetime import date

    from tests.factories import make_id

    return {
        "zhang": make_id("110105", date(1985, 3, 12), 11),
        "shan": make_id("110108", date(1992, 11, 30), 22),
        "zeng": make_id("110105", date(1970, 1, 5), 1),
    }


def build(path: Path) -> Path:
    """Schema 0001 through Alembic, then the rows above; returns `path`."""
    from alembic import command
    from alembic.config import Config

    from app.models.db import MIGRATIONS_DIR

    path.parent.mkdir(parents=True, exist_ok=True)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", f"sqlite:///{path}")  # env.py opens it itself
    command.upgrade(config, FIRST_REVISION)
    conn = sqlite3.connect(path)
    try:
        conn.executescript("BEGIN;" + ROWS.format(**_ids()) + "COMMIT;")
    finally:
        conn.close()
    return path


def first_schema_columns(path: Path) -> dict[str, list[str]]:
    """Table -> its columns, read from a database at the first schema."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name != 'alembic_version' ORDER BY name")]
        return {table: [row[1] for row in conn.execute(f"PRAGMA table_info({table})")] for table in tables}
    finally:
        conn.close()


def snapshot(path: Path, columns: dict[str, list[str]]) -> dict[str, list[tuple]]:
    """Every row of the tables in `columns`, in those columns only: a later revision may add
    columns, but what the first schema held must come through unchanged."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {
            table: conn.execute(f"SELECT {', '.join(names)} FROM {table} ORDER BY {', '.join(names)}").fetchall()
            for table, names in columns.items()
        }
    finally:
        conn.close()


if __name__ == "__main__":
    print(build(Path(sys.argv[1])))
