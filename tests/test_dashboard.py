"""The 工作台 figures and to-do lists over a small register built by hand."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from app.models import Certificate, LaborContract, TrainingEnrolment, TrainingProgramme, Worker
from app.services import dashboard as dashboard_module
from app.services.agreements import save_agreement, settle_agreement
from app.services.apprenticeships import add_assessment, assessments_overdue, due_soon, end_pairing, save_pairing
from app.services.dashboard import (
    EXPIRY,
    REVIEW,
    TODO_CONTRACT,
    TODO_DEPARTURE,
    TODO_ASSESSMENT,
    TODO_LICENCE,
    TODO_PAIRING_DUE,
    TODO_TRAINING,
    _licence_event,
    dashboard,
)
from app.services.levels import (
    KIND_QUALIFICATION,
    KIND_SAFETY_LICENCE,
    KIND_SKILL_LEVEL,
    KIND_SPECIAL_ABILITY,
    LEVEL_NAMES,
)
from app.services.policy import set_policy_value
from app.services.vocab import STATUS_ACTIVE, STATUS_LEFT
from tests.factories import add_worker, make_id

AS_OF = date(2026, 6, 15)


def days(n: int) -> date:
    return AS_OF + timedelta(days=n)


def build_register(session) -> dict[str, int]:
    """Nine workers covering every case the dashboard distinguishes; returns name → id."""
    seq = iter(range(1, 100, 2))

    def worker(name, *, status=STATUS_ACTIVE, hire=date(2015, 3, 1), leave=None):
        w = Worker(name=name, id_type="居民身份证", id_number=make_id(seq=next(seq)), status=status,
                   hire_date=hire, leave_date=leave)
        session.add(w)
        return w

    def level(w, kind, rank, issued, revoked=False):
        w.certificates.append(Certificate(kind=kind, level_rank=rank, issue_date=issued, revoked=revoked))

    def licence(w, expiry, review=None, revoked=False, notes=None):
        w.certificates.append(Certificate(
            kind=KIND_SAFETY_LICENCE, issue_date=date(2021, 1, 1), expiry_date=expiry, review_date=review,
            revoked=revoked, notes=notes,
        ))

    def contract(w, start, end):
        w.contracts.append(LaborContract(start_date=start, end_date=end))

    zhang = worker("张三")  # 高级工 now; the 技师 certificate is dated after AS_OF
    level(zhang, KIND_QUALIFICATION, 3, date(2019, 5, 1))
    level(zhang, KIND_SKILL_LEVEL, 4, days(16))
    licence(zhang, expiry=days(400), review=days(5), notes="作业类别：低压电工作业")
    contract(zhang, date(2023, 6, 26), days(10))

    li = worker("李四")  # 中级工: the 高级技师 certificate was revoked
    level(li, KIND_SKILL_LEVEL, 5, date(2024, 1, 1), revoked=True)
    level(li, KIND_SKILL_LEVEL, 2, date(2018, 1, 1))
    licence(li, expiry=days(5), revoked=True)
    contract(li, date(2024, 8, 14), days(60))

    wang = worker("王五")  # no level; licence expires today; renewed into an open-ended contract
    licence(wang, expiry=AS_OF)
    contract(wang, date(2021, 6, 21), days(5))
    contract(wang, days(6), None)

    zhao = worker("赵六")  # 首席技师; one licence due in 40 days, another's review overdue
    level(zhao, KIND_SKILL_LEVEL, 7, date(2023, 9, 1))
    licence(zhao, expiry=days(40))
    licence(zhao, expiry=days(1000), review=days(-10))
    contract(zhao, date(2010, 1, 1), None)

    qian = worker("钱七", status=STATUS_LEFT, leave=date(2025, 12, 31))  # left: counts nowhere
    level(qian, KIND_SKILL_LEVEL, 4, date(2020, 1, 1))
    licence(qian, expiry=days(5))
    contract(qian, date(2023, 1, 1), days(10))

    sun = worker("孙八", leave=AS_OF)  # leaves today, status not yet updated: no longer 在职
    level(sun, KIND_SKILL_LEVEL, 3, date(2020, 1, 1))
    licence(sun, expiry=days(3))

    zhou = worker("周九", hire=days(16))  # joins after AS_OF
    level(zhou, KIND_SKILL_LEVEL, 2, date(2020, 1, 1))
    contract(zhou, days(16), days(20))

    wu = worker("吴十")  # 初级工 from a roster without issue date; contract renewed in time
    level(wu, KIND_QUALIFICATION, 1, None)
    licence(wu, expiry=days(20), review=days(20))
    contract(wu, date(2023, 6, 26), days(10))
    contract(wu, days(11), date(2029, 6, 25))

    zheng = worker("郑一", hire=None)  # no hire date; only a certificate without level
    zheng.certificates.append(Certificate(kind=KIND_SPECIAL_ABILITY, issue_date=date(2022, 1, 1)))
    zheng.certificates.append(Certificate(kind=KIND_SKILL_LEVEL, issue_date=date(2022, 1, 1)))  # rank missing
    licence(zheng, expiry=days(-3))

    session.commit()
    return {w.name: w.id for w in (zhang, li, wang, zhao, qian, sun, zhou, wu, zheng)}


@pytest.fixture
def ids(session):
    return build_register(session)


def test_figures_count_workers_in_post_on_the_date(engine, ids):
    board = dashboard(engine, AS_OF)
    assert board.as_of == AS_OF
    assert board.active_workers == 6  # 张三 李四 王五 赵六 吴十 郑一
    assert board.level_counts == {
        "初级工": 1, "中级工": 1, "高级工": 1, "技师": 0, "高级技师": 0, "特级技师": 0, "首席技师": 1,
    }
    assert list(board.level_counts) == list(LEVEL_NAMES[1:])
    assert board.skilled == 4
    assert board.no_level == 2  # 王五, 郑一
    assert board.high_skilled == 2  # 张三, 赵六
    assert board.high_skilled_share == Decimal("0.5000")


def test_a_later_date_sees_the_later_certificate_and_joiner(engine, ids):
    board = dashboard(engine, days(16))
    # 张三 is 技师 now; 周九 has joined (中级工); 孙八 is still gone.
    assert board.level_counts["技师"] == 1 and board.level_counts["高级工"] == 0
    assert board.level_counts["中级工"] == 2
    assert board.active_workers == 7
    assert board.high_skilled_share == Decimal("0.4000")


def test_licences_due_overdue_first_then_by_date(engine, ids):
    board = dashboard(engine, AS_OF)
    rows = [(item.worker_name, item.due, item.days_left) for item in board.licences_due]
    assert rows == [
        ("赵六", days(-10), -10),  # review overdue, licence itself still valid
        ("郑一", days(-3), -3),  # expired
        ("王五", AS_OF, 0),
        ("张三", days(5), 5),
        ("吴十", days(20), 20),
    ]
    assert {item.kind for item in board.licences_due} == {TODO_LICENCE}
    texts = {item.worker_name: item.text for item in board.licences_due}
    assert texts == {
        "赵六": "特种作业操作证复审已逾期 10 天",
        "郑一": "特种作业操作证已过期 3 天",
        "王五": "特种作业操作证今天到期",
        "张三": "特种作业操作证（低压电工作业）还有 5 天复审",
        "吴十": "特种作业操作证还有 20 天到期",  # review on the expiry date is the renewal
    }
    assert board.licences_due[3].worker_id == ids["张三"]


def test_contracts_ending_look_at_the_latest_contract_only(engine, ids):
    board = dashboard(engine, AS_OF)
    assert [(item.kind, item.worker_id, item.worker_name, item.due, item.days_left, item.text)
            for item in board.contracts_ending] == [
        (TODO_CONTRACT, ids["张三"], "张三", days(10), 10, "劳动合同还有 10 天到期"),
    ]


def add_training(session, worker_id: int, completed_on: date | None, *, result: str | None = "合格") -> None:
    programme = TrainingProgramme(name=f"培训{completed_on}", form="企业自办", start_date=date(2025, 1, 1), hours=8,
                                  funding_source="职工教育经费")
    session.add(programme)
    session.flush()
    session.add(TrainingEnrolment(programme_id=programme.id, worker_id=worker_id, enrolled_on=date(2025, 1, 1),
                                  result=result, completed_on=completed_on))
    session.commit()


def test_high_skilled_without_training_this_year(engine, session, ids):
    board = dashboard(engine, AS_OF)
    # 张三 (高级工) and 赵六 (首席技师); 孙八 and 钱七 have left
    assert board.high_skilled_untrained == 2
    assert [(i.kind, i.worker_id, i.worker_name, i.text, i.due) for i in board.untrained_listed] == [
        (TODO_TRAINING, ids["张三"], "张三", "本年尚无完成的培训", date(2026, 12, 31)),
        (TODO_TRAINING, ids["赵六"], "赵六", "本年尚无完成的培训", date(2026, 12, 31)),
    ]
    add_training(session, ids["张三"], date(2026, 3, 1))
    add_training(session, ids["赵六"], date(2025, 12, 31))  # last year's does not count
    add_training(session, ids["赵六"], None, result=None)  # still in class: not completed
    add_training(session, ids["李四"], None, result=None)
    board = dashboard(engine, AS_OF)
    assert board.high_skilled_untrained == 1
    assert [i.worker_name for i in board.untrained_listed] == ["赵六"]

    set_policy_value(engine, "training.high_skilled_min_per_year", "2", date(2026, 1, 1))
    board = dashboard(engine, AS_OF)
    assert board.min_trainings_per_year == 2
    assert board.high_skilled_untrained == 2
    assert board.untrained_listed[0].text == "本年完成培训不足 2 次"


def test_the_count_agrees_with_the_compliance_report(engine, session, ids):
    from app.services.compliance import compliance_report

    add_training(session, ids["张三"], date(2026, 3, 1))
    report = compliance_report(engine, 2026, as_of=AS_OF)
    board = dashboard(engine, AS_OF)
    assert board.high_skilled_untrained == len(report.high_skilled_untrained) == 1
    assert [i.worker_id for i in board.untrained_listed] == [r.worker_id for r in report.high_skilled_untrained]


def test_only_the_first_names_are_listed_but_all_are_counted(engine, ids, monkeypatch):
    monkeypatch.setattr(dashboard_module, "UNTRAINED_LISTED", 1)
    board = dashboard(engine, AS_OF)
    assert board.high_skilled_untrained == 2
    assert [i.worker_name for i in board.untrained_listed] == ["张三"]


def test_departures_with_an_open_agreement_and_the_repayment_due(engine, ids):
    def agreement(worker, number):
        return save_agreement(engine, {
            "worker_id": ids[worker], "agreement_no": number, "cost": "3650", "service_start": date(2025, 1, 1),
            "service_end": date(2026, 12, 31),
        })

    agreement("钱七", "FW-1")  # left on 2025-12-31: half of the period served
    agreement("张三", "FW-2")  # still in post: nothing to settle
    settle_agreement(engine, agreement("孙八", "FW-3"), settled_on=AS_OF, repayment="500")
    board = dashboard(engine, AS_OF)
    assert [(i.kind, i.worker_id, i.worker_name, i.text, i.due, i.days_left) for i in board.departures_open] == [
        (TODO_DEPARTURE, ids["钱七"], "钱七", "应退 1,825.00 元，培训服务期协议未结清（协议 FW-1）", date(2025, 12, 31), -166),
    ]
    assert board.has_todo


def pairing(engine, master, apprentice, start, **changes):
    values = {"master_id": master, "apprentice_id": apprentice, "kind": "企业师带徒", "start_date": start}
    values.update(changes)
    return save_pairing(engine, values)


@pytest.fixture
def pairings(engine):
    """Two masters and five apprentices: pairings ending soon, later, ended; assessments
    overdue, just assessed, and one never assessed."""
    wang = add_worker(engine, "王师傅", rank=4, employee_no="M1")
    liu = add_worker(engine, "刘师傅", rank=3, employee_no="M2")
    names = ("甲徒弟", "乙徒弟", "丙徒弟", "丁徒弟", "戊徒弟")
    a, b, c, d, e = (add_worker(engine, name, employee_no=f"A{i}") for i, name in enumerate(names, 1))
    ids = {"王师傅": wang, "刘师傅": liu, "甲徒弟": a, "乙徒弟": b, "丙徒弟": c, "丁徒弟": d, "戊徒弟": e}
    # ends in 12 days; assessed a month ago: not overdue
    ending = pairing(engine, wang, a, date(2025, 6, 27), planned_end=days(12))
    add_assessment(engine, ending, {"assessed_on": days(-31)}, today=AS_OF)
    # ends today, never assessed since 2026-01-10: due 2026-04-10, overdue 66 days
    pairing(engine, wang, b, date(2026, 1, 10), planned_end=AS_OF)
    # ends in 31 days: not yet; last assessed 2026-02-28, due 2026-05-28 (18 days overdue)
    later = pairing(engine, liu, c, date(2025, 9, 1), kind="企业新型学徒制", partner="市技师学院",
                    planned_end=days(31) + timedelta(days=365))
    add_assessment(engine, later, {"assessed_on": date(2026, 2, 28)}, today=AS_OF)
    # ended: neither ending soon nor overdue, whatever its dates
    ended = pairing(engine, liu, d, date(2025, 1, 1), planned_end=days(3))
    end_pairing(engine, ended, status="终止", on=date(2025, 6, 30), reason="徒弟调岗")
    # started 2026-03-15: next assessment due today, so not yet overdue
    pairing(engine, liu, e, date(2026, 3, 15))
    return ids


def test_pairings_ending_within_thirty_days(engine, pairings):
    board = dashboard(engine, AS_OF)
    assert [(i.kind, i.worker_id, i.worker_name, i.text, i.due, i.days_left) for i in board.pairings_ending] == [
        (TODO_PAIRING_DUE, pairings["乙徒弟"], "乙徒弟", "师傅 王师傅，企业师带徒今天到期", AS_OF, 0),
        (TODO_PAIRING_DUE, pairings["甲徒弟"], "甲徒弟", "师傅 王师傅，企业师带徒还有 12 天到期", days(12), 12),
    ]
    # the same pairings as the 师徒 page's list
    assert {r.apprentice_id for r in due_soon(engine, today=AS_OF)} == {i.worker_id for i in board.pairings_ending}
    assert board.has_todo


def test_assessments_overdue_for_the_apprentice(engine, pairings):
    board = dashboard(engine, AS_OF)
    assert [(i.kind, i.worker_id, i.worker_name, i.text, i.due, i.days_left)
            for i in board.assessments_overdue] == [
        (TODO_ASSESSMENT, pairings["乙徒弟"], "乙徒弟", "师傅 王师傅，考核已逾期 66 天（结对 2026-01-10 以来未考核）",
         date(2026, 4, 10), -66),
        (TODO_ASSESSMENT, pairings["丙徒弟"], "丙徒弟", "师傅 刘师傅，考核已逾期 18 天（上次考核 2026-02-28）",
         date(2026, 5, 28), -18),
    ]
    assert {r.apprentice_id for r in assessments_overdue(engine, today=AS_OF)} == {
        i.worker_id for i in board.assessments_overdue}
    # a day later the one started on 2026-03-15 is overdue too
    later = dashboard(engine, days(1))
    assert [i.worker_name for i in later.assessments_overdue] == ["乙徒弟", "丙徒弟", "戊徒弟"]


def test_the_assessment_interval_follows_the_policy(engine, pairings):
    set_policy_value(engine, "apprenticeship.assessment_months", "6", date(2020, 1, 1))
    assert dashboard(engine, AS_OF).assessments_overdue == []
    assert assessments_overdue(engine, today=AS_OF) == []


def test_the_pairing_sections_take_one_query_each(engine, pairings, monkeypatch):
    from sqlalchemy import event

    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        dashboard(engine, AS_OF)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    pairing_reads = [s for s in statements if "FROM apprenticeship" in s]
    assert len(pairing_reads) == 2


def test_empty_register(engine):
    board = dashboard(engine, AS_OF)
    assert board.active_workers == board.skilled == board.high_skilled == board.no_level == 0
    assert set(board.level_counts.values()) == {0} and len(board.level_counts) == 7
    assert board.high_skilled_share is None
    assert board.licences_due == [] and board.contracts_ending == [] and not board.has_todo
    assert board.high_skilled_untrained == 0 and board.untrained_listed == [] and board.departures_open == []
    assert board.pairings_ending == [] and board.assessments_overdue == []


def test_as_of_defaults_to_today(engine):
    assert dashboard(engine).as_of == date.today()


@pytest.mark.parametrize(
    ("expiry", "review", "expected"),
    [
        (days(-1), days(-400), (EXPIRY, days(-1))),  # expired: the old review no longer matters
        (days(500), days(-2), (REVIEW, days(-2))),
        (days(25), days(3), (REVIEW, days(3))),  # both in the window: the earlier first
        (days(25), days(25), (EXPIRY, days(25))),
        (days(25), days(40), (EXPIRY, days(25))),  # a review after expiry is moot
        (days(31), None, None),
        (days(30), None, (EXPIRY, days(30))),
        (None, days(30), (REVIEW, days(30))),
        (None, None, None),
    ],
)
def test_which_licence_date_is_reported(expiry, review, expected):
    assert _licence_event(AS_OF, days(30), expiry, review) == expected


def test_service_does_not_import_qt():
    code = "import sys, app.services.dashboard; print(any(m.startswith('PySide6') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[1])
    assert result.stdout.strip() == "False"
