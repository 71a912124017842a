"""What every form of the window does with refused input: say each problem in Chinese at
the top, mark the fields, keep what was typed, and put the cursor in the first one."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QWidget

from app.errors import FieldProblem

_MARKED = "border: 1px solid #d93025; background: #fff4f4;"


def accept_cancel_row(dialog: QDialog, accept_text: str, on_accept) -> tuple[QHBoxLayout, QPushButton]:
    """The row at the foot of a small form: the accepting button (Enter in any field presses
    it) and 取消, on the right. Returns the row and the accepting button."""
    accept = QPushButton(accept_text)
    accept.setDefault(True)
    accept.clicked.connect(on_accept)
    cancel = QPushButton(dialog.tr("取消"))
    cancel.setAutoDefault(False)
    cancel.clicked.connect(dialog.reject)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(accept)
    row.addWidget(cancel)
    return row, accept


def error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color: #b3261e;")
    label.hide()
    return label


def show_problems(label: QLabel, widgets: dict[str, QWidget], problems: list[FieldProblem]) -> None:
    clear_problems(label, widgets)
    label.setText("\n".join(p.message for p in problems))
    label.show()
    first = None
    for problem in problems:
        widget = widgets.get(problem.field)
        if widget is None:
            continue
        widget.setStyleSheet(_MARKED)
        widget.setToolTip(problem.message)
        first = first or widget
    if first is not None:
        first.setFocus()


def clear_problems(label: QLabel, widgets: dict[str, QWidget]) -> None:
    label.hide()
    label.clear()
    for widget in widgets.values():
        if widget.styleSheet() == _MARKED:
            widget.setStyleSheet("")
            widget.setToolTip("")
