"""Display text in Chinese and English: one catalogue (`catalogue.json`) for the charts, the
generated pages, the viewer, the live panel and the command line's messages (see
`forestlab.core.messages`).

The MkDocs plugin hands the browser the same file, flattened to the page's language, so Python
and JavaScript cannot drift apart. Display text is not part of any cache key: editing a
translation redraws and republishes, and retrains nothing.
"""

from __future__ import annotations

from forestlab.core.messages import CATALOGUE, LANGS, catalogue  # noqa: F401  (one loader)


def text(key: str, lang: str, **fmt) -> str:
    """The text of `key` in `lang`, with `{name}` fields filled from `fmt`."""
    return catalogue()[key][lang].format(**fmt) if fmt else catalogue()[key][lang]


#: Text that only the build (generated pages, figures) and the command line show: the
#: options' and format fields' descriptions, type words, the command line's messages, the
#: errors of reading data, configuration, lessons and the build, the figures' labels and the
#: generated pages' own words. Pages do not hand it to their scripts, which never look it up
#: (it would only add to the first view).
NOT_FOR_SCRIPTS = ("config.", "format.", "type.", "cli.", "error.", "figure.", "page.")
#: Errors the page may have to show after all: those `forestlab.core` gives, since the live
#: widget runs it in the browser (a test checks that every one it can give is here).
ERRORS_FOR_SCRIPTS = ("error.live.", "error.check.", "error.what.", "error.csv.")


def for_language(lang: str) -> dict[str, str]:
    """Every key's text in one language that a page's scripts may need: what it hands them."""
    return {
        key: texts[lang]
        for key, texts in catalogue().items()
        if not key.startswith(NOT_FOR_SCRIPTS) or key.startswith(ERRORS_FOR_SCRIPTS)
    }


def dim_name(dim: str, lang: str) -> str:
    return text(f"dim.{dim}", lang)


def value_label(dim: str, value, lang: str) -> str:
    """How a grid value is shown: null as the dimension's word for it ("unlimited", "all")."""
    from forestlab.core.dims import BY_NAME

    if value is None:
        return text(f"value.{BY_NAME[dim].none or 'none'}", lang)
    return str(value)
