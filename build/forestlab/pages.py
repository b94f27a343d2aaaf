"""Generated fragments of the site's pages, in Chinese and English.

Hand-written pages in `site_src/` hold placeholders such as `<!-- forestlab:data-card -->`;
the MkDocs plugin replaces each with the HTML built here from the build output. Text from the
data (column names, class labels, descriptions) is always passed through `html.escape`, and
the fragments are raw HTML blocks that Markdown leaves alone, so nothing in a data set can
become markup or script on a page.
"""

from __future__ import annotations

import json
import posixpath
import re
from datetime import UTC, datetime
from html import escape

from forestlab.catalogue import catalogue, dim_name, text, value_label
from forestlab.formats import HELD_OUT, PLACEHOLDER, point_values, ranking
from forestlab.lessons import Lesson, bias_facts


class _Html(str):
    """A table cell that is already HTML (built here from escaped parts), not text."""


def _cell(c) -> str:
    return c if isinstance(c, _Html) else escape(str(c))


def _code(name: str) -> _Html:
    """A file or key name as code: it reads the same in every language."""
    return _Html(f"<code>{escape(name)}</code>")


def _name(name: str) -> _Html:
    """A key or field name in a reference table: code, kept on one line (a narrow table
    scrolls rather than break a name inside a word)."""
    return _Html(f'<span class="fl-nowrap">{_code(name)}</span>')


def _table(head: list[str], rows: list[list[str]], cls: str = "", marked: int = -1) -> str:
    """A table of text cells; the row numbered `marked` gets class fl-marked."""
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join(
        ('<tr class="fl-marked">' if i == marked else "<tr>")
        + "".join(f"<td>{_cell(c)}</td>" for c in r)
        + "</tr>"
        for i, r in enumerate(rows)
    )
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _fmt(v) -> str:
    return "–" if v is None or v != v else f"{v:.3f}"


def _md_text(text: str) -> str:
    """Our own caption text inside Markdown image brackets."""
    return escape(text).replace("[", "&#91;").replace("]", "&#93;")


def _inline(text: str) -> _Html:
    """Our own reference text as HTML, its `backticked` names as code."""
    parts = escape(text).split("`")
    return _Html("".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts)))


#: JSON Schema's type names as words of the page's language (`null` stays code).
TYPE_WORDS = {
    "any": "type.any",
    "string": "type.string",
    "integer": "type.integer",
    "number": "type.number",
    "boolean": "type.boolean",
    "object": "type.object",
}


def _schema_type(prop: dict, lang: str) -> str:
    """A JSON Schema property's type in a few words of `lang`, as HTML: constants, `null` and
    references (linked to their part, by their model's name) as code."""
    if not isinstance(prop, dict) or not prop:  # `true` or `{}`: anything
        return escape(text("type.any", lang))
    if "const" in prop:
        return _code(json.dumps(prop["const"]))
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return f'<a href="#format-{escape(name.lower())}">{_code(name)}</a>'
    if "anyOf" in prop:
        return " | ".join(_schema_type(p, lang) for p in prop["anyOf"])
    kind = prop.get("type", "any")
    if kind == "array":
        return escape(text("type.list", lang, item="\0")).replace(
            "\0", _schema_type(prop.get("items", {}), lang)
        )
    if kind == "object" and "additionalProperties" in prop:
        return escape(text("type.map", lang, item="\0")).replace(
            "\0", _schema_type(prop["additionalProperties"], lang)
        )
    if kind == "null":
        return _code("null")
    return escape(text(TYPE_WORDS.get(kind, "type.any"), lang))


def _rel(page_dir: str, target: str) -> str:
    """Link from a page's source folder to a file under the docs root."""
    return posixpath.relpath(target, page_dir or ".")


class Fragments:
    """Builds each placeholder's HTML from the build output, for one page."""

    def __init__(
        self,
        index: dict,
        data: dict,
        build: dict,
        page_dir: str,
        lang: str,
        boot=None,
        bias: dict | None = None,
    ):
        self.index, self.data, self.build, self.boot = index, data, build, boot
        self.page_dir, self.lang = page_dir, lang
        self.names = data["names"][lang]
        #: the importance lesson's forest (importance-bias.json), when the build made one
        self.bias = bias or None

    def render(self, markdown: str, source: str) -> str:
        self.source = source
        lesson = self.lesson(markdown)
        if lesson is not None:  # its numbers first, then the placeholders
            markdown = lesson.render(markdown)

        def replace(m: re.Match) -> str:
            kind, arg = m.group(1), m.group(2)
            method = getattr(self, kind.replace("-", "_"), None)
            if method is None:
                raise ValueError(f"{source}: unknown placeholder 'forestlab:{kind}'")
            options = json.loads(arg) if arg else {}
            return "\n" + method(**options) + "\n"

        return PLACEHOLDER.sub(replace, markdown)

    def lesson(self, markdown: str) -> Lesson | None:
        """The page's lesson: its viewer placeholder's options name a `lesson`."""
        for m in PLACEHOLDER.finditer(markdown):
            if m.group(1) == "viewer" and m.group(2):
                options = json.loads(m.group(2))
                if options.get("lesson"):
                    return self._lesson(options)
        return None

    def _lesson(self, options: dict) -> Lesson:
        facts = bias_facts(self.bias, self.names["features"], self.lang)
        return Lesson(self.source, self.index, self.boot, options, self.lang, self.sample(), facts)

    def bias_table(self) -> str:
        """The importance lesson's forest as a table: every feature and the random column,
        with its impurity and permutation importance and their ranks; the random row marked."""
        if not self.bias:
            return f"<p>{escape(text('page.no_bias', self.lang))}</p>"
        lang, bias = self.lang, self.bias
        names = [*self.names["features"], text("figure.random_column", lang)]
        impurity, pi = bias["impurity"], bias["permutation"]
        rank_i = sorted(range(len(names)), key=lambda i: (-impurity[i], i))
        rank_p = sorted(range(len(names)), key=lambda i: (-pi["mean"][i], i))
        rows = []
        for i in rank_p:
            cells = [
                names[i],
                f"{impurity[i]:.3f} ({rank_i.index(i) + 1})",
                _Html(
                    '<span class="fl-nowrap">'
                    f"{pi['mean'][i]:+.3f} ± {pi['std'][i]:.3f} ({rank_p.index(i) + 1})</span>"
                ),
            ]
            rows.append(cells)
        head = [text(f"page.{key}", lang) for key in ("feature", "impurity", "permutation")]
        # the random column's row is marked (bold, and its name says what it is)
        table = _table(head, rows, marked=rank_p.index(bias["random"]))
        note = text("page.bias_note", lang, trees=bias["trees"], repeats=pi["repeats"])
        return f'<div class="fl-table-scroll fl-bias">{table}</div><p>{escape(note)}</p>'

    def sample(self) -> dict | None:
        """The training sample the grid trains on (data.train_rows), as the lessons write it."""
        sampled = self.data.get("sampled_from")
        if not sampled:
            return None
        return {"n": f"{self.data['rows']['train']:,}", "of": f"{sampled:,}"}

    # -- fragments --

    def data_card(self) -> str:
        lang, d = self.lang, self.data
        target = d["spec"]["target"]
        counts = d["class_counts"]["train"]
        total = sum(counts)
        classes = [
            [value, name, f"{n:,}", f"{n / total:.1%}"]
            for value, name, n in zip(target["classes"], self.names["classes"], counts, strict=True)
        ]
        files = d["split_files"]
        rows = {s: f"{n:,}" for s, n in d["rows"].items()}
        sample = self.sample()  # data.train_rows: a sample of the training rows
        if sample:
            rows["train"] = text("page.rows_of", lang, **sample)
        held_out = escape(text("page.from_train", lang, file="\0")).split("\0")
        splits = [
            [
                text(f"split.{s}", lang),
                rows[s],
                _Html(_code(files["train"]).join(held_out))
                if files[s] == HELD_OUT
                else _code(files[s]),
            ]
            for s in ("train", "val", "test")
        ]
        columns = [
            [f["name"], name, text(f"page.{f['kind']}", lang)]
            for f, name in zip(d["spec"]["features"], self.names["features"], strict=True)
        ]
        sample_html = ""
        if sample:
            sample_html = f"<p>{escape(text('page.train_sample', lang, **sample))}</p>"
        about = d.get("about", {}).get(lang) or ""
        about_html = f"<p>{escape(about)}</p>" if about else ""
        return (
            f'<div class="forestlab-card">'
            f"<p><b>{escape(text('page.target', lang))}</b>: {escape(target['name'])} "
            f"({escape(self.names['target'])})</p>"
            + _table(
                [text("page.split", lang), text("page.rows", lang), text("page.source", lang)],
                splits,
            )
            + sample_html
            + _table(
                [
                    text("page.class", lang),
                    text("page.name", lang),
                    text("page.rows", lang),
                    text("page.share", lang),
                ],
                classes,
            )
            + _table(
                [text("page.column", lang), text("page.name", lang), text("page.kind", lang)],
                columns,
            )
            + about_html
            + "</div>"
        )

    def figures(self, only: list[str] | None = None) -> str:
        charts = sorted({c.split(".")[0] for c in self.data["charts"]})
        if only is not None:
            charts = [c for c in only if c in charts]
        out = []
        for name in charts:
            if name.startswith("curve-"):
                dim = name.removeprefix("curve-")
                caption = text("figure.curve_title", self.lang, dim=dim_name(dim, self.lang))
            else:
                # the title of the viewer's panel that shows the same; the build's own for a
                # figure no panel shows (the importance lesson's)
                own = f"figure.{name}_title"
                caption = text(own if own in catalogue() else f"chart.{name}_title", self.lang)
            # A Markdown image, so MkDocs checks the link and rewrites it for every language.
            src = _rel(
                self.page_dir, f"generated/{self.index['lab']}/charts/{name}.{self.lang}.svg"
            )
            out.append(
                f'<figure class="forestlab-figure" markdown="span">\n'
                f"![{_md_text(caption)}]({src}){{ loading=lazy width=640 height=400 }}\n"
                f"<figcaption>{escape(caption)}</figcaption>\n</figure>"
            )
        return '<div class="forestlab-figures" markdown="1">\n' + "\n".join(out) + "\n</div>"

    def best(self, rows: int = 10) -> str:
        """The best configurations on validation, from the index (what the viewer shows):
        the scores first, with their intervals, then only the dimensions that vary."""
        index, lang = self.index, self.lang
        dims, cols, scale = index["dims"], index["points"], index["scale"]
        varying = [d for d in dims if len(d["values"]) > 1]
        tied = set(index["best_set"])
        head = [
            text("score.val_accuracy", lang),
            text("page.interval", lang),
            text("score.train_accuracy", lang),
            text("viewer.nodes", lang),
            text("page.within_noise", lang),
            *(dim_name(d["name"], lang) for d in varying),
        ]
        body = []
        for p in ranking(cols)[:rows]:
            values = point_values(dims, p)
            body.append(
                [
                    _fmt(cols["val_accuracy"][p] / scale),
                    _Html(
                        '<span class="fl-nowrap">'
                        f"{_fmt(cols['val_low'][p] / scale)}–{_fmt(cols['val_high'][p] / scale)}"
                        "</span>"
                    ),
                    _fmt(cols["train_accuracy"][p] / scale),
                    f"{cols['n_nodes'][p]:,}",
                    text("word.yes" if p in tied else "word.no", lang),
                    *(value_label(d["name"], values[d["name"]], lang) for d in varying),
                ]
            )
        n = len(cols["val_accuracy"])
        summary = text("page.points", lang, points=n, families=index["n_families"])
        noise = text(
            "page.best_noise",
            lang,
            tied=len(tied),
            rows=index["interval"]["rows"],
            resamples=index["interval"]["resamples"],
        )
        return (
            f"<p>{escape(summary)}</p><p>{escape(noise)}</p>"
            f'<div class="fl-table-scroll fl-ranking">{_table(head, body)}</div>'
        )

    def viewer(self, **options) -> str:
        """The explorer: options may preset, fix or hide dimensions for a lesson."""
        allowed = {"preset", "fixed", "hide", "show_table", "figures", "live", "lesson", "main"}
        unknown = set(options) - allowed
        if unknown:
            raise ValueError(f"unknown viewer option(s): {', '.join(sorted(unknown))}")
        if options.get("lesson"):
            # presets checked against the grid; "best" searches only what the student may move
            lesson = self._lesson(options)
            options = {**options, "best": lesson.best_set(), "top": lesson.top()}
        config = escape(json.dumps(options, ensure_ascii=False), quote=True)
        fallback = self.figures(only=options.get("figures"))
        noscript = text("page.noscript", self.lang)
        # without JavaScript the "loading" line is hidden (by noscript.css, which the page
        # head loads inside <noscript>) and the page says what it needs and where the figures are
        overview = _md_text(text("page.noscript_link", self.lang))
        return (
            f'<div class="forestlab-viewer" data-lang="{self.lang}" '
            f'data-lab="{escape(self.index["lab"], quote=True)}" data-options="{config}">'
            f'<p class="forestlab-loading">{escape(text("page.loading", self.lang))}</p>'
            "</div>\n\n"
            f'<noscript markdown="1">\n<p class="forestlab-noscript">{escape(noscript)}</p>\n\n'
            f"[{overview}]({_rel(self.page_dir, 'overview.md')})\n\n{fallback}\n"
            "</noscript>"
        )

    def reproducibility(self) -> str:
        lang, d = self.lang, self.data
        epoch = int(self.build.get("source_date_epoch", 0))
        built = datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        items = [
            [text("page.seed", lang), str(self.index["seed"])],
            [text("page.built", lang), f"{built} ({epoch})"],
            [text("page.data_hash", lang), _code(d["data_sha256"])],
        ]
        # file and library names and hashes read the same in every language: as code
        files = [[_code(name), _code(digest)] for name, digest in sorted(d["file_sha256"].items())]
        libs = [[_code(lib), v] for lib, v in sorted(d["versions"].items())]
        grid = [
            [
                dim_name(d["name"], lang),
                ", ".join(value_label(d["name"], v, lang) for v in d["values"]),
            ]
            for d in self.index["dims"]
        ]
        return (
            _table([text("page.item", lang), text("page.value", lang)], items)
            + _table([text("page.file", lang), "SHA-256"], files)
            + _table([text("page.library", lang), text("page.version", lang)], libs)
            + _table([text("page.dimension", lang), text("page.values", lang)], grid)
        )

    def formats(self) -> str:
        """Each published format's fields, from its JSON Schema (`forestlab.formats`), with a
        link to the schema file the site publishes; the descriptions in the page's language
        (the schemas carry the English)."""
        from forestlab.formats import description_key, json_schemas, models

        lang, by_name = self.lang, models()

        def fields(title: str, schema: dict) -> str:
            model = by_name[title]
            keys = {f.alias or n: description_key(model, n) for n, f in model.model_fields.items()}
            rows = [
                [_name(key), _Html(_schema_type(prop, lang)), _inline(text(keys[key], lang))]
                for key, prop in schema["properties"].items()
            ]
            head = [text("page.field", lang), text("page.type", lang), text("page.meaning", lang)]
            return _table(head, rows)

        out, parts = [], {}
        for name, schema in json_schemas().items():
            title = schema["title"]
            href = _rel(self.page_dir, f"generated/{self.index['lab']}/schema/{name}.schema.json")
            out.append(
                f'<h3 id="format-{escape(title.lower())}"><code>{escape(title)}</code></h3>\n'
                f"<p>{escape(text('page.schema_file', lang))} "
                f'<a href="{escape(href, quote=True)}"><code>{escape(name)}.schema.json</code></a>'
                "</p>\n" + fields(title, schema)
            )
            parts.update(schema.get("$defs", {}))
        out.append(f'<h3 id="format-parts">{escape(text("page.format_parts", lang))}</h3>')
        for part, schema in sorted(parts.items()):
            out.append(
                f'<h4 id="format-{escape(part.lower())}"><code>{escape(part)}</code></h4>\n'
                + fields(part, schema)
            )
        return "\n".join(out)

    def config_reference(self) -> str:
        from forestlab.config import options_reference

        required = text("config.required", self.lang)
        rows = [
            [
                _name(key),
                _code(default) if default and default != required else default,
                _inline(doc),
            ]
            for key, default, doc in options_reference(self.lang)
        ]
        return _table(
            [
                text("page.key", self.lang),
                text("page.default", self.lang),
                text("page.meaning", self.lang),
            ],
            rows,
        )
