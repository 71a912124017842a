"""What every form of the window does with refused input: say each problem in Chinese at
the top, mark the fields, keep what was typed, and put the cursor in the first one."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from app.errors import FieldProblem

_MARKED = "border: 1px solid #d93025; background: #fff4f4;"


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
