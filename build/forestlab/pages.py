"""Generated fragments of the site's pages, in Chinese and English.

Hand-written pages in `site_src/` hold placeholders such as `<!-- forestlab:data-card -->`;
the MkDocs hook replaces each with the HTML built here from the build output. Text from the
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

from forestlab.labels import TEXT, value_label

#: <!-- forestlab:NAME {optional JSON} -->
PLACEHOLDER = re.compile(r"<!--\s*forestlab:([a-z-]+)\s*(\{.*?\})?\s*-->", re.S)

METRICS = ("accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "log_loss")

WORDS = {
    "split": {"zh": "数据划分", "en": "Split"},
    "rows": {"zh": "行数", "en": "Rows"},
    "source": {"zh": "来源", "en": "Source"},
    "from_train": {"zh": "从 train.csv 划出", "en": "held out of train.csv"},
    "train": {"zh": "训练集", "en": "training"},
    "val": {"zh": "验证集", "en": "validation"},
    "test": {"zh": "测试集", "en": "test"},
    "column": {"zh": "列", "en": "Column"},
    "name": {"zh": "显示名称", "en": "Display name"},
    "kind": {"zh": "类型", "en": "Kind"},
    "numeric": {"zh": "数值", "en": "numeric"},
    "categorical": {"zh": "类别", "en": "categorical"},
    "target": {"zh": "预测目标", "en": "Target"},
    "class": {"zh": "类别", "en": "Class"},
    "share": {"zh": "占比", "en": "Share"},
    "about": {"zh": "数据说明", "en": "About the data"},
    "points": {
        "zh": "{points} 个网格点，{families} 个森林家族",
        "en": "{points} grid points in {families} forest families",
    },
    "trees": {"zh": "树的数量", "en": "Trees"},
    "val_acc": {"zh": "验证集准确率", "en": "Validation accuracy"},
    "train_acc": {"zh": "训练集准确率", "en": "Training accuracy"},
    "item": {"zh": "项目", "en": "Item"},
    "value": {"zh": "值", "en": "Value"},
    "seed": {"zh": "随机种子", "en": "Seed"},
    "built": {"zh": "构建时间（SOURCE_DATE_EPOCH）", "en": "Built (SOURCE_DATE_EPOCH)"},
    "data_hash": {"zh": "预处理后数据的 SHA-256", "en": "SHA-256 of the preprocessed data"},
    "file": {"zh": "文件", "en": "File"},
    "library": {"zh": "库", "en": "Library"},
    "version": {"zh": "版本", "en": "Version"},
    "dimension": {"zh": "超参数", "en": "Hyperparameter"},
    "values": {"zh": "取值", "en": "Values"},
    "key": {"zh": "配置项", "en": "Key"},
    "default": {"zh": "默认值", "en": "Default"},
    "meaning": {"zh": "含义", "en": "Meaning"},
    "noscript": {
        "zh": "交互式浏览需要 JavaScript。以下是预先生成的静态图表。",
        "en": "The interactive explorer needs JavaScript. Here are the precomputed static figures.",
    },
    "loading": {"zh": "正在加载预先计算的结果……", "en": "Loading the precomputed results…"},
}


def w(key: str, lang: str, **fmt) -> str:
    return WORDS[key][lang].format(**fmt)


def _table(head: list[str], rows: list[list[str]], cls: str = "") -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>" for r in rows
    )
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _fmt(v) -> str:
    return "–" if v is None or v != v else f"{v:.3f}"


def _md_text(text: str) -> str:
    """Our own caption text inside Markdown image brackets."""
    return escape(text).replace("[", "&#91;").replace("]", "&#93;")


def _rel(page_dir: str, target: str) -> str:
    """Link from a page's source folder to a file under the docs root."""
    return posixpath.relpath(target, page_dir or ".")


class Fragments:
    """Builds each placeholder's HTML from the build output, for one page."""

    def __init__(self, results: dict, data: dict, build: dict, page_dir: str, lang: str):
        self.results, self.data, self.build = results, data, build
        self.page_dir, self.lang = page_dir, lang
        self.names = data["names"][lang]

    def render(self, markdown: str, source: str) -> str:
        def replace(m: re.Match) -> str:
            kind, arg = m.group(1), m.group(2)
            method = getattr(self, kind.replace("-", "_"), None)
            if method is None:
                raise ValueError(f"{source}: unknown placeholder 'forestlab:{kind}'")
            options = json.loads(arg) if arg else {}
            return "\n" + method(**options) + "\n"

        return PLACEHOLDER.sub(replace, markdown)

    # -- fragments --

    def data_card(self) -> str:
        lang, d = self.lang, self.data
        target = d["spec"]["target"]
        counts = d["class_counts"]["train"]
        total = sum(counts)
        classes = [
            [value, name, str(n), f"{n / total:.1%}"]
            for value, name, n in zip(target["classes"], self.names["classes"], counts, strict=True)
        ]
        splits = [
            [
                w(s, lang),
                str(d["rows"][s]),
                d["split_files"][s]
                if d["split_files"][s].endswith(".csv")
                else w("from_train", lang),
            ]
            for s in ("train", "val", "test")
        ]
        columns = [
            [f["name"], name, w(f["kind"], lang)]
            for f, name in zip(d["spec"]["features"], self.names["features"], strict=True)
        ]
        about = d.get("about", {}).get(lang) or ""
        about_html = f"<p>{escape(about)}</p>" if about else ""
        return (
            f'<div class="forestlab-card">'
            f"<p><b>{escape(w('target', lang))}</b>: {escape(target['name'])} "
            f"({escape(self.names['target'])})</p>"
            + _table([w("split", lang), w("rows", lang), w("source", lang)], splits)
            + _table(
                [w("class", lang), w("name", lang), w("rows", lang), w("share", lang)], classes
            )
            + _table([w("column", lang), w("name", lang), w("kind", lang)], columns)
            + about_html
            + "</div>"
        )

    def figures(self, only: list[str] | None = None) -> str:
        charts = sorted({c.split(".")[0] for c in self.data["charts"]})
        if only is not None:
            charts = [c for c in only if c in charts]
        out = []
        for name in charts:
            key = {
                "trees": "trees_title",
                "confusion": "confusion_title",
                "importance": "importance_title",
                "roc": "roc_title",
            }.get(name)
            if key:
                caption = TEXT[key][self.lang]
            else:
                dim = name.removeprefix("curve-")
                caption = TEXT["curve_title"][self.lang].format(dim=TEXT[dim][self.lang])
            # A Markdown image, so MkDocs checks the link and rewrites it for every language.
            src = _rel(self.page_dir, f"generated/charts/{name}.{self.lang}.svg")
            out.append(
                f'<figure class="forestlab-figure" markdown="span">\n'
                f"![{_md_text(caption)}]({src}){{ loading=lazy width=640 height=400 }}\n"
                f"<figcaption>{escape(caption)}</figcaption>\n</figure>"
            )
        return '<div class="forestlab-figures" markdown="1">\n' + "\n".join(out) + "\n</div>"

    def best(self, rows: int = 10) -> str:
        points = [(f["params"], p) for f in self.results["families"] for p in f["points"]]
        ranked = sorted(
            points, key=lambda fp: (-fp[1]["metrics"]["val"]["accuracy"], fp[1]["n_nodes"])
        )
        dims = self.results["dim_order"]
        head = [w("trees", self.lang)] + [TEXT[d][self.lang] for d in dims[1:]]
        head += [w("val_acc", self.lang), w("train_acc", self.lang)]
        body = [
            [str(p["n_estimators"])]
            + [value_label(d, params[d], self.lang) for d in dims[1:]]
            + [_fmt(p["metrics"]["val"]["accuracy"]), _fmt(p["metrics"]["train"]["accuracy"])]
            for params, p in ranked[:rows]
        ]
        n = len(points)
        summary = w("points", self.lang, points=n, families=len(self.results["families"]))
        return f"<p>{escape(summary)}</p>" + _table(head, body)

    def viewer(self, **options) -> str:
        """The explorer: options may preset, fix or hide dimensions for a lesson."""
        allowed = {"preset", "fixed", "hide", "show_table", "figures", "live"}
        unknown = set(options) - allowed
        if unknown:
            raise ValueError(f"unknown viewer option(s): {', '.join(sorted(unknown))}")
        config = escape(json.dumps(options, ensure_ascii=False), quote=True)
        fallback = self.figures(only=options.get("figures"))
        return (
            f'<div class="forestlab-viewer" data-lang="{self.lang}" data-options="{config}">'
            f'<p class="forestlab-loading">{escape(w("loading", self.lang))}</p>'
            "</div>\n\n"
            f'<noscript markdown="1">\n<p>{escape(w("noscript", self.lang))}</p>\n{fallback}\n'
            "</noscript>"
        )

    def reproducibility(self) -> str:
        lang, d = self.lang, self.data
        epoch = int(self.build.get("source_date_epoch", 0))
        built = datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        items = [
            [w("seed", lang), str(d["seed"])],
            [w("built", lang), f"{built} ({epoch})"],
            [w("data_hash", lang), d["data_sha256"]],
        ]
        files = [[name, digest] for name, digest in sorted(d["file_sha256"].items())]
        libs = [[lib, v] for lib, v in sorted(d["versions"].items())]
        grid = [
            [TEXT[dim][lang], ", ".join(value_label(dim, v, lang) for v in values)]
            for dim, values in ((d, self.results["dims"][d]) for d in self.results["dim_order"])
        ]
        return (
            _table([w("item", lang), w("value", lang)], items)
            + _table([w("file", lang), "SHA-256"], files)
            + _table([w("library", lang), w("version", lang)], libs)
            + _table([w("dimension", lang), w("values", lang)], grid)
        )

    def config_reference(self) -> str:
        from forestlab.config import options_reference

        rows = [[key, default, doc] for key, default, doc in options_reference()]
        return _table([w("key", self.lang), w("default", self.lang), w("meaning", self.lang)], rows)
