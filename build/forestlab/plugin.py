"""The MkDocs plugin `forestlab`: bring a build's output into the site.

`plugins: [forestlab]` in `mkdocs.yml` (after `i18n`). The plugin adds every published file
of the build output (index, family shards, data card, schemas, charts, the widget's rows and
wheel) under `generated/<lab>/`, the browser modules that ship inside the package
(`forestlab/assets/`) under `assets/forestlab/`, the chart library (`forestlab/vendor/`, uPlot,
pinned) under `assets/vendor/`, ForestLab's template overrides, and (with `widget.copy_core`)
the Pyodide core from `node_modules/`; it fills the `<!-- forestlab:… -->` placeholders of the
pages with fragments built from the output (see `forestlab.pages`). Pages with a viewer, and
only those, get its script, its styles and the display-text catalogue. Nothing generated is
ever written into the docs folder.

With `splits` set, `mkdocs build` and `mkdocs serve` first train what the cache lacks (as
`forestlab build` does); `forestlab build --site` passes its own output and trains nothing
twice.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import posixpath
import re
from html import escape
from pathlib import Path

import jinja2
import jinja2.meta
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from forestlab.catalogue import LANGS, for_language, text
from forestlab.config import SITE_CORE
from forestlab.core.messages import render
from forestlab.formats import BIAS_FILE, DEFAULT_LAB, output_folder
from forestlab.lessons import load_bootstrap
from forestlab.noise import CORRECT_FILE
from forestlab.pages import Fragments

#: Build output that is not published: it varies from run to run, or is internal.
PRIVATE = {"timings.json", "build.json", "stamp.txt", CORRECT_FILE}
#: The viewer's modules and styles, shipped inside the package.
ASSETS = Path(__file__).with_name("assets")
#: Browser libraries shipped inside the package: uPlot's files as npm publishes them (the
#: version pinned in package.json; a test compares them with node_modules/).
VENDOR = {
    "assets/vendor/uPlot.iife.min.js": Path(__file__).with_name("vendor")
    / "uplot"
    / "uPlot.iife.min.js",
    "assets/vendor/uPlot.min.css": Path(__file__).with_name("vendor") / "uplot" / "uPlot.min.css",
}
#: ForestLab's overrides of Material's templates.
THEME = Path(__file__).with_name("theme")
VIEWER_SCRIPT = "assets/forestlab/viewer.js"
#: uPlot's own stylesheet loads with the charts (charts.js), explain.css with the panels that
#: use it (explain.js, mapview.js): when those panels come near the screen
VIEWER_STYLES = ("assets/forestlab/viewer.css",)
#: Styles for a browser without JavaScript: no "loading" line that never ends.
NOSCRIPT_STYLES = "assets/forestlab/noscript.css"
#: The Pyodide core (npm package `pyodide`, pinned), copied when `widget.copy_core` is set.
PYODIDE_CORE = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)

log = logging.getLogger("mkdocs.plugins.forestlab")
#: Inline scripts of Material's templates (executable ones: no src, not a JSON data block).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(?:src|type)=)[^>]*>(.*?)</script>", re.S)
#: Only what the site needs: its own files, plus the inline scripts by hash. No eval, no
#: inline event handlers, no third-party origins.
CSP = (
    "default-src 'self'; script-src 'self' {hashes}; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; worker-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'"
)


def content_security_policy(html: str) -> str:
    hashes = sorted(
        {
            "'sha256-"
            + base64.b64encode(hashlib.sha256(m.group(1).encode()).digest()).decode()
            + "'"
            for m in INLINE_SCRIPT.finditer(html)
        }
    )
    policy = CSP.format(hashes=" ".join(hashes))
    return f'<meta http-equiv="Content-Security-Policy" content="{policy}">'


def _with_csp(html: str) -> str:
    meta = content_security_policy(html)
    head = re.search(r"<head[^>]*>", html)
    if head is None:
        return html
    return html[: head.end()] + "\n" + meta + html[head.end() :]


#: The lab switcher's placeholder, on a line of its own like the others (forestlab.pages).
LABS_PLACEHOLDER = re.compile(r"^[ \t]*<!--\s*forestlab:labs\s*-->[ \t]*$", re.M)
#: `import … from "./x.js"` (static imports; dynamic `import()` is left to load on demand)
STATIC_IMPORT = re.compile(r"""^\s*import\s[^;]*?from\s+["'](\.{1,2}/[^"']+)["']""", re.M)


def module_graph(entry: str) -> list[str]:
    """The viewer modules the entry module imports statically, directly or not (paths under
    `assets/forestlab/`), so a page can ask for all of them at once instead of discovering
    them one import level (one round trip) at a time."""
    seen, todo = [], [entry]
    while todo:
        rel = todo.pop()
        if rel in seen:
            continue
        seen.append(rel)
        text = (ASSETS / rel).read_text(encoding="utf-8")
        base_dir = posixpath.dirname(rel)
        todo += [
            posixpath.normpath(posixpath.join(base_dir, m)) for m in STATIC_IMPORT.findall(text)
        ]
    return sorted(seen)


def _json_block(element_id: str, obj) -> str:
    """A JSON data block (not executed, so outside the CSP's script hashes); `<` is escaped
    so that no text can close the element."""
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")
    return f'<script type="application/json" id="{element_id}">{text}</script>'


def _language(config) -> str:
    """The language this build of the site is in (mkdocs-static-i18n builds each in turn)."""
    lang = config.theme.get("language")
    return lang if lang in LANGS else LANGS[0]


class _CompiledTemplates(jinja2.BytecodeCache):
    """The theme's templates compiled once per process: the i18n plugin builds the site once
    per language, each time with a new Jinja environment that would compile the same
    templates again (a fifth of a site build). Jinja checks each entry against the template's
    source, so an edited template is compiled anew."""

    def __init__(self):
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


_compiled = _CompiledTemplates()


def compile_theme() -> None:
    """Compile Material's page templates, with ForestLab's overrides, into this process's
    template cache ahead of a site build: `forestlab build --site` calls it while it waits for
    its worker processes to start, so the site build later finds them compiled. Templates are
    found from the page and 404 templates through what they extend and include."""
    try:
        _compile_theme()
    except Exception:  # only a head start: the site build compiles (and reports) it itself
        return


def _compile_theme() -> None:
    from mkdocs.theme import Theme

    env = Theme(name="material").get_env()
    env.loader.searchpath.insert(0, str(THEME))  # as on_config puts the overrides first
    env.bytecode_cache = _compiled
    todo, seen = ["main.html", "404.html"], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            source, _, _ = env.loader.get_source(env, name)
        except jinja2.TemplateNotFound:
            continue
        env.get_template(name)
        todo += [n for n in jinja2.meta.find_referenced_templates(env.parse(source)) if n]


class LabConfig(base.Config):
    """One lab (data set) of a site with several."""

    #: The lab's key: its pages live in the docs folder of that name, its files under
    #: `generated/<key>/`. Letters, digits, `-` and `_`.
    key = c.Type(str)
    #: Its data folder (train.csv, val.csv, test.csv and forestlab.yml).
    splits = c.Type(str)
    #: Its configuration file, if not `forestlab.yml` in `splits`.
    config = c.Optional(c.Type(str))
    #: Its name in the lab switcher, per language (default: the key).
    title = c.Optional(c.Type(dict))


class ForestLabConfig(base.Config):
    """The plugin's options in `mkdocs.yml`; paths are relative to that file."""

    #: The build output to publish (one lab). Default: the FORESTLAB_OUT environment variable,
    #: else `.forestlab/out` beside `mkdocs.yml`.
    out = c.Optional(c.Type(str))
    #: The data folder (train.csv, val.csv, test.csv and forestlab.yml). When set, the site
    #: build trains what the cache lacks first, into the output's work folder.
    splits = c.Optional(c.Type(str))
    #: The configuration file, if not `forestlab.yml` in `splits`.
    config = c.Optional(c.Type(str))
    #: Several labs instead of one `splits`: each trained into `.forestlab/labs/<key>` (one
    #: cache for all), its pages in the docs folder `<key>/`.
    labs = c.ListOfItems(c.SubConfig(LabConfig), default=[])
    #: Worker processes for the training (default: the configuration's `build.jobs`).
    jobs = c.Optional(c.Type(int))


LAB_KEY = re.compile(r"[A-Za-z0-9_-]+")


class ForestLabPlugin(BasePlugin[ForestLabConfig]):
    """See the module docstring. One instance serves every language of a build."""

    def __init__(self):
        super().__init__()
        self.labs: dict[str, dict] = {}  # key -> what the pages of that lab are made from
        self.boots: dict = {}  # (output, stamp) -> the lessons' bootstrap
        self.trained: set = set()
        self.page_lab: dict[str, str] = {}  # page source -> its lab

    def _root(self, config) -> Path:
        return Path(config.config_file_path).parent

    def _work(self, config) -> Path:
        return self._root(config) / ".forestlab"

    def _sources(self, config) -> list[tuple[str, Path | None, Path | None, dict]]:
        """(key, splits, config file, title) per lab, in order; splits None: output given."""
        root = self._root(config)
        if self.config.labs:
            if self.config.splits:
                raise PluginError("forestlab: give either `splits` or `labs`, not both")
            found = []
            for lab in self.config.labs:
                if not LAB_KEY.fullmatch(lab.key) or lab.key in [f[0] for f in found]:
                    raise PluginError(
                        f"forestlab: labs: key {lab.key!r} must be unique and made of letters, "
                        "digits, '-' and '_'"
                    )
                splits = root / lab.splits
                cfg_file = root / lab.config if lab.config else splits / "forestlab.yml"
                found.append((lab.key, splits, cfg_file, lab.title or {}))
            return found
        splits = root / self.config.splits if self.config.splits else None
        cfg_file = root / self.config.config if self.config.config else None
        if splits is not None and cfg_file is None:
            cfg_file = splits / "forestlab.yml"
        return [(DEFAULT_LAB, splits, cfg_file, {})]

    def _output(self, config, key: str) -> Path:
        """A lab's build output: the site's only lab may be given by FORESTLAB_OUT or `out`."""
        if key == DEFAULT_LAB and os.environ.get("FORESTLAB_OUT"):
            return Path(os.environ["FORESTLAB_OUT"])
        if key == DEFAULT_LAB and self.config.out:
            return self._root(config) / self.config.out
        return output_folder(self._work(config), key)

    def _train(self, config, key: str, splits: Path | None, cfg_file: Path | None) -> None:
        """`forestlab build` for a lab's splits, once per MkDocs run (each language reads the
        configuration again); the caller of `forestlab build --site` sets FORESTLAB_OUT and
        has trained already."""
        if splits is None or (key == DEFAULT_LAB and os.environ.get("FORESTLAB_OUT")):
            return
        from forestlab.errors import UserError
        from forestlab.pipeline import Paths, build

        paths = Paths(
            splits,
            cfg_file,
            self._work(config),
            key,
            self._output(config, key),
            pages=Path(config.docs_dir),
        )
        # what the data and configuration were when trained: an edit trains again
        files = [cfg_file, *sorted(splits.glob("*"))]
        stamp = (key, *(str(f) for f in files), *(f.stat().st_mtime_ns for f in files))
        if stamp in self.trained:
            return
        try:
            summary = build(paths, self.config.jobs)
        except UserError as e:
            raise PluginError("\n".join(e.lines)) from None
        self.trained.add(stamp)
        log.info(render(summary.line()))
        config.watch.append(str(splits))

    def on_config(self, config):
        self.labs = {}
        for key, splits, cfg_file, title in self._sources(config):
            self._train(config, key, splits, cfg_file)
            self.labs[key] = self._read(config, key, title)
        if any(lab["data"].get("widget", {}).get("copy_core") for lab in self.labs.values()):
            modules = self._root(config) / "node_modules"
            core = {f"{SITE_CORE}{name}": modules / "pyodide" / name for name in PYODIDE_CORE}
            missing = [str(src) for src in core.values() if not src.is_file()]
            if missing:
                raise PluginError(
                    f"widget.copy_core: {', '.join(missing)} not found; run `npm ci` (the "
                    "pinned Pyodide core) beside mkdocs.yml first"
                )
            self.vendored = {**VENDOR, **core}
        else:
            self.vendored = dict(VENDOR)
        # ForestLab's template overrides come after the site's own custom_dir, before Material
        dirs = config.theme.dirs
        if str(THEME) not in dirs:
            dirs.insert(1 if config.theme.custom_dir else 0, str(THEME))
        return config

    def _read(self, config, key: str, title: dict) -> dict:
        out = self._output(config, key)
        if not (out / "index.json").is_file():
            raise PluginError(
                f"no ForestLab build output in {out}: set `splits` in the plugin's options, "
                "run `forestlab build`, or set FORESTLAB_OUT to the output folder"
            )

        def read(name: str) -> dict:
            path = out / name
            return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

        index = read("index.json")
        if index.get("lab", DEFAULT_LAB) != key:
            raise PluginError(f"{out}: the output of lab {index.get('lab')!r}, not of {key!r}")
        return {
            "key": key,
            "title": title,
            "out": out,
            "index": index,
            "data": read("data.json"),
            "build": read("build.json"),
            "bias": read(BIAS_FILE),
            "boot": self._bootstrap(out, index),
        }

    def _bootstrap(self, out: Path, index: dict):
        """The build's bootstrap for the lessons, drawn once per output (not per language)."""
        if not index.get("interval"):
            return None
        stamp_file = out / "stamp.txt"
        stamp = (out, stamp_file.read_bytes() if stamp_file.is_file() else None)
        if stamp[1] is None or stamp not in self.boots:
            self.boots[stamp] = load_bootstrap(out / CORRECT_FILE, index)
        return self.boots[stamp]

    def _lab_of(self, src_uri: str) -> dict:
        """A page's lab: the lab whose key is the page's first folder, else the first lab."""
        first = src_uri.split("/", 1)[0]
        return self.labs.get(first) or next(iter(self.labs.values()))

    def on_env(self, env: jinja2.Environment, config, files: Files) -> jinja2.Environment:
        env.bytecode_cache = _compiled
        return env

    def on_files(self, files: Files, config) -> Files:
        for key, lab in self.labs.items():
            out: Path = lab["out"]
            for path in sorted(out.rglob("*")):
                if path.is_file() and path.name not in PRIVATE:
                    rel = path.relative_to(out).as_posix()
                    files.append(
                        File.generated(config, f"generated/{key}/{rel}", abs_src_path=str(path))
                    )
        for path in sorted(ASSETS.rglob("*")):
            if path.is_file():
                rel = path.relative_to(ASSETS).as_posix()
                files.append(
                    File.generated(config, f"assets/forestlab/{rel}", abs_src_path=str(path))
                )
        for dest, path in self.vendored.items():
            files.append(File.generated(config, dest, abs_src_path=str(path)))
        return files

    def on_post_template(self, output: str, template_name: str, config) -> str:
        return _with_csp(output) if template_name.endswith(".html") else output

    def on_post_page(self, output: str, page, config) -> str:
        """Every page gets the Content-Security-Policy. Pages with a viewer also get its
        script (and its modules, asked for at once), its styles, the display text in their
        language, and start downloading their lab's index with the page itself; other pages
        load none of it."""
        output = _with_csp(output)
        if 'class="forestlab-viewer"' not in output:
            return output
        # Generated files live once, at the site root; page.url is relative to that root
        # (it starts with en/ on English pages).
        root, lang = "../" * page.url.count("/"), _language(config)
        lab = self.page_lab.get(page.file.src_uri) or self._lab_of(page.file.src_uri)["key"]
        head = [
            f'<link rel="preload" href="{root}generated/{lab}/index.json" as="fetch" '
            'type="application/json" crossorigin>',
            *(f'<link rel="stylesheet" href="{root}{css}">' for css in VIEWER_STYLES),
            f'<noscript><link rel="stylesheet" href="{root}{NOSCRIPT_STYLES}"></noscript>',
            *(
                f'<link rel="modulepreload" href="{root}assets/forestlab/{module}">'
                for module in module_graph(VIEWER_SCRIPT.removeprefix("assets/forestlab/"))
            ),
            # the display text before the script, which runs as soon as it has loaded
            # (async): the first numbers wait neither for the rest of the page nor for the
            # theme's scripts
            _json_block("forestlab-text", for_language(lang)),
            f'<script type="module" async src="{root}{VIEWER_SCRIPT}"></script>',
        ]
        return output.replace("</head>", "\n".join(head) + "\n</head>", 1)

    def switcher(self, page, files: Files, lang: str) -> str:
        """`<!-- forestlab:labs -->`: every lab of the site, each linked to its explorer (or
        the first page of its folder), with its size; the page's own lab marked. HTML with
        the links MkDocs gave those pages, so it needs no Markdown extension."""
        current = self._lab_of(page.file.src_uri)["key"]
        pages = {f.src_uri: f for f in files.documentation_pages()}
        url = page.file.url  # the page's folder in the site: links are relative to it
        here = url if url.endswith("/") else (posixpath.dirname(url) + "/").lstrip("/")
        items = []
        for key, lab in self.labs.items():
            inside = sorted(p for p in pages if p.startswith(f"{key}/"))
            target = (
                f"{key}/explorer.md" if f"{key}/explorer.md" in pages else next(iter(inside), None)
            )
            name = escape(lab["title"].get(lang) or lab["title"].get("en") or key)
            if target is not None:
                url = pages[target].url
                href = posixpath.relpath(url or ".", here or ".") + (
                    "/" if url.endswith("/") else ""
                )
                name = f'<a href="{escape(href, quote=True)}">{name}</a>'
            if key == current:
                mark = escape(text("page.lab_current", lang))
                name = f'<strong aria-current="page">{name}</strong> ({mark})'
            rows = lab["data"].get("rows", {}).get("train")
            size = f" — {escape(text('page.lab_rows', lang, rows=f'{rows:,}'))}" if rows else ""
            items.append(f"<li>{name}{size}</li>")
        label = escape(text("page.labs", lang), quote=True)
        return f'<nav class="forestlab-labs" aria-label="{label}"><ul>{"".join(items)}</ul></nav>'

    def on_page_markdown(self, markdown: str, page, config, files) -> str:
        lang = _language(config)
        src = page.file.src_uri
        lab = self._lab_of(src)
        self.page_lab[src] = lab["key"]
        markdown = LABS_PLACEHOLDER.sub(
            lambda m: "\n" + self.switcher(page, files, lang) + "\n", markdown
        )
        fragments = Fragments(
            lab["index"],
            lab["data"],
            lab["build"],
            posixpath.dirname(src),
            lang,
            lab["boot"],
            lab["bias"],
        )
        try:
            return fragments.render(markdown, src)
        except (ValueError, TypeError) as e:
            raise PluginError(str(e)) from None
