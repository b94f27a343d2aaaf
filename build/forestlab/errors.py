"""The one exception type for mistakes a user can fix (exit status 2, no traceback)."""

from __future__ import annotations


class UserError(Exception):
    """A problem in the user's data or configuration, with what to do about it.

    `lines` holds one message per problem, so that every error of a config file is reported
    at once rather than one per run.
    """

    def __init__(self, *lines: str):
        super().__init__("\n".join(lines))
        self.lines = list(lines)
