"""Escaping of control characters in text bound for a terminal or a CI log.

Live data and manifests can contain any character. A terminal acts on
control characters instead of showing them: ESC starts an escape sequence
(an OSC sequence sets the window title), BEL rings, CR rewrites the line.
Every value from them is escaped before it is printed.
"""

from __future__ import annotations

import re

# C0 controls (U+0000-U+001F), DEL (U+007F) and C1 controls (U+0080-U+009F).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_SHORT_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def escape_control_chars(text: str, *, keep_newlines: bool = False) -> str:
    """Return ``text`` with every C0, DEL and C1 control character escaped.

    Tab, line feed and carriage return become ``\\t``, ``\\n`` and ``\\r``;
    the others become ``\\xNN``, as in Python's ``repr``. With
    ``keep_newlines``, line feeds stay, for messages of several lines.
    Backslashes are not escaped, so ``\\x1b`` in the output can also be
    those four characters in the input.
    """
    pattern = _CONTROL_BUT_NEWLINE if keep_newlines else _CONTROL
    return pattern.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _SHORT_ESCAPES.get(char) or f"\\x{ord(char):02x}"
