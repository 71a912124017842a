"""Pinyin initials of a name ("zsf" for 张三丰), stored on the worker for search.

pypinyin reads many surnames by their common reading (单 dan, 曾 ceng, 解 jie …); the first
character of a name is a surname, so a small table overrides those.
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

SURNAME_INITIALS = {
    "单": "s", "曾": "z", "解": "x", "仇": "q", "区": "o", "查": "z", "朴": "p", "翟": "z",
    "盖": "g", "尉": "y", "乐": "y", "缪": "m", "覃": "q", "燕": "y", "種": "c", "种": "c",
    "尉迟": "yc", "万俟": "mq", "长孙": "zs", "澹台": "tt", "沈": "s",
    "秘": "b", "句": "g", "华": "h", "任": "r", "纪": "j", "褚": "c", "员": "y", "隗": "w",
}
_COMPOUND_SURNAMES = {k for k in SURNAME_INITIALS if len(k) == 2}


@lru_cache(maxsize=65536)
def _char_initial(ch: str) -> str:
    # Characters repeat across a register (a few thousand distinct in 100,000 names), so a
    # per-character cache makes this cheap.
    if ch.isascii():
        return ch.lower() if ch.isalnum() else ""
    first = lazy_pinyin(ch, style=Style.FIRST_LETTER, errors="ignore")
    return first[0][:1].lower() if first else ""


def name_initials(name: str) -> str:
    name = (name or "").strip().replace(" ", "").replace("·", "")
    if not name:
        return ""
    if name[:2] in _COMPOUND_SURNAMES:
        head, rest = SURNAME_INITIALS[name[:2]], name[2:]
    elif name[0] in SURNAME_INITIALS:
        head, rest = SURNAME_INITIALS[name[0]], name[1:]
    else:
        head, rest = _char_initial(name[0]), name[1:]
    return head + "".join(_char_initial(ch) for ch in rest)
