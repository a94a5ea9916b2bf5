"""Characters that record text may not hold: the one rule every text field and link shares.

Control characters (escapes such as "\\a" in YAML) break the feed's XML and
hide what a reader sees; bidirectional overrides, embeddings and isolates
reorder the text around them (a title could read backwards); lone surrogates
and the non-characters U+FFFE/U+FFFF cannot be written as UTF-8 or XML.
Tab and line break are whitespace and stay allowed. Left-to-right and
right-to-left marks (U+200E, U+200F, U+061C) only set the direction of the
neutral character beside them, cannot reorder a run of text, and are needed
in right-to-left names: they are allowed in text, refused in links.
"""

from __future__ import annotations

import re

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
DIRECTION_MARKS = "\u200e\u200f\u061c"

# C0 but tab and line feed, DEL, C1, surrogates, U+FFFE and U+FFFF, bidi controls.
_FORBIDDEN = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff{BIDI_CONTROLS}]")

_NAMES = {
    **{chr(code): "a control character" for code in [*range(0x00, 0x20), *range(0x7F, 0xA0)]},
    **dict.fromkeys(BIDI_CONTROLS, "a bidirectional control character, which reorders the text around it"),
    "\ufffe": "a non-character",
    "\uffff": "a non-character",
}

SHOWN_LENGTH = 80


def codepoint(char: str) -> str:
    return f"U+{ord(char):04X}"


def character_problem(value: str) -> str | None:
    """Why a text may not hold one of its characters, or None."""
    found = _FORBIDDEN.search(value)
    if found is None:
        return None
    char = found.group()
    what = _NAMES.get(char, "half of a surrogate pair, which is not a character")
    return f"{codepoint(char)} at character {found.start() + 1} is {what}: remove it"


def shown(value: str) -> str:
    """A value quoted for a message: escaped (repr shows controls as \\x.. or \\u....) and cut short."""
    if len(value) > SHOWN_LENGTH:
        value = value[:SHOWN_LENGTH] + "…"
    return repr(value)
