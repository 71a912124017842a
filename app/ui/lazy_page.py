"""How the pages of the window read their data: when they are shown, and on refresh()
only while visible. A hidden page waits, so a change made elsewhere never costs a read
(0.2 s for the 工作台 at 100,000 workers) that nobody sees."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent


class ReadsWhenShown:
    """Mix into a QWidget page that defines `_load()`.

    `every_show` True: read again each time the page is shown (its figures may depend on
    anything). False: read only when `refresh()` said something changed while hidden;
    such a page's `_load()` sets `self._stale = False`.
    """

    every_show = True
    _stale = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        # A spontaneous show is the window coming back from minimised: nothing changed.
        if not event.spontaneous() and (self.every_show or self._stale):
            self._load()

    def refresh(self) -> None:
        self._stale = True
        if self.isVisible():
            self._load()
