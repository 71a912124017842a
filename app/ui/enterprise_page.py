"""单位信息: the enterprise block every printed form and the bureau survey carry."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget
from sqlalchemy import Engine

from app.errors import FieldErrors, Refused, StaleRecord
from app.services.enterprise import FIELDS, load_enterprise, save_enterprise
from app.services.vocab import ENTERPRISE_SCALES, ENTERPRISE_TYPES
from app.ui import dialogs
from app.ui.form_support import clear_problems, error_label, show_problems
from app.ui.roles import writes


class EnterprisePage(QWidget):
    saved = Signal()

    def __init__(self, engine: Engine, parent=None):
        super().__init__(parent)
        self.engine = engine
        self.version: int | None = None
        self.widgets: dict[str, QWidget] = {}
        form = QFormLayout()
        for key, label in FIELDS.items():
            if key in ("enterprise_type", "scale"):
                widget = QComboBox()
                widget.addItem("", "")
                for choice in ENTERPRISE_TYPES if key == "enterprise_type" else ENTERPRISE_SCALES:
                    widget.addItem(choice, choice)
            else:
                widget = QLineEdit()
                widget.setMinimumWidth(360)
            self.widgets[key] = widget
            form.addRow(self.tr(label) + "：", widget)
        self.widgets["uscc"].setMaxLength(18)
        self.widgets["uscc"].setPlaceholderText(self.tr("18 位，如 91350100M000100Y43"))
        self.errors = error_label()
        self.hint = QLabel()
        save = QPushButton(self.tr("保存"))
        save.setShortcut(QKeySequence.StandardKey.Save)
        save.clicked.connect(self.save)
        writes(save)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(save)
        title = QLabel(self.tr("<h2>单位信息</h2>"))
        body = QWidget()
        body.setMaximumWidth(760)  # a form, not a banner: short lines read better
        inner = QVBoxLayout(body)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(title)
        inner.addWidget(self.hint)
        inner.addWidget(self.errors)
        inner.addLayout(form)
        inner.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(body)
        layout.addStretch(1)
        self.refresh()

    def refresh(self) -> None:
        info = load_enterprise(self.engine)
        self.version = info.version
        for key, widget in self.widgets.items():
            value = getattr(info, key)
            if isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(widget.findData(value), 0))
            else:
                widget.setText(value)
        missing = info.missing
        self.hint.setText(
            self.tr("申请表和调查表需要的信息还缺：%1").replace("%1", "、".join(missing)) if missing else ""
        )
        clear_problems(self.errors, self.widgets)

    def values(self) -> dict:
        return {
            key: widget.currentData() if isinstance(widget, QComboBox) else widget.text()
            for key, widget in self.widgets.items()
        }

    def save(self) -> bool:
        try:
            save_enterprise(self.engine, self.values(), expected_version=self.version)
        except FieldErrors as exc:
            show_problems(self.errors, self.widgets, exc.problems)
            return False
        except StaleRecord as exc:  # nothing of this save landed
            if dialogs.ask_yes_no(self, self.tr("数据已被修改"),
                                  str(exc) + "\n\n" + self.tr("要现在重新加载吗？本页未保存的修改将被放弃。")):
                self.refresh()
            return False
        except Refused as exc:
            dialogs.show_error(self, self.tr("未保存"), str(exc))
            return False
        self.refresh()
        dialogs.show_info(self, self.tr("已保存"), self.tr("单位信息已保存。"))
        self.saved.emit()
        return True
