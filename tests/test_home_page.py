"""The 工作台 page offscreen, over the hand-built register of test_dashboard."""

from __future__ import annotations

import sys
from datetime import date, timedelta

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCharts import QChart  # noqa: E402
from PySide6.QtCore import QModelIndex, Qt  # noqa: E402
from PySide6.QtGui import QFontDatabase  # noqa: E402

from app.services.levels import LEVEL_NAMES  # noqa: E402
from app.ui.home_page import WORKER_ID_ROLE, HomePage, cjk_font  # noqa: E402
from tests.test_dashboard import AS_OF, build_register, pairings  # noqa: E402,F401


def make_page(qtbot, engine) -> HomePage:
    page = HomePage(engine)
    page.as_of = AS_OF
    qtbot.addWidget(page)
    page.resize(1150, 700)
    page.show()  # showing the page reads the dashboard
    qtbot.waitExposed(page)
    return page


@pytest.fixture
def ids(session):
    return build_register(session)


@pytest.fixture
def page(qtbot, engine, ids):
    return make_page(qtbot, engine)


def rows(page) -> list[tuple[int, str, str | None, int | None]]:
    """(depth, name or section, what, worker id) of every row of the model, top to bottom."""
    model = page.todo_model
    found = []

    def walk(parent, depth):
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            found.append((depth, index.data(), index.siblingAtColumn(1).data(), index.data(WORKER_ID_ROLE)))
            walk(index, depth + 1)

    walk(QModelIndex(), 0)
    return found


def current_worker(page):
    return page.todo_view.currentIndex().data(WORKER_ID_ROLE)


def test_figures_and_date_are_shown(page):
    assert page.title.text() == "工作台"
    assert page.date_label.text() == "2026年6月15日 星期一"
    assert page.active_figure.value.text() == "6"
    assert page.skilled_figure.value.text() == "4"
    assert page.high_figure.value.text() == "2"
    assert page.high_figure.note.text() == "占技能人才 50.0%"
    assert page.no_level_figure.value.text() == "2"


def test_chart_has_the_seven_levels_with_their_counts(page):
    assert page.level_axis.categories() == list(LEVEL_NAMES[1:])
    assert [page.bar_set.at(i) for i in range(page.bar_set.count())] == [1, 1, 1, 0, 0, 0, 1]
    # 高级工 and above are drawn as 高技能人才
    assert sorted(page.bar_set.selectedBars()) == [2, 3, 4, 5, 6]
    assert page.series.isLabelsVisible()
    assert page.chart_view.chart().animationOptions() == QChart.AnimationOption.NoAnimation


def test_chart_text_uses_a_font_that_draws_chinese(page):
    chinese = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    assert chinese, "no CJK font installed (fonts-wqy-microhei)"
    assert cjk_font().family() in chinese
    assert page.level_axis.labelsFont().family() in chinese


def test_todo_list_groups_licences_by_urgency_then_contracts(page, ids):
    assert rows(page) == [
        (0, "特种作业操作证（5）", None, None),
        (1, "已过期 / 逾期未复审（2）", None, None),
        (2, "赵六", "特种作业操作证复审已逾期 10 天", ids["赵六"]),
        (2, "郑一", "特种作业操作证已过期 3 天", ids["郑一"]),
        (1, "今天（1）", None, None),
        (2, "王五", "特种作业操作证今天到期", ids["王五"]),
        (1, "7天内（1）", None, None),
        (2, "张三", "特种作业操作证（低压电工作业）还有 5 天复审", ids["张三"]),
        (1, "30天内（1）", None, None),
        (2, "吴十", "特种作业操作证还有 20 天到期", ids["吴十"]),
        (0, "劳动合同 30天内到期（1）", None, None),
        (1, "张三", "劳动合同还有 10 天到期", ids["张三"]),
        (0, "高技能人才本年尚无完成的培训（2）", None, None),
        (1, "张三", "本年尚无完成的培训", ids["张三"]),
        (1, "赵六", "本年尚无完成的培训", ids["赵六"]),
    ]
    assert page.todo_stack.currentWidget() is page.todo_view
    assert page.todo_view.isExpanded(page.todo_model.index(0, 0))
    # the first to-do is current, so Enter works straight away
    assert current_worker(page) == ids["赵六"]


def test_enter_on_a_todo_opens_the_worker(qtbot, page, ids):
    view = page.todo_view
    view.setFocus()
    # Down three times: 郑一, the 今天 header, 王五
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key.Key_Down)
    assert current_worker(page) == ids["王五"]
    with qtbot.waitSignal(page.open_worker, timeout=1000) as blocker:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert blocker.args == [ids["王五"]]


def test_double_click_on_a_todo_opens_the_worker(qtbot, page, ids):
    view = page.todo_view
    contracts = page.todo_model.index(1, 0)
    index = page.todo_model.index(0, 1, contracts)  # the contract of 张三, in the 事项 column
    view.scrollTo(index)
    centre = view.visualRect(index).center()
    with qtbot.waitSignal(page.open_worker, timeout=1000) as blocker:
        # the view acts on a double click only on the row its first click pressed
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert blocker.args == [ids["张三"]]


def test_a_section_header_opens_nothing(qtbot, page):
    view = page.todo_view
    view.setCurrentIndex(page.todo_model.index(0, 0))
    with qtbot.assertNotEmitted(page.open_worker):
        qtbot.keyClick(view, Qt.Key.Key_Return)


def test_empty_state_when_nothing_is_due(qtbot, engine):
    page = make_page(qtbot, engine)
    assert page.todo_stack.currentWidget() is page.empty_label
    assert page.empty_label.text() == "暂无待办事项"
    assert page.active_figure.value.text() == "0"
    assert page.high_figure.note.text() == "占技能人才 —"


def test_refresh_picks_up_changes(qtbot, engine, ids, session):
    from app.models import Worker

    page = make_page(qtbot, engine)
    session.get(Worker, ids["郑一"]).status = "离职"
    session.commit()
    page.refresh()
    assert page.active_figure.value.text() == "5"
    assert page.no_level_figure.value.text() == "1"
    assert all(worker_id != ids["郑一"] for *_, worker_id in rows(page))


def test_long_groups_start_folded_but_urgent_ones_stay_open(qtbot, engine, ids, monkeypatch):
    from app.ui import home_page

    monkeypatch.setattr(home_page, "FOLD_GROUP_OVER", 0)  # every group counts as long
    page = make_page(qtbot, engine)
    model, view = page.todo_model, page.todo_view
    licences = model.index(0, 0)
    open_groups = {model.index(row, 0, licences).data(): view.isExpanded(model.index(row, 0, licences))
                   for row in range(model.rowCount(licences))}
    assert open_groups == {"已过期 / 逾期未复审（2）": False, "今天（1）": True, "7天内（1）": True, "30天内（1）": False}
    assert view.isExpanded(licences)
    assert not view.isExpanded(model.index(1, 0))  # 劳动合同
    # the first visible to-do is then today's
    assert current_worker(page) == ids["王五"]


def test_refresh_with_thousands_of_todos_stays_within_few_void_calls(qtbot, engine, session):
    """PySide6 6.12 on Python 3.11 drops a reference to None on every call of a method that
    returns void; a page filling rows one call at a time aborted the process at 100,000
    workers. A refresh must cost a bounded number of such calls, whatever the list holds."""
    from app.models import Certificate, Worker
    from tests.factories import make_id
    from tests.test_dashboard import days

    session.add_all(
        Worker(name=f"职工{n}", id_type="居民身份证", status="在职",
               id_number=make_id(birth=date(1980, 1, 1) + timedelta(days=n)),
               certificates=[Certificate(kind="特种作业操作证", expiry_date=days(n % 40 - 10))])
        for n in range(1, 3001)
    )
    session.commit()
    page = make_page(qtbot, engine)
    assert len(page.data.licences_due) > 2000
    before = sys.getrefcount(None)
    page.refresh()
    assert before - sys.getrefcount(None) < 200


def test_a_hidden_page_reads_when_shown(qtbot, engine, ids, session):
    from app.models import Worker

    page = HomePage(engine)
    page.as_of = AS_OF
    qtbot.addWidget(page)
    page.refresh()  # hidden: nothing read yet
    assert page.data is None
    page.show()
    assert page.data.active_workers == 6
    page.hide()
    session.get(Worker, ids["郑一"]).status = "离职"
    session.commit()
    page.refresh()
    assert page.active_figure.value.text() == "6"
    page.show()
    assert page.active_figure.value.text() == "5"


def test_the_compliance_line_counts_high_skilled_without_training(page):
    assert page.compliance_label.text() == "高技能人才本年尚无完成的培训：2 人"
    assert page.compliance_label.isVisible()


def test_a_departure_with_an_open_agreement_is_a_todo_that_opens_the_worker(qtbot, engine, ids):
    from app.services.agreements import save_agreement

    save_agreement(engine, {
        "worker_id": ids["钱七"], "agreement_no": "FW-1", "cost": "3650", "service_start": date(2025, 1, 1),
        "service_end": date(2026, 12, 31),
    })
    page = make_page(qtbot, engine)
    found = rows(page)
    start = found.index((0, "离职人员有未结清的培训服务期协议（1）", None, None))
    assert found[start + 1] == (1, "钱七", "应退 1,825.00 元，培训服务期协议未结清（协议 FW-1）", ids["钱七"])
    model = page.todo_model
    section = next(model.index(row, 0) for row in range(model.rowCount()) if model.index(row, 0).data() == found[start][1])
    page.todo_view.setCurrentIndex(model.index(0, 0, section))
    page.todo_view.setFocus()
    with qtbot.waitSignal(page.open_worker, timeout=1000) as blocker:
        qtbot.keyClick(page.todo_view, Qt.Key.Key_Return)
    assert blocker.args == [ids["钱七"]]


def test_a_long_list_of_untrained_names_is_cut_and_folded(qtbot, engine, ids, monkeypatch):
    from app.services import dashboard

    monkeypatch.setattr(dashboard, "UNTRAINED_LISTED", 1)
    page = make_page(qtbot, engine)
    model = page.todo_model
    last = model.index(model.rowCount() - 1, 0)
    assert last.data() == "高技能人才本年尚无完成的培训（2，列出前 1 人）"
    assert model.rowCount(last) == 1
    assert page.compliance_label.text() == "高技能人才本年尚无完成的培训：2 人"


def test_pairings_ending_and_overdue_assessments_are_todos_that_open_the_apprentice(qtbot, engine, pairings):
    page = make_page(qtbot, engine)
    found = rows(page)
    assert found[:6] == [
        (0, "师徒结对 30 天内到期（2）", None, None),
        (1, "乙徒弟", "师傅 王师傅，企业师带徒今天到期", pairings["乙徒弟"]),
        (1, "甲徒弟", "师傅 王师傅，企业师带徒还有 12 天到期", pairings["甲徒弟"]),
        (0, "徒弟考核逾期（2）", None, None),
        (1, "乙徒弟", "师傅 王师傅，考核已逾期 66 天（结对 2026-01-10 以来未考核）", pairings["乙徒弟"]),
        (1, "丙徒弟", "师傅 刘师傅，考核已逾期 18 天（上次考核 2026-02-28）", pairings["丙徒弟"]),
    ]
    model = page.todo_model
    overdue = model.index(1, 0)
    assert overdue.data(Qt.ItemDataRole.ForegroundRole) is not None  # an overdue section is red
    assert model.index(1, 2, overdue).data() == "2026-05-28"
    page.todo_view.setCurrentIndex(model.index(1, 0, overdue))
    page.todo_view.setFocus()
    with qtbot.waitSignal(page.open_worker, timeout=1000) as blocker:
        qtbot.keyClick(page.todo_view, Qt.Key.Key_Return)
    assert blocker.args == [pairings["丙徒弟"]]
