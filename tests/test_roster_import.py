"""Roster import (SPEC §9) on rosters made the way clerks make them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.errors import Refused
from app.models import Certificate, Department, LaborContract, Occupation, Worker
from app.reports.workers_xlsx import export_workers
from app.services.levels import level_history, level_on
from app.services.roster_import import import_roster
from tests.factories import make_id, write_roster

TODAY = date(2026, 11, 1)
ZHANG = make_id("110105", date(1985, 3, 12), 11)  # 男
LI = make_id("320102", date(1992, 7, 30), 22)  # 女
WANG = make_id("440305", date(1978, 12, 1), 33)
ZHAO = make_id("330106", date(1999, 2, 28), 44)

MESSY_HEADER = [
    "序号", "姓  名", "身份证号码", "性别", "文化程度", "部门/车间", "职业（工种）", "职业技能等级",
    "证书编号", "发证日期", "入职时间", "合同到期日", "月工资（元）", "手机号", "是否班组长", "备注",
]


def messy_rows():
    return [
        [1, "张  三", ZHANG, "男", "技校", "焊接车间", "电焊工", "三级/高级工",
         "Y000000000000003000001", datetime(2019, 6, 30), "2010/3/1", "无固定期限", 6500.5, 13800138000, "√", "老师傅"],
        [2, "李四", LI.lower() if LI.endswith("X") else LI, "女", "大专", "装配车间", "钳工", "国家职业资格二级",
         "3201000000400123", "2021年6月30日", "2015.7.1", "2027-06-30", "7200", "13900001111", "", ""],
        [3, "王五", WANG, "", "本科", "技术中心", "维修电工", "技师（二级）",
         None, "2018.05.20", datetime(2001, 8, 1), None, 9800, None, "否", ""],
        [4, "赵六", ZHAO, None, "高中", "焊接车间", "电焊工", None, None, None, "2020-09-01", None, 5000, None, "N", ""],
    ]


def test_messy_roster_imports(engine, tmp_path):
    path = write_roster(tmp_path / "花名册.xlsx", MESSY_HEADER, messy_rows())
    report = import_roster(engine, path, today=TODAY)
    assert report.ok, [str(p) for p in report.problems]
    assert report.header_row == 3
    assert report.new_workers == 4 and report.new_certificates == 3
    assert any("序号（A列）" in w and "备注（P列）" in w for w in report.warnings)
    with engine.connect() as conn:
        zhang = conn.execute(select(Worker).where(Worker.id_number == ZHANG)).one()
        assert zhang.name == "张三" and zhang.gender == "男" and zhang.birth_date == date(1985, 3, 12)
        assert zhang.education == "技工学校" and zhang.is_team_leader and zhang.phone == "13800138000"
        assert zhang.monthly_wage == Decimal("6500.50") and zhang.name_initials == "zs"
        assert zhang.hire_date == date(2010, 3, 1)
        assert conn.scalar(select(LaborContract.end_date).where(LaborContract.worker_id == zhang.id)) is None
        assert set(conn.scalars(select(Department.name))) == {"焊接车间", "装配车间", "技术中心"}
        assert conn.scalar(select(func.count()).select_from(Occupation)) == 3
        li = conn.execute(select(Worker).where(Worker.id_number == LI)).one()
        cert = conn.execute(select(Certificate).where(Certificate.worker_id == li.id)).one()
        assert cert.kind == "职业资格证书" and cert.level_rank == 4 and cert.issue_date == date(2021, 6, 30)
        assert conn.scalar(select(LaborContract.end_date).where(LaborContract.worker_id == li.id)) == date(2027, 6, 30)
        # No contract start column: the contract runs from the hire date.
        assert conn.scalar(select(LaborContract.start_date).where(LaborContract.worker_id == li.id)) == date(2015, 7, 1)
    from app.models.db import session_factory

    with session_factory(engine)() as session:
        assert level_on(session, zhang.id, date(2019, 6, 29)) is None
        assert level_on(session, zhang.id, date(2019, 6, 30)) == 3


def test_import_twice_changes_nothing(engine, tmp_path):
    path = write_roster(tmp_path / "r.xlsx", MESSY_HEADER, messy_rows())
    import_roster(engine, path, today=TODAY)
    with engine.connect() as conn:
        before = conn.execute(select(Worker.id, Worker.version, Worker.updated_at)).all()
    again = import_roster(engine, path, today=TODAY)
    assert again.ok and again.new_workers == 0 and again.updated_workers == 0
    assert again.unchanged_workers == 4 and again.new_certificates == 0 and again.existing_certificates == 3
    assert again.new_contracts == 0 and again.updated_contracts == 0
    with engine.connect() as conn:
        assert conn.execute(select(Worker.id, Worker.version, Worker.updated_at)).all() == before
        assert conn.scalar(select(func.count()).select_from(Certificate)) == 3


def test_bad_rows_write_nothing_and_name_every_problem(engine, tmp_path):
    header = ["姓名", "公民身份号码", "性别", "出生日期", "入职日期", "合同起始日", "合同终止日", "月工资", "技能等级", "发证日期", "是否一线职工"]
    bad_check = ZHANG[:17] + ("0" if ZHANG[17] != "0" else "1")
    rows = [
        ["好人", LI, "女", "1992-07-30", "2015-01-01", "2015-01-01", "2018-01-01", 5000, "中级工", "2016-01-01", "是"],
        ["校验错", bad_check, "", "", "", "", "", "", "", "", ""],
        ["十五位", "110105850312001", "", "", "", "", "", "", "", "", ""],
        ["性别错", WANG, "女", "", "2001-13-01", "2010-01-01", "2009-01-01", -5, "工程师", "", "也许"],
        ["", ZHAO, "", "", "", "", "", "12.345", "", "", ""],
        ["重复", LI, "", "", "", "", "", "", "", "", ""],
    ]
    path = write_roster(tmp_path / "bad.xlsx", header, rows)
    report = import_roster(engine, path, today=TODAY)
    assert not report.ok and not report.written
    found = {(p.row, p.column) for p in report.problems}
    assert {
        (5, "证件号码"), (6, "证件号码"), (7, "性别"), (7, "入职日期"), (7, "合同终止日"), (7, "月工资"),
        (7, "技能等级"), (7, "是否一线职工"), (8, "姓名"), (8, "月工资"), (9, "证件号码"),
    } <= found
    messages = "\n".join(str(p) for p in report.problems)
    assert "校验码" in messages and "15" in messages and "与第4行重复" in messages
    assert "第7行，月工资（H列）「-5」：金额不能为负数" in messages
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Worker)) == 0
        assert conn.scalar(select(func.count()).select_from(Department)) == 0


def test_id_number_stored_as_excel_number_is_explained(engine, tmp_path):
    path = write_roster(tmp_path / "n.xlsx", ["姓名", "身份证号"], [["张三", int(ZHANG[:17] + "0")]], text_columns=())
    report = import_roster(engine, path, today=TODAY)
    assert [p.column for p in report.problems] == ["证件号码"]
    assert "文本" in report.problems[0].reason


def test_on_duplicate_modes(engine, tmp_path):
    header = ["姓名", "身份证号", "月工资"]
    import_roster(engine, write_roster(tmp_path / "a.xlsx", header, [["张三", ZHANG, 5000]]), today=TODAY)
    changed = write_roster(tmp_path / "b.xlsx", header, [["张三", ZHANG, 5500], ["李四", LI, 4000]])
    refused = import_roster(engine, changed, on_duplicate="error", today=TODAY)
    assert [p.row for p in refused.problems] == [4] and not refused.written
    skipped = import_roster(engine, changed, on_duplicate="skip", today=TODAY)
    assert skipped.skipped_workers == 1 and skipped.new_workers == 1
    with engine.connect() as conn:
        assert conn.scalar(select(Worker.monthly_wage).where(Worker.id_number == ZHANG)) == Decimal("5000.00")
    updated = import_roster(engine, changed, on_duplicate="update", today=TODAY)
    assert updated.updated_workers == 1 and updated.unchanged_workers == 1
    with engine.connect() as conn:
        row = conn.execute(select(Worker.monthly_wage, Worker.version).where(Worker.id_number == ZHANG)).one()
        assert row == (Decimal("5500.00"), 2)


def test_dry_run_writes_nothing(engine, tmp_path):
    path = write_roster(tmp_path / "r.xlsx", MESSY_HEADER, messy_rows())
    report = import_roster(engine, path, dry_run=True, today=TODAY)
    assert report.ok and report.new_workers == 4 and not report.written
    assert "将新增职工 4 名" in report.summary()
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Worker)) == 0


def test_certificate_number_of_another_worker_is_refused(engine, tmp_path):
    header = ["姓名", "身份证号", "技能等级", "证书编号", "发证日期"]
    import_roster(engine, write_roster(tmp_path / "a.xlsx", header, [["张三", ZHANG, "高级工", "S1", "2020-01-01"]]), today=TODAY)
    report = import_roster(engine, write_roster(tmp_path / "b.xlsx", header, [["李四", LI, "高级工", "S1", "2020-01-01"]]), today=TODAY)
    assert [(p.column, p.value) for p in report.problems] == [("证书编号", "S1")]


def test_new_certificate_adds_history(engine, tmp_path, session):
    header = ["姓名", "身份证号", "技能等级", "证书编号", "发证日期"]
    import_roster(engine, write_roster(tmp_path / "a.xlsx", header, [["张三", ZHANG, "中级工", "A1", "2012-05-01"]]), today=TODAY)
    import_roster(engine, write_roster(tmp_path / "b.xlsx", header, [["张三", ZHANG, "高级工", "A2", "2016-05-01"]]), today=TODAY)
    worker_id = session.scalar(select(Worker.id))
    steps = level_history(session, worker_id)
    assert [(s.since, s.rank) for s in steps] == [(date(2012, 5, 1), 2), (date(2016, 5, 1), 3)]
    assert level_on(session, worker_id, date(2014, 1, 1)) == 2


def test_header_not_found_is_refused(engine, tmp_path):
    path = write_roster(tmp_path / "x.xlsx", ["名字", "号码"], [["张三", ZHANG]])
    with pytest.raises(Refused, match="表头"):
        import_roster(engine, path, today=TODAY)


def test_xls_roster(engine, tmp_path):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("Sheet1")
    sheet.write(0, 0, "职工花名册")
    for col, head in enumerate(["姓名", "身份证号", "入职日期"]):
        sheet.write(2, col, head)
    sheet.write(3, 0, "张三")
    sheet.write(3, 1, ZHANG)
    sheet.write(3, 2, "2020.6.30")
    path = tmp_path / "old.xls"
    book.save(str(path))
    report = import_roster(engine, path, today=TODAY)
    assert report.ok and report.new_workers == 1 and report.header_row == 3


def test_export_reimports_unchanged_and_formula_text_stays_text(engine, tmp_path):
    rows = messy_rows()
    rows[0][15] = ""
    header = MESSY_HEADER[:-1] + ["岗位"]
    rows[0][-1], rows[1][-1] = "=SUM(A1:A9)", "-装配"
    import_roster(engine, write_roster(tmp_path / "r.xlsx", header, rows), today=TODAY)
    out = tmp_path / "export.xlsx"
    assert export_workers(engine, out, today=TODAY) == 4
    sheet = load_workbook(out).active
    headers = [c.value for c in sheet[1]]
    assert headers[:4] == ["工号", "姓名", "证件类型", "证件号码"]
    posts = [row[headers.index("岗位")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "=SUM(A1:A9)" in posts and "-装配" in posts
    formula_cell = next(c for c in sheet[f"{chr(65 + headers.index('岗位'))}"] if c.value == "=SUM(A1:A9)")
    assert formula_cell.data_type == "s"
    again = import_roster(engine, out, today=TODAY)
    assert again.ok, [str(p) for p in again.problems]
    assert (again.new_workers, again.updated_workers, again.new_certificates, again.new_contracts) == (0, 0, 0, 0)
    assert again.unchanged_workers == 4


def test_export_masks_ids(engine, tmp_path):
    import_roster(engine, write_roster(tmp_path / "r.xlsx", MESSY_HEADER, messy_rows()), today=TODAY)
    out = tmp_path / "masked.xlsx"
    export_workers(engine, out, mask_ids=True, today=TODAY)
    ids = [row[3] for row in load_workbook(out).active.iter_rows(min_row=2, values_only=True)]
    assert f"{ZHANG[:6]}********{ZHANG[-4:]}" in ids
    assert ZHANG not in ids


def test_contract_start_falls_back_to_hire_date_or_is_left_out_with_a_warning(engine, tmp_path):
    header = ["姓名", "身份证号", "入职日期", "合同起始日", "合同终止日"]
    rows = [
        ["张三", ZHANG, "2015-03-01", "", "无固定期限"],  # start blank: the hire date
        ["李四", LI, "", "", "2028-12-31"],  # neither: the worker comes in, the contract does not
        ["王五", WANG, "2016-01-01", "", ""],  # no contract information at all
        ["赵六", ZHAO, "2020-09-01", "2026-12-01", "2029-11-30"],  # a renewal signed ahead
    ]
    report = import_roster(engine, write_roster(tmp_path / "c.xlsx", header, rows), today=TODAY)
    assert report.ok, [str(p) for p in report.problems]
    assert report.new_workers == 4 and report.new_contracts == 2
    assert any("第5行" in w and "劳动合同未导入" in w for w in report.warnings)
    with engine.connect() as conn:
        contracts = dict(
            conn.execute(select(Worker.name, LaborContract.start_date).join(LaborContract, LaborContract.worker_id == Worker.id)).all()
        )
    assert contracts == {"张三": date(2015, 3, 1), "赵六": date(2026, 12, 1)}


def test_masked_export_is_refused_with_a_plain_reason(engine, tmp_path):
    masked = f"{ZHANG[:6]}********{ZHANG[-4:]}"
    report = import_roster(engine, write_roster(tmp_path / "m.xlsx", ["姓名", "证件号码"], [["张三", masked]]), today=TODAY)
    assert [p.column for p in report.problems] == ["证件号码"]
    assert "已打码" in report.problems[0].reason
