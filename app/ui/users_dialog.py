"""用户管理 (系统 menu, 管理员 only): the users of the database with their roles; add a user,
reset a password, change a role, 停用 or 启用. Every rule (the first user a 管理员, always one
active 管理员, passwords of 8 characters or more …) is app.services.users'; this only asks."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from app.errors import FieldErrors, FieldProblem, Refused
from app.models.users import ROLE_ADMIN, ROLE_CLERK, ROLE_READER, ROLES
from app.services.users import (
    PASSWORD_MIN_LENGTH,
    UserRow,
    change_password,
    create_user,
    deactivate,
    list_users,
    reactivate,
    set_role,
)
from app.ui import dialogs
from app.ui.form_support import accept_cancel_row, clear_problems, error_label, show_problems

ROLE_TEXT = {
    ROLE_ADMIN: "管理员：全部功能，并管理用户",
    ROLE_CLERK: "经办人：查看和修改数据，可见完整证件号码",
    ROLE_READER: "只读：只能查看和导出，证件号码一律打码",
}


class _Form(QDialog):
    """A small form: fields in a QFormLayout, refusals named at the top and on the field,
    what was typed kept; 确定 runs `submit`, which raises FieldErrors or Refused."""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.fields: dict[str, QWidget] = {}
        self.problems = error_label()
        self.form = QFormLayout()
        buttons, self.ok_button = accept_cancel_row(self, self.tr("确定"), self.attempt)
        layout = QVBoxLayout(self)
        layout.addWidget(self.problems)
        layout.addLayout(self.form)
        layout.addLayout(buttons)
        self.setMinimumWidth(440)

    def add(self, key: str, label: str, widget: QWidget) -> QWidget:
        self.fields[key] = widget
        self.form.addRow(label + "：", widget)
        return widget

    def password_fields(self, label: str) -> None:
        for key, text in (("password", label), ("repeat", self.tr("再输入一次"))):
            field = QLineEdit()
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setMaxLength(128)
            self.add(key, text, field)
        self.fields["password"].setPlaceholderText(self.tr("至少 %1 个字符").replace("%1", str(PASSWORD_MIN_LENGTH)))

    def repeated_password(self) -> str:
        password = self.fields["password"].text()
        if password != self.fields["repeat"].text():
            raise FieldErrors([FieldProblem("repeat", self.tr("再输入一次：两次输入的密码不一致"))])
        return password

    def submit(self) -> None:
        raise NotImplementedError

    def attempt(self) -> bool:
        clear_problems(self.problems, self.fields)
        try:
            self.submit()
        except FieldErrors as exc:
            show_problems(self.problems, self.fields, exc.problems)
            return False
        except Refused as exc:
            self.problems.setText(str(exc))
            self.problems.show()
            return False
        self.accept()
        return True


class NewUserDialog(_Form):
    def __init__(self, engine: Engine, parent: QWidget | None = None):
        super().__init__(self.tr("新增用户"), parent)
        self.engine = engine
        login = self.add("login", self.tr("用户名"), QLineEdit())
        login.setMaxLength(64)
        login.setPlaceholderText(self.tr("登录时输入，如 lisi；不区分大小写"))
        self.add("name", self.tr("姓名"), QLineEdit()).setMaxLength(64)
        role = self.add("role", self.tr("角色"), QComboBox())
        for name in ROLES:
            role.addItem(self.tr(ROLE_TEXT[name]), name)
        role.setCurrentIndex(ROLES.index(ROLE_CLERK))
        self.password_fields(self.tr("密码"))
        login.setFocus()

    def submit(self) -> None:
        password = self.repeated_password()  # before anything is created
        self.user_id = create_user(self.engine, self.fields["login"].text(), self.fields["name"].text(),
                                   self.fields["role"].currentData(), password)


class PasswordDialog(_Form):
    def __init__(self, engine: Engine, user: UserRow, parent: QWidget | None = None):
        super().__init__(self.tr("重置密码 — %1").replace("%1", user.login), parent)
        self.engine, self.user = engine, user
        self.form.addRow(QLabel(self.tr("为 %1（%2）设置新密码，告诉本人后请其牢记。")
                                .replace("%1", user.name).replace("%2", user.login)))
        self.password_fields(self.tr("新密码"))
        self.fields["password"].setFocus()

    def submit(self) -> None:
        change_password(self.engine, self.user.id, self.repeated_password())


class RoleDialog(_Form):
    def __init__(self, engine: Engine, user: UserRow, parent: QWidget | None = None):
        super().__init__(self.tr("更改角色 — %1").replace("%1", user.login), parent)
        self.engine, self.user = engine, user
        role = self.add("role", self.tr("角色"), QComboBox())
        for name in ROLES:
            role.addItem(self.tr(ROLE_TEXT[name]), name)
        role.setCurrentIndex(ROLES.index(user.role) if user.role in ROLES else 0)

    def submit(self) -> None:
        role = self.fields["role"].currentData()
        if role == self.user.role:
            return
        if not dialogs.ask_yes_no(self, self.tr("更改角色"), self.tr("把 %1（%2）的角色从%3改为%4吗？\n下次登录时生效。")
                                  .replace("%1", self.user.name).replace("%2", self.user.login)
                                  .replace("%3", self.user.role).replace("%4", role)):
            raise Refused(self.tr("未更改。"))
        set_role(self.engine, self.user.id, role)


class UsersDialog(QDialog):
    COLUMNS = ("用户名", "姓名", "角色", "状态")

    def __init__(self, engine: Engine, parent: QWidget | None = None):
        super().__init__(parent)
        self.engine = engine
        self.rows: list[UserRow] = []
        self.setWindowTitle(self.tr("用户管理"))
        intro = QLabel(self.tr("数据库有两个以上启用的用户时，打开程序需要登录。管理员：全部功能并管理用户；"
                               "经办人：查看和修改数据；只读：只能查看，证件号码一律打码。停用的用户不能登录，记录保留。"))
        intro.setWordWrap(True)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in self.COLUMNS])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _index: self.change_role())
        self.add_button = QPushButton(self.tr("新增用户…"))
        self.add_button.clicked.connect(self.add_user)
        self.password_button = QPushButton(self.tr("重置密码…"))
        self.password_button.clicked.connect(self.reset_password)
        self.role_button = QPushButton(self.tr("更改角色…"))
        self.role_button.clicked.connect(self.change_role)
        self.active_button = QPushButton(self.tr("停用…"))
        self.active_button.clicked.connect(self.toggle_active)
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.password_button, self.role_button, self.active_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.resize(620, 360)
        self.refresh()

    def refresh(self, select_id: int | None = None) -> None:
        chosen = select_id if select_id is not None else (self.selected().id if self.selected() else None)
        self.rows = list_users(self.engine)
        self.table.setRowCount(len(self.rows))
        grey = QBrush(QColor("#80868b"))
        for row, user in enumerate(self.rows):
            for column, text in enumerate((user.login, user.name, user.role, self.tr("启用") if user.active else self.tr("停用"))):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, user.id)
                if not user.active:
                    item.setForeground(grey)
                self.table.setItem(row, column, item)
            if user.id == chosen:
                self.table.selectRow(row)
        self._update_buttons()

    def selected(self) -> UserRow | None:
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) and self.table.selectionModel().hasSelection() else None

    def select_login(self, login: str) -> None:
        for row, user in enumerate(self.rows):
            if user.login == login:
                self.table.selectRow(row)

    def _update_buttons(self) -> None:
        user = self.selected()
        for button in (self.password_button, self.role_button, self.active_button):
            button.setEnabled(user is not None)
        self.active_button.setText(self.tr("启用") if user is not None and not user.active else self.tr("停用…"))

    def _run(self, action, title: str) -> bool:
        try:
            action()
        except Refused as exc:
            dialogs.show_error(self, title, str(exc))
            return False
        return True

    # The forms are opened with exec (modal) through `open_form`, which tests replace to
    # fill and accept them.
    def open_form(self, form: QDialog) -> bool:
        return form.exec() == QDialog.DialogCode.Accepted

    def add_user(self) -> None:
        form = NewUserDialog(self.engine, self)
        if self.open_form(form):
            self.refresh(form.user_id)

    def reset_password(self) -> None:
        user = self.selected()
        if user is not None and self.open_form(PasswordDialog(self.engine, user, self)):
            dialogs.show_info(self, self.tr("密码已重置"), self.tr("%1 的新密码已生效。").replace("%1", user.login))

    def change_role(self) -> None:
        user = self.selected()
        if user is not None and self.open_form(RoleDialog(self.engine, user, self)):
            self.refresh(user.id)

    def toggle_active(self) -> None:
        user = self.selected()
        if user is None:
            return
        if user.active:
            if not dialogs.ask_yes_no(self, self.tr("停用用户"), self.tr("停用 %1（%2）吗？\n停用后该用户不能登录；记录保留，可以再启用。")
                                      .replace("%1", user.name).replace("%2", user.login)):
                return
            self._run(lambda: deactivate(self.engine, user.id), self.tr("未停用"))
        else:
            self._run(lambda: reactivate(self.engine, user.id), self.tr("未启用"))
        self.refresh(user.id)
