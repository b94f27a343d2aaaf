"""Reference text in both languages: every configuration option and every field of the
published formats is described in the catalogue in Chinese and English (a new field without
its translation fails here), the zh pages and the command line's help show the Chinese, and
the published JSON Schemas stay English."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import get_args, get_origin

import forestlab
import forestlab.core
import pytest
from forestlab import cli, formats
from forestlab.catalogue import LANGS, catalogue, for_language
from forestlab.config import Config, options_reference
from forestlab.core.messages import language
from pydantic import BaseModel

CJK = re.compile(r"[\u4e00-\u9fff]")


def option_keys(model: type[BaseModel] = Config, prefix: str = "") -> list[str]:
    """Every option key of the configuration schema, read from the models themselves (not
    from `options_reference`, whose rows the test checks)."""
    keys = []
    for name, field in model.model_fields.items():
        keys.append(prefix + name)
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            keys += option_keys(ann, f"{prefix}{name}.")
    return keys


def format_keys() -> list[str]:
    return [
        formats.description_key(model, name)
        for model in formats.models().values()
        for name in model.model_fields
    ]


def missing(keys: list[str]) -> list[str]:
    cat = catalogue()
    return [
        f"{key} ({lang})"
        for key in keys
        for lang in LANGS
        if not (cat.get(key, {}).get(lang) or "").strip()
    ]


def test_every_option_is_described_in_both_languages():
    keys = option_keys()
    assert len(keys) > 30 and "grid.max_depth" in keys and "data.about.zh" in keys
    assert missing([f"config.{key}" for key in keys]) == []
    assert [key for key, _, _ in options_reference()] == keys


def test_every_field_of_every_format_is_described_in_both_languages():
    keys = format_keys()
    # every model the published files use, their parts included
    used = {m.__name__ for model in formats.FORMATS.values() for m in _models_within(model)}
    assert used <= set(formats.models())
    assert len(keys) > 100 and "format.ResultsIndex.best_set" in keys
    assert "format.FamilyRecord.schema" in keys  # by the name the file uses
    assert missing(keys) == []


def _models_within(model: type[BaseModel]) -> set[type[BaseModel]]:
    found, todo = set(), [model]
    while todo:
        m = todo.pop()
        if m in found:
            continue
        found.add(m)
        for field in m.model_fields.values():
            stack = [field.annotation]
            while stack:
                t = stack.pop()
                if isinstance(t, type) and issubclass(t, BaseModel):
                    todo.append(t)
                stack += get_args(t) if get_origin(t) else []
    return found


def test_options_are_listed_in_the_language_asked_for():
    zh = {key: doc for key, _, doc in options_reference("zh")}
    en = {key: doc for key, _, doc in options_reference("en")}
    assert all(CJK.search(doc) for doc in zh.values())
    assert not any(CJK.search(doc) for doc in en.values())
    assert {k: d for k, d, _ in options_reference("zh")}["data.target"] == "（必填）"


def test_published_schemas_stay_english_and_describe_every_field():
    for name, schema in formats.json_schemas().items():
        text = json.dumps(schema, ensure_ascii=False)
        assert not CJK.search(text), name
        for model in [schema, *schema.get("$defs", {}).values()]:
            undescribed = [k for k, p in model["properties"].items() if not p.get("description")]
            assert undescribed == [], (name, model["title"])
    index = formats.json_schemas()["index"]
    assert index["properties"]["lab"]["description"] == catalogue()["format.ResultsIndex.lab"]["en"]


def test_pages_scripts_get_no_reference_text():
    """The viewer's pages hand their scripts the catalogue without the build's reference text
    and command-line messages, but with every error the widget's Python (forestlab.core) can
    give, which the live panel shows in the page's language."""
    sent = for_language("zh")
    assert "viewer.nodes" in sent and "live.stage_host" in sent
    assert not [k for k in sent if k.startswith(("config.", "format.", "type.", "cli."))]
    assert not [k for k in sent if k.startswith(("error.data.", "error.config.", "error.new."))]
    core = Path(forestlab.core.__file__).parent
    given = {
        key
        for path in core.glob("*.py")
        for key in re.findall(r"\"(error\.[a-z_.]+)\"", path.read_text(encoding="utf-8"))
    }
    assert given and not given - set(sent), given - set(sent)


def test_pages_scripts_get_every_key_they_ask_for_and_not_the_builds_own():
    """Every key the viewer's scripts look up by name is handed to them; the figures' labels
    and the generated pages' words, which only the build shows, are not (they would only add
    to every page's first view)."""
    assets = Path(forestlab.__file__).parent / "assets"
    asked = {
        key
        for path in assets.rglob("*.js")
        for key in re.findall(r"\bt\(\s*\"([a-z_]+\.[a-z_.]+)\"", path.read_text(encoding="utf-8"))
    }
    sent = set(for_language("en"))
    assert len(asked) > 100 and not asked - sent, asked - sent
    assert not [k for k in sent if k.startswith(("figure.", "page."))]
    assert "figure.random_column" in catalogue() and "page.feature" in catalogue()


def _help(capsys, *argv) -> str:
    with pytest.raises(SystemExit) as e:
        cli.main(list(argv))
    assert e.value.code == 0
    return capsys.readouterr().out


def test_help_is_in_chinese_with_lang_zh(capsys):
    out = _help(capsys, "--lang", "zh", "--help")
    assert out.startswith("用法：forestlab")
    for text in (
        "为 ForestLab 网站预先训练",
        "选项：",
        "命令：",
        "显示本帮助并退出",
        "检查配置和数据",
    ):
        assert text in out
    assert "usage" not in out and "show this help" not in out and "options:" not in out
    sub = _help(capsys, "--lang", "zh", "build", "--help")
    assert sub.startswith("用法：forestlab build") and "忽略缓存，重新训练每个森林族" in sub
    assert language() == "en"  # the run's language ends with the run


def test_help_follows_the_environment_and_defaults_to_english(capsys, monkeypatch):
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FORESTLAB_LANG", "zh")
    assert "列出所有配置项及其默认值" in _help(capsys, "--help")
    monkeypatch.setenv("FORESTLAB_LANG", "en")
    out = _help(capsys, "--help")
    assert out.startswith("usage: forestlab") and "options:" in out and not CJK.search(out)
    monkeypatch.delenv("FORESTLAB_LANG")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert "用法：" in _help(capsys, "check", "--help")


def test_forestlab_lang_zh_help_command():
    """The installed command, as a teacher types it."""
    proc = subprocess.run(
        [sys.executable, "-m", "forestlab", "--lang", "zh", "--help"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("用法：forestlab") and "选项：" in proc.stdout


def test_options_command_follows_the_language(capsys):
    assert cli.main(["--lang", "zh", "options"]) == 0
    out = capsys.readouterr().out
    assert "data.target: （必填）\n    要预测的列（类别）。" in out
    assert cli.main(["--lang", "en", "options"]) == 0
    assert "data.target: (required)\n    Column to predict (the class)." in capsys.readouterr().out
