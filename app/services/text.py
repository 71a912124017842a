"""Small text helpers shared by import, checks and search."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Full-width forms typed by Chinese input methods: ＡＢＣ１２３ → ABC123, （）→ ().
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20


_HAS_FULLWIDTH = re.compile("[\uff01-\uff5e\u3000]")


def fold_width(text: str) -> str:
    text = str(text)
    # Translating is a per-character dict lookup; most cells have nothing to fold.
    if _HAS_FULLWIDTH.search(text):
        text = text.translate(_FULLWIDTH)
    return text.strip()


@lru_cache(maxsize=8192)  # a roster repeats the same few spellings (是, 否, 大专 …) a hundred thousand times
def squash(text: str) -> str:
    """A header or label reduced to its letters: spaces, line breaks, '*' marks and
    brackets removed, full width folded, so 「身份证号码*」 and 「身份证 号码」 compare equal."""
    text = unicodedata.normalize("NFKC", str(text))
    return "".join(ch for ch in text if not ch.isspace() and ch not in "*＊:：()（）[]【】")
