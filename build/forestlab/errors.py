"""The one exception type for mistakes a user can fix (exit status 2, no traceback), and how
values from the user's files are quoted in messages.

Messages are catalogue keys with their values (`forestlab.core.messages.Message`), rendered in
the language of the run (`forestlab --lang`, FORESTLAB_LANG or the locale) when shown."""

from __future__ import annotations

import re

from forestlab.core.dims import shown  # noqa: F401  (one quoting rule, also in Pyodide)
from forestlab.core.messages import Message, language, render

#: Control characters (C0 but newline, DEL, C1) and bidirectional overrides: printed raw, a
#: column name could clear the terminal or reorder the message around it.
_UNPRINTABLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class UserError(Exception):
    """A problem in the user's data or configuration, with what to do about it.

    One message per problem, so that every error of a config file is reported at once rather
    than one per run: `UserError("error.key", **fields)` for one, `UserError(Message(…), …)`
    for several. Text that is not ForestLab's own (MkDocs' messages) may follow a Message as a
    plain string. `lines` are the messages in the run's language, `render(lang)` in another.
    """

    def __init__(self, first: str | Message, /, *more: Message | str, **fields):
        if isinstance(first, str):  # a catalogue key, never a sentence
            first = Message(first, **fields)
        elif fields:
            raise TypeError("fields go with a catalogue key, not with a Message")
        self.messages: list[Message | str] = [first, *more]
        super().__init__(*self.messages)  # args that rebuild it (pickled between processes)

    def render(self, lang: str | None = None) -> list[str]:
        return [render(m, lang or language()) for m in self.messages]

    @property
    def lines(self) -> list[str]:
        return self.render()

    def __str__(self) -> str:
        return "\n".join(self.lines)


def say(key: str, **fields) -> str:
    """A catalogue text in the run's language, escaped for the terminal."""
    return terminal_safe(Message(key, **fields).render())


def terminal_safe(text: str) -> str:
    """Text for a terminal: unprintable characters as \\x.. or \\u.... escapes."""
    return _UNPRINTABLE.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )
