"""The 补贴申请 page offscreen over a real SQLite file: the wizard (find, explain, tick,
generate behind a job), the preview with QtPdf and printing, drafts, the status flow with its
refusals, the 紧缺工种 list and a custom type."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

pytest.importorskip("PySide6")

from pypdf import PdfReader  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtPrintSupport import QPrinter  # noqa: E402

from app.services import subsidies as s  # noqa: E402
from app.ui import dialogs  # noqa: E402
from app.ui.pdf_preview import PdfPreviewDialog  # noqa: E402
from app.ui.subsidies_page import ShortageDialog, StatusDialog, SubsidiesPage, SubsidyTypeDialog  # noqa: E402
from app.ui.subsidy_wizard import NewApplicationDialog  # noqa: E402
from tests.test_subsidies import certificate, person  # noqa: E402

TODAY = date(2026, 11, 23)


@pytest.fixture
def register(engine):
    for name, rank in (("张三", 3), ("李四", 4), ("王五", 5)):
        certificate(engine, person(engine, name), rank, date(2026, 3, 1))
    certificate(engine, person(engine, "赵六"), 3, date(2026, 4, 1), enrolment=False)
    return engine


@pytest.fixture
def page(qtbot, register, answers):
    widget = SubsidiesPage(register)
    qtbot.addWidget(widget)
    widget.resize(1150, 720)
    widget.show()
    return widget


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def open_wizard(page, qtbot) -> NewApplicationDialog:
    wizard = page.new_application()
    wizard.today = TODAY
    wizard.set_criteria(s.TYPE_UPGRADE_TRAINING, date(2026, 1, 1), date(2026, 12, 31))
    click(qtbot, wizard.find_button)
    return wizard


def test_the_wizard_explains_each_candidate(page, qtbot):
    wizard = open_wizard(page, qtbot)
    assert wizard.model.rowCount() == 4
    names = [wizard.model.candidate(r).name for r in range(4)]
    refused = names.index("赵六")
    assert wizard.model.data(wizard.model.index(refused, 5)) == "不符合：企业选送"
    assert not wizard.model.flags(wizard.model.index(refused, 0)) & Qt.ItemFlag.ItemIsUserCheckable
    assert len(wizard.model.chosen()) == 3
    assert "合计 <b>5,600.00 元</b>（伍仟陆佰元整）" in wizard.totals_label.text()
    wizard.view.selectRow(refused)
    reasons = [wizard.conditions.item(r, 2).text() for r in range(wizard.conditions.rowCount())]
    assert any("个人自行参加" in reason for reason in reasons)
    assert wizard.conditions.item(2, 1).text() == "不符合"
    wizard.eligible_only.setChecked(True)
    assert wizard.model.rowCount() == 3
    # changing the period drops what no longer answers it
    wizard.to_edit.setDate(wizard.to_edit.date().addDays(-1))
    assert wizard.model.rowCount() == 0 and not wizard.generate_button.isEnabled()


def test_generate_from_the_wizard_then_preview_and_print(page, qtbot, answers, engine, tmp_path, monkeypatch):
    wizard = open_wizard(page, qtbot)
    first = wizard.model.index(0, 0)
    assert wizard.model.setData(first, Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert len(wizard.model.chosen()) == 2
    click(qtbot, wizard.generate_button)
    assert "生成后金额与所用政策参数冻结" in answers.asked[-1]
    (row,) = s.list_applications(engine)
    assert (row.status, row.lines) == (s.GENERATED, 2)
    assert page.selected().id == row.id
    preview = page.dialog
    assert isinstance(preview, PdfPreviewDialog) and preview.page_count() >= 2
    assert "单位信息未填全（单位名称" in preview.note.text()  # this register has no 单位信息
    # the roster shows masked numbers on screen; the PDF carries the full one for the bureau
    assert "********" in page.lines_table.item(0, 2).text()
    printed = tmp_path / "printed.pdf"
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(printed))
    preview.print_to(printer)
    assert len(PdfReader(printed).pages) == preview.page_count()
    saved = tmp_path / "申请表.pdf"
    answers_save = []

    def save_file(_parent, _title, suggested, _filter):
        answers_save.append(suggested)
        return str(saved)

    monkeypatch.setattr(dialogs, "save_file", save_file)
    assert preview.save_as() == saved
    assert answers_save[0].startswith("技能提升培训补贴申请表")
    assert "肆仟叁佰元整" in "".join(p.extract_text() for p in PdfReader(saved).pages)  # 1800 + 2500


def test_print_cancelled_prints_nothing(page, qtbot, monkeypatch):
    wizard = open_wizard(page, qtbot)
    click(qtbot, wizard.generate_button)
    monkeypatch.setattr(dialogs, "choose_printer", lambda _parent: None)
    assert page.dialog.print_document() is False


def test_a_draft_loses_lines_then_is_generated(page, qtbot, engine):
    wizard = open_wizard(page, qtbot)
    click(qtbot, wizard.draft_button)
    row = page.selected()
    assert row.status == s.DRAFT and row.lines == 3
    assert page.generate_button.isEnabled() and page.remove_button.isEnabled()
    assert "草稿" in page.detail_label.text()
    page.lines_table.selectRow(0)
    assert page.remove_selected_lines()
    assert page.selected().lines == 2
    assert page.generate()
    row = page.selected()
    assert row.status == s.GENERATED and not page.generate_button.isEnabled()
    assert "所用政策参数（已冻结）" in page.detail_label.text()
    assert isinstance(page.dialog, PdfPreviewDialog)


def test_status_flow_through_the_dialogs(page, qtbot, engine):
    wizard = open_wizard(page, qtbot)
    click(qtbot, wizard.generate_button)
    assert not page.status_buttons[s.RECEIVED].isEnabled()
    dialog = page.change_status(s.SUBMITTED)
    assert isinstance(dialog, StatusDialog)
    assert dialog.save()
    assert page.selected().status == s.SUBMITTED
    dialog = page.change_status(s.RECEIVED)
    dialog.fields["amount"].setText("-5")
    assert not dialog.save()
    assert "到账金额" in dialog.problems.text() and dialog.fields["amount"].text() == "-5"
    dialog.fields["amount"].setText("5600.00")
    assert dialog.save()
    row = page.selected()
    assert row.status == s.RECEIVED and row.received_amount == Decimal("5600.00")
    assert "5,600.00" in page.model.data(page.model.index(0, 9))
    dialog = page.change_status(s.VOID)
    assert not dialog.save() and "作废原因" in dialog.problems.text()
    dialog.fields["reason"].setText("重复申报")
    assert dialog.save()
    assert page.selected().status == s.VOID
    assert not any(button.isEnabled() for button in page.status_buttons.values())


def test_shortage_list_and_a_custom_type(page, qtbot, engine):
    dialog = page.edit_shortages()
    assert isinstance(dialog, ShortageDialog)
    dialog.year.setValue(2027)
    assert dialog.ticked() == []
    dialog.new_name.setText("工业机器人系统运维员")
    dialog.add_name()
    dialog.list.findItems("数控车工", Qt.MatchFlag.MatchExactly)[0].setCheckState(Qt.CheckState.Checked)
    assert dialog.save()
    assert s.shortage_occupations(engine, 2027) == sorted(["工业机器人系统运维员", "数控车工"])

    dialog = page.add_type()
    assert isinstance(dialog, SubsidyTypeDialog)
    dialog.fields["name"].setText("首席技师奖励")
    assert not dialog.save() and "金额表" in dialog.problems.text()
    dialog.set_amount("首席技师", "5000")
    assert dialog.save()
    assert page.type_filter.findText("首席技师奖励") >= 0


def test_the_window_has_the_page(qtbot, register):
    from app.ui.main_window import MainWindow

    window = MainWindow(register)
    qtbot.addWidget(window)
    assert isinstance(window.pages["subsidies"], SubsidiesPage)
