"""Every message box, question and file dialog the window uses goes through here, so tests
answer them in one place instead of patching Qt classes case by case."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

EXCEL_FILTER = "Excel 文件 (*.xlsx *.xls)"
DATABASE_FILTER = "SkillDesk 数据库 (*.db *.sqlite);;所有文件 (*)"


def ask_yes_no(parent: QWidget | None, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text)
    return answer == QMessageBox.StandardButton.Yes


def show_error(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.critical(parent, title, text)


def show_info(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


def open_file(parent: QWidget | None, title: str, file_filter: str) -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, title, "", file_filter)
    return path or None


def save_file(parent: QWidget | None, title: str, suggested: str, file_filter: str) -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, file_filter)
    return path or None


def save_path(parent: QWidget | None, title: str, suggested: str, file_filter: str, suffix: str) -> Path | None:
    """Where to save a file of type `suffix` (".xlsx", ".pdf"): the clerk's choice, the
    suffix added when the name typed lacks it; None when cancelled."""
    chosen = save_file(parent, title, suggested, file_filter)
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.suffix.lower() == suffix else path.with_suffix(suffix)


def choose_printer(parent: QWidget | None):
    """A printer the clerk picked in the system's print dialog, or None when cancelled."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    return printer if dialog.exec() == QPrintDialog.DialogCode.Accepted else None


RELOAD, OVERWRITE = "reload", "overwrite"


def resolve_conflict(parent: QWidget | None, title: str, text: str, conflicts) -> str | None:
    """Both versions of a record side by side (app.services.workers.FieldConflict rows);
    RELOAD takes theirs, OVERWRITE saves this clerk's edits over theirs (fields the clerk
    did not touch keep theirs), None decides later."""
    dialog = conflict_dialog(parent, title, text, conflicts)
    dialog.exec()
    return dialog.choice


def conflict_dialog(parent: QWidget | None, title: str, text: str, conflicts):
    from PySide6.QtGui import QBrush, QColor
    from PySide6.QtWidgets import (
        QAbstractItemView,
        QDialog,
        QHBoxLayout,
        QHeaderView,
        QLabel,
        QPushButton,
        QTableWidget,
        QTableWidgetItem,
        QVBoxLayout,
    )

    dialog = QDialog(parent)
    dialog.choice = None
    dialog.setWindowTitle(title)
    intro = QLabel(text)
    intro.setWordWrap(True)
    table = QTableWidget(len(conflicts), 4)
    table.setHorizontalHeaderLabels(["字段", "您打开时", "另一位经办人保存的", "您填写的"])
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    for row, conflict in enumerate(conflicts):
        for column, value in enumerate((conflict.label, conflict.opened, conflict.theirs, conflict.mine)):
            item = QTableWidgetItem(value)
            if column == 3 and conflict.both_changed:
                item.setForeground(QBrush(QColor("#b3261e")))
            table.setItem(row, column, item)
    buttons = QHBoxLayout()
    buttons.addStretch(1)
    for label, value in (("重新加载（放弃我的修改）", RELOAD), ("保存我的修改（我没改的字段保留对方的）", OVERWRITE),
                         ("暂不处理", None)):
        button = QPushButton(label)
        button.setAutoDefault(False)
        button.clicked.connect(lambda _checked=False, v=value: (setattr(dialog, "choice", v), dialog.accept()))
        buttons.addWidget(button)
    layout = QVBoxLayout(dialog)
    layout.addWidget(intro)
    layout.addWidget(table, 1)
    layout.addLayout(buttons)
    dialog.resize(760, 220 + 30 * min(len(conflicts), 12))
    return dialog
