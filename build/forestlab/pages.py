"""Generated Markdown pages. Text from the data is HTML-escaped: it is shown, never run.

Data-derived strings (column names, class labels) go into raw HTML blocks built with
`html.escape`, which Markdown passes through untouched, so neither HTML nor Markdown syntax
in a column name can change the page.
"""

from __future__ import annotations

from html import escape

from forestlab.charts import value_label

METRICS = ("accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "log_loss")
TABLE_ROWS = 25


def _fmt(v) -> str:
    return "–" if v is None or v != v else f"{v:.3f}"


def _table(head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return (
        f'<table class="forestlab-table"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'
    )


def _params_text(params: dict, n: int) -> list[str]:
    return [str(n)] + [value_label(k, v, "en") for k, v in params.items()]


def results_page(results: dict, data: dict) -> str:
    names = data["names"]["en"]
    dims = list(results["dims"])
    points = [(fam["params"], p) for fam in results["families"] for p in fam["points"]]
    ranked = sorted(points, key=lambda fp: (-fp[1]["metrics"]["val"]["accuracy"], fp[1]["n_nodes"]))
    best_params, best = ranked[0]
    counts = data["class_counts"]["train"]
    classes = ", ".join(f"{c}: {n}" for c, n in zip(names["classes"], counts, strict=True))
    summary = _table(
        ["split", "rows", "source"],
        [[s, str(data["rows"][s]), data["split_files"][s]] for s in ("train", "val", "test")],
    )
    best_rows = [
        [split] + [_fmt(best["metrics"][split][m]) for m in METRICS] for split in ("train", "val")
    ]
    top = [
        [
            *_params_text(params, p["n_estimators"]),
            _fmt(p["metrics"]["val"]["accuracy"]),
            _fmt(p["metrics"]["train"]["accuracy"]),
        ]
        for params, p in ranked[:TABLE_ROWS]
    ]
    charts = sorted({c.split(".")[0] for c in data.get("charts", [])})
    figures = "\n".join(
        f'<figure><img src="../generated/charts/{escape(name)}.en.svg" alt="{escape(name)}" '
        f'loading="lazy"></figure>'
        for name in charts
    )
    return f"""# Results

Every grid point below was trained ahead of time by `forestlab build`; nothing is computed
while you read this page.

<p>Target: <b>{escape(names["target"])}</b>; training classes: {escape(classes)};
{len(points)} grid points in {len(results["families"])} forest families.</p>

{summary}

## Best configuration on validation

{_table(["trees", *dims[1:]], [_params_text(best_params, best["n_estimators"])])}

{_table(["split", *METRICS], best_rows)}

<details><summary>Test split (look only once you have chosen)</summary>
{_table(["split", *METRICS], [["test"] + [_fmt(best["metrics"]["test"][m]) for m in METRICS]])}
</details>

{figures}

## Top {TABLE_ROWS} grid points

{_table(["trees", *dims[1:], "val accuracy", "train accuracy"], top)}
"""


def configuration_page() -> str:
    """Every configuration option, generated from the schema so the two never disagree."""
    from forestlab.config import options_reference

    rows = [[key, default, doc] for key, default, doc in options_reference()]
    return f"""# Configuration

ForestLab reads `forestlab.yml` from the splits folder (or the file given with `--config`).
Only `data.target` is required. `forestlab options` prints this list; `forestlab check`
validates a file and reports every error at once as `Config value 'key': …`.

{_table(["key", "default", "meaning"], rows)}

Example, the bundled configuration:

```yaml
data:
  target: survived
  positive_class: 1
  class_labels:
    0: {{en: Died, zh: 遇难}}
    1: {{en: Survived, zh: 幸存}}
  column_names:
    age: {{en: Age, zh: 年龄}}
seed: 42
grid:
  n_estimators: [1, 5, 10, 25, 50, 100, 150, 200]
  max_depth: [1, 2, 3, 5, 8, null]
```
"""
