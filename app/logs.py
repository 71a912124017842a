"""The rotating log in the user log folder: commands, imports and errors with tracebacks,
never a full ID number, so a clerk can send it when something goes wrong."""

from __future__ import annotations

import logging
import re
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_NAME = "skilldesk.log"
_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")


def mask_ids_in(text: str) -> str:
    """Hide the birth date and sequence of any 18- or 15-digit ID-like number."""
    return _ID_LIKE.sub(lambda m: m.group(0)[:6] + "*" * (len(m.group(0)) - 10) + m.group(0)[-4:], text)


class MaskingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_ids_in(super().format(record))


def setup_logging(folder: Path | None = None) -> Path:
    """Attach the rotating file handler once; returns the log file's path."""
    if folder is None:
        from app.paths import log_dir

        folder = log_dir()
    path = Path(folder) / LOG_NAME
    root = logging.getLogger("skilldesk")
    for old in [h for h in root.handlers if isinstance(h, RotatingFileHandler)]:
        if old.baseFilename == str(path.resolve()):
            return path
        root.removeHandler(old)
        old.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(f"skilldesk.{name}")
