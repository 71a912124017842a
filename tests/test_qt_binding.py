"""The Qt binding itself must not leak: PySide6 6.12.0 on Python 3.11 dropped a reference to
None on every call of a void method, and after a few thousand calls (a morning's work in the
window) the process aborted with "deallocating None". pyproject.toml pins a release without
it; this test fails if an upgrade brings it back."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel


def test_void_qt_calls_keep_none_alive(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    holder = QObject()
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("张三")
        holder.setObjectName("x")
    assert abs(sys.getrefcount(None) - before) < 100
