"""The one exception type for mistakes a user can fix (exit status 2, no traceback), and how
values from the user's files are quoted in messages."""

from __future__ import annotations

import re

from forestlab.core.dims import shown  # noqa: F401  (one quoting rule, also in Pyodide)

#: Control characters (C0 but newline, DEL, C1) and bidirectional overrides: printed raw, a
#: column name could clear the terminal or reorder the message around it.
_UNPRINTABLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class UserError(Exception):
    """A problem in the user's data or configuration, with what to do about it.

    `lines` holds one message per problem, so that every error of a config file is reported
    at once rather than one per run.
    """

    def __init__(self, *lines: str):
        super().__init__("\n".join(lines))
        self.lines = list(lines)


def terminal_safe(text: str) -> str:
    """Text for a terminal: unprintable characters as \\x.. or \\u.... escapes."""
    return _UNPRINTABLE.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )
