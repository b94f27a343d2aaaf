"""Sentences for people as catalogue keys with the values that fill them, rendered in a
language only when shown.

A message (`Message("error.csv.empty", path="train.csv")`) keeps its key and values, so the
command line shows it in the language chosen for the run and the live panel in the page's
language. The texts are in `forestlab/catalogue.json`, the one catalogue of display text.

Plain Python, as the rest of `forestlab.core`: the browser widget's wheel holds no catalogue,
so there a message renders as its key and values, and the page renders it from its own
catalogue (`to_json`).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

#: The languages of the catalogue, Chinese first.
LANGS = ("zh", "en")
CATALOGUE = Path(__file__).resolve().parent.parent / "catalogue.json"
_language = {"current": "en"}


def set_language(lang: str) -> None:
    """The language messages render in when none is asked for (the command line's)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}")
    _language["current"] = lang


def language() -> str:
    return _language["current"]


@cache
def catalogue() -> dict[str, dict[str, str]]:
    try:
        return json.loads(CATALOGUE.read_text(encoding="utf-8"))
    except OSError:  # the widget's wheel (Pyodide): its page renders messages itself
        return {}


class Message:
    """One sentence: a catalogue key and the values of its `{fields}`. A value may itself be
    a Message (rendered in the same language) or a list of them (joined by the language's
    separator)."""

    __slots__ = ("key", "params")

    def __init__(self, key: str, /, **params):
        self.key, self.params = key, params

    def render(self, lang: str | None = None) -> str:
        lang = lang or language()
        fields = {k: render(v, lang) for k, v in self.params.items()}
        texts = catalogue().get(self.key)
        if texts is None:
            return f"{self.key} {json.dumps(fields, ensure_ascii=False)}" if fields else self.key
        return texts[lang].format_map(fields)

    def to_json(self) -> dict:
        """Key and values for a page to render with its catalogue (values as the text shown)."""
        return {"key": self.key, "params": {k: _json(v) for k, v in self.params.items()}}

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Message({self.key!r}, **{self.params!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Message) and (self.key, self.params) == (other.key, other.params)

    __hash__ = None


def render(value, lang: str | None = None) -> str:
    """A message, a list of messages or a plain value as text in `lang`."""
    lang = lang or language()
    if isinstance(value, Message):
        return value.render(lang)
    if isinstance(value, list):
        separator = catalogue().get("message.separator", {}).get(lang, "; ")
        return separator.join(render(v, lang) for v in value)
    return str(value)


def _json(value):
    if isinstance(value, Message):
        return value.to_json()
    if isinstance(value, list):
        return [_json(v) for v in value]
    return str(value)


class MessageError(ValueError):
    """A ValueError whose text is a Message (the grid's value checks, the widget's refusals)."""

    def __init__(self, key: str, /, **params):
        self.message = Message(key, **params)
        super().__init__(key)

    def __str__(self) -> str:
        return self.message.render()
