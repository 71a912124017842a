"""What the screens do for a user who may not write (只读): every control that writes is
greyed, in one place, whatever the page later does with it.

A page marks its writing controls with `writes(...)`; the main window (and a dialog it opens)
calls `apply_role(widget, actor)` once. The services refuse a 只读 user's write anyway
(app.models.db.require_writer): the greyed controls only spare the clerk the refusal.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

from app.models.users import Actor

_WRITES = "skilldesk_writes"
READ_ONLY_TIP = "只读用户只能查看，不能修改数据"


def writes(*widgets: QWidget) -> None:
    """Mark controls that change data (保存, 新增, 导入, 生成, 确认 …)."""
    for widget in widgets:
        widget.setProperty(_WRITES, True)


class _StayDisabled(QObject):
    """Pages enable their buttons by selection (撤销 when a certificate is chosen …); for a
    只读 user a writing control goes grey again the moment anything enables it."""

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.EnabledChange and watched.isEnabled():
            watched.setEnabled(False)
        return False


def apply_role(root: QWidget, actor: Actor) -> None:
    """Grey every marked control under `root` (and `root` itself) when `actor` may not write,
    and let a form with its own read-only view (the 职工档案) switch to it."""
    if actor.can_write:
        return
    keeper = getattr(root, "_stay_disabled", None)
    if keeper is None:
        keeper = root._stay_disabled = _StayDisabled(root)
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.property(_WRITES):
            continue
        widget.installEventFilter(keeper)
        widget.setEnabled(False)
        tip = widget.toolTip()
        if READ_ONLY_TIP not in tip:
            widget.setToolTip(f"{tip}\n{READ_ONLY_TIP}" if tip else READ_ONLY_TIP)
    for widget in [root, *root.findChildren(QWidget)]:
        read_only_view = getattr(widget, "show_read_only", None)
        if callable(read_only_view):
            read_only_view()
