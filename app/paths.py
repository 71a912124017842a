"""Where SkillDesk keeps its files: the user's data and log folders, and the bundled resources."""

from __future__ import annotations

import sys
from pathlib import Path

from platformdirs import user_data_path, user_log_path

from app import APP_NAME

# platformdirs puts an "appauthor" level into Windows paths unless told not to.
_APPAUTHOR = False


def data_dir() -> Path:
    return user_data_path(APP_NAME, _APPAUTHOR, ensure_exists=True)


def log_dir() -> Path:
    return user_log_path(APP_NAME, _APPAUTHOR, ensure_exists=True)


def default_db_path() -> Path:
    return data_dir() / "skilldesk.db"


def resources_dir() -> Path:
    """`resources/` beside the source tree, or inside a PyInstaller bundle.

    Every file the program reads from resources/ is found through here (build_installer.spec
    copies the folder whole), so a lookup that works from source works installed.
    """
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def cjk_font_path() -> Path:
    """WenQuanYi Micro Hei: embedded in every PDF, and the window's fallback for Chinese."""
    return resources_dir() / "fonts" / "wqy-microhei.ttc"


def icon_path(suffix: str = ".png") -> Path:
    """The program's icon: .png for the window, .ico for Windows (the .exe and the setup)."""
    return resources_dir() / "icons" / f"skilldesk{suffix}"
