"""登录: who is at the keyboard, asked before the main window opens when the database has two
or more active users (app.services.users.startup_actor), and again on 切换用户."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from app import APP_NAME
from app.errors import Refused
from app.models.db import sqlite_file
from app.models.users import Actor
from app.services.users import sign_in
from app.ui.form_support import accept_cancel_row, error_label


class SignInDialog(QDialog):
    """用户名 and 密码; Enter signs in. A refusal is said in the dialog (no message box to
    dismiss), the 用户名 stays and the 密码 is cleared for typing again. `actor` holds who
    signed in once the dialog is accepted."""

    def __init__(self, engine: Engine, parent: QWidget | None = None, *, reason: str | None = None):
        super().__init__(parent)
        self.engine = engine
        self.actor: Actor | None = None
        self.setWindowTitle(self.tr("登录 — %1").replace("%1", APP_NAME))
        file = sqlite_file(str(engine.url))
        where = str(file) if file else engine.url.render_as_string(hide_password=True)
        intro = QLabel(reason or self.tr("该数据库设有多个用户，请登录。"))
        intro.setWordWrap(True)
        database = QLabel(self.tr("数据库：%1").replace("%1", where))
        database.setWordWrap(True)
        database.setStyleSheet("color: #5f6368;")
        database.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.login = QLineEdit()
        self.login.setMaxLength(64)
        self.login.setPlaceholderText(self.tr("用户名（不区分大小写）"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(128)
        self.problem = error_label()
        form = QFormLayout()
        form.addRow(self.tr("用户名") + "：", self.login)
        form.addRow(self.tr("密码") + "：", self.password)
        buttons, self.sign_in_button = accept_cancel_row(self, self.tr("登录"), self.attempt)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(database)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)
        self.setMinimumWidth(420)
        self.login.setFocus()

    def attempt(self) -> bool:
        login = self.login.text()
        if not login.strip():
            self._refused(self.tr("请输入用户名。"), self.login)
            return False
        try:
            self.actor = sign_in(self.engine, login, self.password.text())
        except Refused as exc:
            self.password.clear()
            self._refused(str(exc), self.password)
            return False
        self.accept()
        return True

    def _refused(self, text: str, focus: QLineEdit) -> None:
        self.problem.setText(text)
        self.problem.show()
        focus.setFocus()


def ask_sign_in(engine: Engine, parent: QWidget | None = None, *, reason: str | None = None) -> Actor | None:
    """The user who signed in, or None when the clerk cancelled."""
    dialog = SignInDialog(engine, parent, reason=reason)
    return dialog.actor if dialog.exec() == QDialog.DialogCode.Accepted else None
