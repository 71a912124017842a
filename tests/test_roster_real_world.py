"""Rosters as clerks really make them: footers, notes in headers, two header rows,
placeholders, cover sheets, files that only look like Excel (review findings B1–B9)."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.errors import Refused
from app.models import Certificate, Department, LaborContract, Worker
from app.services.roster_import import import_roster
from tests.factories import make_id, write_roster

TODAY = date(2026, 11, 1)
A = make_id("110105", date(1985, 3, 12), 11)
B = make_id("320102", date(1992, 7, 30), 22)
C = make_id("440305", date(1978, 12, 1), 33)


def count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(model))


def test_footer_rows_are_skipped_with_one_warning(engine, tmp_path):
    rows = [["张三", A, 5000], ["李四", B, 6000], ["合计", "", 11000], ["以下空白"], ["注：本表由人事科填写"],
            ["单位（盖章）：", "", "2026年10月31日"]]
    report = import_roster(engine, write_roster(tmp_path / "f.xlsx", ["姓名", "身份证号码", "月工资"], rows), today=TODAY)
    assert report.ok, [str(p) for p in report.problems]
    assert report.new_workers == 2
    assert any("第6–9行" in w and "不是职工数据" in w for w in report.warnings)


def test_a_person_without_id_in_the_middle_is_still_an_error(engine, tmp_path):
    rows = [["张三", A], ["王五", ""], ["李四", B]]
    report = import_roster(engine, write_roster(tmp_path / "m.xlsx", ["姓名", "身份证号码"], rows), today=TODAY)
    assert [(p.row, p.column) for p in report.problems] == [(5, "证件号码")]


def test_headers_with_notes_in_brackets(engine, tmp_path):
    header = ["姓名", "身份证号码（18位）", "性别(男/女)", "月工资(元/月)", "是否班组长(是/否)", "入职日期(年月日)", "车间（部门）"]
    rows = [["张三", A, "男", 5000, "是", "2020-01-01", "焊接车间"]]
    report = import_roster(engine, write_roster(tmp_path / "h.xlsx", header, rows), today=TODAY)
    assert report.ok and report.ignored_columns == []
    with engine.connect() as conn:
        worker = conn.execute(select(Worker)).one()
    assert worker.is_team_leader and worker.monthly_wage == 5000 and worker.hire_date == date(2020, 1, 1)


def test_two_headers_for_one_field_keep_the_exact_one(engine, tmp_path):
    header = ["姓名", "身份证号码", "车间", "部门", "手机号码", "联系电话"]
    rows = [["张三", A, "一车间", "生产部", "13900000000", "0571-88888888"]]
    report = import_roster(engine, write_roster(tmp_path / "d.xlsx", header, rows), today=TODAY)
    assert report.ok
    assert any("「车间」（C列）与「部门」（D列）都表示部门" in w for w in report.warnings)
    with engine.connect() as conn:
        assert conn.scalar(select(Department.name)) == "生产部"
        assert conn.scalar(select(Worker.phone)) == "0571-88888888"


def test_flags_typed_as_numbers(engine, tmp_path):
    rows = [["张三", A, 1, 0], ["李四", B, 0, 1]]
    report = import_roster(engine, write_roster(tmp_path / "n.xlsx", ["姓名", "身份证号码", "是否一线职工", "是否班组长"], rows), today=TODAY)
    assert report.ok, [str(p) for p in report.problems]
    with engine.connect() as conn:
        assert conn.execute(select(Worker.name, Worker.is_frontline, Worker.is_team_leader).order_by(Worker.id)).all() == [
            ("张三", True, False), ("李四", False, True)]


def test_placeholders_count_as_blank(engine, tmp_path):
    header = ["姓名", "身份证号码", "技能等级", "证书编号", "发证日期", "学历", "联系电话", "月工资"]
    rows = [["张三", A, "无", "无", "/", "-", "/", "—"], ["李四", B, "暂无", "无", "", "无", "无", ""]]
    report = import_roster(engine, write_roster(tmp_path / "p.xlsx", header, rows), today=TODAY)
    assert report.ok, [str(p) for p in report.problems]
    assert count(engine, Certificate) == 0
    with engine.connect() as conn:
        assert conn.execute(select(Worker.phone, Worker.education, Worker.monthly_wage)).all() == [(None, None, None)] * 2


@pytest.mark.parametrize("title", ["高级工程师", "中级职称", "助理技师", "初级职称", "技术员"])
def test_professional_titles_are_not_skill_levels(engine, tmp_path, title):
    rows = [["张三", A, title, "2020-01-01"]]
    report = import_roster(engine, write_roster(tmp_path / "t.xlsx", ["姓名", "身份证号码", "技能等级", "发证日期"], rows), today=TODAY)
    assert [p.column for p in report.problems] == ["技能等级"]
    assert count(engine, Certificate) == 0


def test_skipped_rows_create_no_departments(engine, tmp_path):
    header = ["姓名", "身份证号码", "部门"]
    import_roster(engine, write_roster(tmp_path / "a.xlsx", header, [["张三", A, "一车间"]]), today=TODAY)
    report = import_roster(
        engine, write_roster(tmp_path / "b.xlsx", header, [["张三", A, "新部门X"]]), on_duplicate="skip", today=TODAY
    )
    assert report.skipped_workers == 1 and report.new_departments == []
    assert count(engine, Department) == 1


def test_renamed_xlsx_is_read_and_html_or_text_is_explained(engine, tmp_path):
    real = write_roster(tmp_path / "r.xlsx", ["姓名", "身份证号码"], [["张三", A]])
    renamed = tmp_path / "花名册.xls"
    renamed.write_bytes(real.read_bytes())
    assert import_roster(engine, renamed, today=TODAY).new_workers == 1
    html = tmp_path / "系统导出.xls"
    html.write_text("<html><table><tr><td>姓名</td></tr></table></html>", encoding="utf-8")
    with pytest.raises(Refused, match="网页（HTML）格式"):
        import_roster(engine, html, today=TODAY)
    csv = tmp_path / "名单.xlsx"
    csv.write_text("姓名,身份证号码\n张三,110105\n", encoding="utf-8")
    with pytest.raises(Refused, match="不是 Excel 文件"):
        import_roster(engine, csv, today=TODAY)
    with pytest.raises(Refused, match="不是文件"):
        import_roster(engine, tmp_path, today=TODAY)


def test_duplicate_problems_name_the_column(engine, tmp_path):
    report = import_roster(engine, write_roster(tmp_path / "d.xlsx", ["序号", "姓名", "身份证号码"], [[1, "张三", A], [2, "张三", A]]), today=TODAY)
    assert [str(p) for p in report.problems] == [f"第5行，证件号码（C列）「{A}」：与第4行重复"]


@pytest.mark.parametrize(
    "typed,stored",
    [("本科学历", "本科"), ("全日制本科", "本科"), ("大专（函授）", "大专"), ("本科（自考）", "本科"),
     ("研究生学历", "硕士研究生"), ("高职高专", "高职（专科）"), ("职中", "高中"), ("大专及以上", "大专")],
)
def test_education_spellings(engine, tmp_path, typed, stored):
    report = import_roster(engine, write_roster(tmp_path / "e.xlsx", ["姓名", "身份证号码", "学历"], [["张三", A, typed]]), today=TODAY)
    assert report.ok, [str(p) for p in report.problems]
    with engine.connect() as conn:
        assert conn.scalar(select(Worker.education)) == stored


def test_dates_as_month_or_with_hao_or_as_a_bare_year(engine, tmp_path):
    header = ["姓名", "身份证号码", "入职日期", "合同起始日"]
    rows = [["张三", A, "2010.06", "2021年06月30号"], ["李四", B, "2015年7月", None]]
    report = import_roster(engine, write_roster(tmp_path / "m.xlsx", header, rows), today=TODAY)
    assert report.ok, [str(p) for p in report.problems]
    assert any("2 个日期只写了年月" in w for w in report.warnings)
    with engine.connect() as conn:
        assert conn.execute(select(Worker.hire_date).order_by(Worker.id)).scalars().all() == [date(2010, 6, 1), date(2015, 7, 1)]
        assert conn.scalar(select(LaborContract.start_date)) == date(2021, 6, 30)
    bad = import_roster(engine, write_roster(tmp_path / "y.xlsx", header, [["王五", C, 2015, 2015.1]]), today=TODAY)
    reasons = {p.column: p.reason for p in bad.problems}
    assert "只有年份" in reasons["入职日期"] and "无法确定月份" in reasons["合同起始日"]


def test_apostrophe_before_an_id_number(engine, tmp_path):
    report = import_roster(engine, write_roster(tmp_path / "q.xlsx", ["姓名", "身份证号码"], [["张三", "'" + A]]), today=TODAY)
    assert report.ok and report.new_workers == 1


def test_certificate_gets_its_number_later_without_a_second_copy(engine, tmp_path):
    header = ["姓名", "身份证号码", "技能等级", "证书编号", "发证日期"]
    import_roster(engine, write_roster(tmp_path / "a.xlsx", header, [["张三", A, "高级工", "", "2019-06-30"]]), today=TODAY)
    report = import_roster(engine, write_roster(tmp_path / "b.xlsx", header, [["张三", A, "高级工", "Y123", "2019-06-30"]]), today=TODAY)
    assert report.new_certificates == 0 and report.existing_certificates == 1
    with engine.connect() as conn:
        assert conn.execute(select(Certificate.number)).scalars().all() == ["Y123"]


def test_roster_behind_a_cover_and_a_hidden_sheet(engine, tmp_path):
    book = Workbook()
    lists = book.active
    lists.title = "下拉选项"
    lists.append(["男", "女"])
    lists.sheet_state = "hidden"
    cover = book.create_sheet("填表说明")
    cover.append(["请按要求填写花名册"])
    roster = book.create_sheet("花名册")
    roster.append(["姓名", "身份证号码"])
    roster.append(["张三", A])
    path = tmp_path / "cover.xlsx"
    book.save(path)
    report = import_roster(engine, path, today=TODAY)
    assert report.ok and report.new_workers == 1 and report.sheet == "花名册"
    assert any("已读取工作表「花名册」" in w for w in report.warnings)


def test_two_header_rows_under_a_group_header(engine, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["某公司职工花名册"])
    sheet.append(["序号", "姓名", "身份证号码", "劳动合同期限", None, "技能等级"])
    sheet.append([None, None, None, "起始日", "终止日", None])
    sheet.merge_cells("D2:E2")
    sheet.append([1, "张三", A, "2020-01-01", "2025-12-31", "高级工"])
    sheet.append([2, "李四", B, "2021-03-01", "无固定期限", None])
    path = tmp_path / "two.xlsx"
    book.save(path)
    report = import_roster(engine, path, today=TODAY)
    assert report.ok, [str(p) for p in report.problems]
    assert report.header_row == 3 and report.new_contracts == 2
    assert report.ignored_columns == ["序号（A列）"]
    with engine.connect() as conn:
        assert conn.execute(select(LaborContract.start_date, LaborContract.end_date).order_by(LaborContract.id)).all() == [
            (date(2020, 1, 1), date(2025, 12, 31)), (date(2021, 3, 1), None)]


def test_template_rows_holding_only_a_number_give_one_warning(engine, tmp_path):
    rows = [[1, "张三", A]] + [[n, None, None] for n in range(2, 300)]
    report = import_roster(engine, write_roster(tmp_path / "t.xlsx", ["序号", "姓名", "身份证号码"], rows), today=TODAY)
    assert report.ok and report.new_workers == 1
    assert len([w for w in report.warnings if "不是职工数据" in w]) == 1


def test_department_merged_down_over_several_workers(engine, tmp_path):
    path = write_roster(tmp_path / "merged.xlsx", ["姓名", "身份证号码", "部门"], [["张三", A, "焊接车间"], ["李四", B, None], ["王五", C, "装配车间"]])
    from openpyxl import load_workbook

    book = load_workbook(path)
    book.active.merge_cells("C4:C5")
    book.save(path)
    report = import_roster(engine, path, today=TODAY)
    assert report.ok
    with engine.connect() as conn:
        rows = conn.execute(select(Worker.name, Department.name).join(Department, Department.id == Worker.department_id).order_by(Worker.id)).all()
    assert rows == [("张三", "焊接车间"), ("李四", "焊接车间"), ("王五", "装配车间")]
