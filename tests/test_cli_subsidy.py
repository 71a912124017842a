"""`skilldesk subsidy candidates|apply` (SPEC §8): JSON shape, exit codes, one transaction."""

from __future__ import annotations

import json
from datetime import date

from pypdf import PdfReader

from app.services import subsidies as s
from tests.test_cli import run
from tests.test_subsidies import certificate, person

PERIOD = ("--from", "2026-01-01", "--to", "2026-12-31")


def _register(engine) -> None:
    ok = person(engine, "张三")
    certificate(engine, ok, 3, date(2026, 3, 1), number="Y440000000000000300001")
    not_sent = person(engine, "李四")
    certificate(engine, not_sent, 4, date(2026, 4, 1), enrolment=False)


def test_candidates_json_is_the_spec_shape(capsys, engine, db_path):
    _register(engine)
    code, out, _ = run(capsys, "--db", db_path, "subsidy", "candidates", "--type", "技能提升培训补贴", *PERIOD, "--json")
    assert code == 0
    lines = json.loads(out)
    assert [(line["worker"], line["eligible"], line["amount"]) for line in lines] == [
        ("张三", True, "1300.00"), ("李四", False, "1800.00")]
    assert all(set(line) == {"worker", "id_number", "basis", "amount", "eligible", "conditions"} for line in lines)
    assert "********" in lines[0]["id_number"]
    failed = [c for c in lines[1]["conditions"] if not c["ok"]]
    assert failed == [{"rule": "企业选送", "ok": False, "reason": failed[0]["reason"]}]
    assert set(lines[1]["conditions"][0]) == {"rule", "ok", "reason"}


def test_candidates_as_text_explain_each_condition(capsys, engine, db_path):
    _register(engine)
    code, out, _ = run(capsys, "--db", db_path, "subsidy", "candidates", "--type", "技能提升培训补贴", *PERIOD)
    assert code == 0
    assert "候选 2 条，符合条件 1 条，合计 1300.00 元" in out
    assert "✗ 企业选送：" in out and "[符合] 张三" in out


def test_apply_generates_once_and_writes_the_pdf(capsys, engine, db_path, tmp_path):
    _register(engine)
    pdf = tmp_path / "申请表.pdf"
    code, out, _ = run(capsys, "--db", db_path, "subsidy", "apply", "--type", "技能提升培训补贴", *PERIOD, "--out", pdf)
    assert code == 0, out
    assert "1 人 1 条，合计 1300.00 元（壹仟叁佰元整）" in out
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "壹仟叁佰元整" in text and "张三" in text
    (row,) = s.list_applications(engine)
    assert row.status == s.GENERATED

    again = tmp_path / "again.pdf"
    code, _, err = run(capsys, "--db", db_path, "subsidy", "apply", "--type", "技能提升培训补贴", *PERIOD, "--out", again)
    assert code == 1 and "没有可申领" in err
    assert not again.exists() and len(s.list_applications(engine)) == 1


def test_apply_leaves_no_application_when_the_pdf_cannot_be_written(capsys, engine, db_path, tmp_path):
    _register(engine)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, _, err = run(capsys, "--db", db_path, "subsidy", "apply", "--type", "技能提升培训补贴", *PERIOD,
                       "--out", blocker / "out.pdf")
    assert code == 1 and err.startswith("错误：")
    assert s.list_applications(engine) == []
    assert s.find_candidates(engine, "技能提升培训补贴", date(2026, 1, 1), date(2026, 12, 31)).eligible


def test_usage_errors_and_unknown_types(capsys, engine, db_path, tmp_path):
    code, _, err = run(capsys, "--db", db_path, "subsidy", "apply", "--type", "技能竞赛奖励", *PERIOD, "--out", tmp_path / "x.txt")
    assert code == 2 and ".pdf" in err
    code, _, err = run(capsys, "--db", db_path, "subsidy", "candidates", "--type", "技能竞赛奖励", "--from", "2026-13-01", "--to", "2026-12-31")
    assert code == 2
    code, _, err = run(capsys, "--db", db_path, "subsidy", "candidates", "--type", "不存在", *PERIOD)
    assert code == 1 and "没有这种补贴类型" in err
    code, _, err = run(capsys, "--db", db_path, "subsidy", "candidates", "--type", "技能竞赛奖励", "--from", "2026-12-31", "--to", "2026-01-01")
    assert code == 1 and "截止日期" in err
