"""The one configuration schema: data description, seed, hyperparameter grid, build limits.

Declared with pydantic so every error of a file is collected at once and reported as
`Config value 'key': …`, the way MkDocs reports its own config. Messages are catalogue keys
(`error.config.*`), pydantic's own errors included where their kind is known. What each option
means is display text too, in Chinese and English (`config.<key>`): `forestlab options` and
the teacher guide's configuration reference list it from there (`options_reference`).
"""

from __future__ import annotations

import difflib
import math
from functools import partial
from pathlib import Path
from typing import Annotated, Any, get_args, get_origin

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    model_validator,
)

from forestlab.catalogue import text
from forestlab.core.dims import DIMENSIONS, FAMILY_DIMS, TREES
from forestlab.core.messages import Message, MessageError, language
from forestlab.errors import UserError, shown

DEFAULT_CONFIG_NAME = "forestlab.yml"


def _values(item_check):
    """A non-empty list without repeats, each item checked by `item_check`."""

    def check(v: Any) -> list:
        if not isinstance(v, list):
            v = [v]
        if not v:
            raise MessageError("error.config.empty_list")
        errors, out = [], []
        for i, item in enumerate(v):
            try:
                out.append(item_check(item))
            except MessageError as e:
                errors.append(Message("error.config.item", n=i + 1, problem=e.message))
        if errors:
            raise MessageError("error.config.items", items=errors)
        seen = set()
        for item in out:
            key = (type(item), item)  # 1 (one feature) and 1.0 (all features) differ
            if key in seen:
                raise MessageError("error.config.listed_twice", value=shown(item))
            seen.add(key)
        return out

    return BeforeValidator(check)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


class Names(_Strict):
    """Display names of a column or class in the site's two languages."""

    en: str | None = None
    zh: str | None = None


class About(_Strict):
    """What the data is, in the site's two languages."""

    en: str | None = None
    zh: str | None = None


def _train_rows(v: Any) -> int | str:
    """`auto`, `all` or a whole number of rows (at least 10)."""
    if v in ("auto", "all"):
        return v
    if isinstance(v, bool) or not isinstance(v, int) or v < 10:
        raise MessageError("error.config.train_rows", value=shown(v))
    return v


class DataConfig(_Strict):
    target: str
    positive_class: str | None = None
    class_labels: dict[str, Names] = Field(default_factory=dict)
    column_names: dict[str, Names] = Field(default_factory=dict)
    about: About = Field(default_factory=About)
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    max_columns: int = Field(1000, ge=2, le=100_000)
    max_classes: int = Field(20, ge=2, le=100)
    #: The training rows the grid trains on: `all`; a number (a stratified sample of that
    #: many rows, the same for every family); or `auto`: all of them, or, when ForestLab's
    #: default grid would not fit build.max_tree_rows, the largest sample that does
    #: (forestlab.grid.rows_that_fit).
    train_rows: Annotated[int | str, BeforeValidator(_train_rows)] = "auto"


#: The hyperparameter grid, one list option per dimension of `forestlab.core.dims`.
GridConfig = create_model(
    "GridConfig",
    __base__=_Strict,
    __doc__="Hyperparameter grid: the values of each dimension that the build trains.",
    **{
        d.name: (
            Annotated[list[Any], _values(d.check)],
            Field(default_factory=partial(list, d.default)),
        )
        for d in DIMENSIONS
    },
)


class BuildConfig(_Strict):
    jobs: int = Field(2, ge=1, le=256)
    max_tree_rows: int = Field(150_000_000, ge=1)
    max_families: int = Field(5_000, ge=1)


#: The Pyodide release the widget is written and tested against (npm `pyodide`, same version).
PYODIDE_VERSION = "314.0.7"
PYODIDE_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"
#: jsDelivr's other hosts of the same files (pyodide issue #2687), tried in turn when the
#: default CDN does not answer: cdn.jsdelivr.net is unreliable from mainland China.
PYODIDE_MIRRORS = [
    f"https://fastly.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/",
    f"https://gcore.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/",
]
#: Where `widget.copy_core` puts the core in the site.
SITE_CORE = "pyodide/"


def _scheme(url: str) -> str:
    """A URL's scheme, lower case; "" for a path relative to the site."""
    return url.split(":", 1)[0].lower() if ":" in url.split("/", 1)[0] else ""


def _pyodide_url(v: Any) -> str:
    if not isinstance(v, str) or not v.endswith("/"):
        raise MessageError("error.config.folder_url", value=shown(v))
    scheme = _scheme(v)
    loopback = v.startswith(("http://127.0.0.1:", "http://localhost:"))  # a mirror on this machine
    if (scheme not in ("", "https") and not loopback) or v.startswith("/"):
        raise MessageError("error.config.pyodide_url", value=shown(v))
    return v


class WidgetConfig(_Strict):
    enabled: bool = True
    pyodide_url: Annotated[str, BeforeValidator(_pyodide_url)] = PYODIDE_CDN
    copy_core: bool = False
    #: Publish Pyodide's core and the wheels live training needs on the site itself,
    #: downloaded at build time from pyodide_url (see forestlab.pyodide_files).
    self_host: bool = False
    #: The same from a downloaded Pyodide distribution (a folder; relative paths are from the
    #: configuration file's folder).
    pyodide_dir: str | None = None
    #: Other hosts of the same Pyodide release, tried in order when pyodide_url does not
    #: answer (default: jsDelivr's other hosts when pyodide_url is the default CDN).
    pyodide_mirrors: list[Annotated[str, BeforeValidator(_pyodide_url)]] | None = None
    max_rows: int = Field(2_000, ge=10, le=20_000)
    max_trees: int = Field(200, ge=1, le=1_000)
    max_val_rows: int = Field(5_000, ge=10, le=50_000)

    @model_validator(mode="after")
    def _copied_core_is_used(self):
        if self.copy_core and "pyodide_url" not in self.model_fields_set:
            self.pyodide_url = SITE_CORE
        hosts = [k for k in ("copy_core", "self_host", "pyodide_dir") if getattr(self, k)]
        if len(hosts) > 1:
            raise MessageError("error.config.one_pyodide_source", keys=", ".join(hosts))
        if self.pyodide_mirrors is None:
            default_cdn = self.pyodide_url == PYODIDE_CDN and not self.self_hosted
            self.pyodide_mirrors = list(PYODIDE_MIRRORS) if default_cdn else []
        if self.self_host and not _scheme(self.pyodide_url):  # a download needs a host
            raise MessageError("error.config.self_host_url", value=shown(self.pyodide_url))
        return self

    @property
    def self_hosted(self) -> bool:
        """Pyodide comes from the lab's own published files (self_host or pyodide_dir)."""
        return self.self_host or self.pyodide_dir is not None


def _map_features(v: Any) -> list[str] | None:
    """Two different column names, or null (chosen by permutation importance)."""
    if v is None:
        return None
    if not isinstance(v, list) or len(v) != 2 or not all(isinstance(c, str) for c in v):
        raise MessageError("error.config.map_features", value=shown(v))
    if v[0] == v[1]:
        raise MessageError("error.config.map_features", value=shown(v))
    return v


class ExplainConfig(_Strict):
    enabled: bool = True
    map_features: Annotated[list[str] | None, BeforeValidator(_map_features)] = None


class SiteConfig(_Strict):
    download_max_mb: float = Field(10.0, ge=0, le=1000)


class Config(_Strict):
    data: DataConfig
    seed: int = Field(42, ge=0, le=2**32 - 1)
    grid: GridConfig = Field(default_factory=GridConfig)
    build: BuildConfig = Field(default_factory=BuildConfig)
    widget: WidgetConfig = Field(default_factory=WidgetConfig)
    explain: ExplainConfig = Field(default_factory=ExplainConfig)
    site: SiteConfig = Field(default_factory=SiteConfig)

    def default_grid(self) -> bool:
        """Whether the grid is ForestLab's default, whether written out or left out."""
        return self.grid == GridConfig()

    def family_count(self) -> int:
        return math.prod(len(getattr(self.grid, d.name)) for d in FAMILY_DIMS)

    def point_count(self) -> int:
        return self.family_count() * len(getattr(self.grid, TREES.name))


# -- reading and error reporting --


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The schema class that owns the key at `loc` (for did-you-mean suggestions)."""
    current: Any = Config
    for part in loc[:-1]:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part) if isinstance(part, str) else None
            current = field.annotation if field else None
        elif get_origin(current) is dict:
            current = get_args(current)[1]  # `part` is a key of the mapping
        else:
            return None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _key(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


#: pydantic's errors by kind, as catalogue keys; the fields are the error's context.
PYDANTIC_ERRORS = {
    "greater_than_equal": "error.config.ge",
    "less_than_equal": "error.config.le",
    "int_parsing": "error.config.int_parsing",
    "int_type": "error.config.int",
    "int_from_float": "error.config.int_from_float",
    "bool_parsing": "error.config.bool",
    "bool_type": "error.config.bool",
    "string_type": "error.config.string",
    "list_type": "error.config.list",
    "dict_type": "error.config.mapping",
    "model_type": "error.config.mapping",
    "model_attributes_type": "error.config.mapping",
}


def _message(err: dict) -> Message:
    loc, kind = tuple(err["loc"]), err["type"]
    key = _key(loc)
    if kind == "extra_forbidden":
        model = _model_at(loc)
        known = list(model.model_fields) if model else []
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        if close:
            return Message("error.config.unknown_key_close", key=key, close=close[0])
        return Message("error.config.unknown_key", key=key, known=", ".join(known))
    if kind == "missing":
        return Message("error.config.required", key=key)
    ctx = err.get("ctx") or {}
    if isinstance(ctx.get("error"), MessageError):
        problem = ctx["error"].message
    elif kind in PYDANTIC_ERRORS:
        problem = Message(PYDANTIC_ERRORS[kind], **{k: str(v) for k, v in ctx.items()})
    else:  # a kind no option of ForestLab's schema gives: pydantic's own English text
        problem = err["msg"].removeprefix("Value error, ")
    return Message("error.config.value", key=key, problem=problem)


def _too_large(source) -> UserError:
    return UserError("error.config.too_large", source=source)


def parse_config(raw: Any, source: str) -> Config:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise UserError("error.config.not_mapping", source=source)
    try:
        return Config.model_validate(raw)
    except ValidationError as e:
        lines = [_message(err) for err in e.errors()]
        n = len(lines)
        key = "error.config.errors" if n > 1 else "error.config.one_error"
        raise UserError(Message(key, source=source, n=n), *lines) from None
    except (ValueError, RecursionError):  # a number too long to turn into text, a value nested
        raise _too_large(source) from None  # too deep to check: no option needs either


class _Refused(yaml.MarkedYAMLError):
    """YAML that is valid but that a configuration does not accept, with its message."""

    def __init__(self, message: Message, mark):
        super().__init__(problem=str(message), problem_mark=mark)
        self.message = message


class _ConfigLoader(yaml.SafeLoader):
    """YAML as a configuration needs it: no anchors or aliases (nested aliases make a few
    lines expand to billions of values), and a key given twice is an error, not silently the
    last one."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent) or getattr(self.peek_event(), "anchor", None):
            event = self.peek_event()
            raise _Refused(Message("error.config.yaml_alias"), event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool | None):
                continue  # an unhashable key: the schema reports it
            if key in seen:
                raise _Refused(
                    Message("error.config.yaml_twice", key=shown(key)), key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep)


def load_config(path: Path) -> Config:
    if path.is_dir():
        raise UserError("error.config.folder", path=path)
    if not path.is_file():
        raise UserError("error.config.not_found", path=path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_ConfigLoader)
    except UnicodeDecodeError:
        raise UserError("error.config.not_utf8", path=path) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        # PyYAML's own problem text is English; a refusal of ForestLab's is a Message
        problem = getattr(e, "message", None) or getattr(e, "problem", None) or str(e)
        if mark:
            raise UserError(
                "error.config.yaml_at",
                path=path,
                line=mark.line + 1,
                column=mark.column + 1,
                problem=problem,
            ) from None
        raise UserError("error.config.yaml", path=path, problem=problem) from None
    except (ValueError, RecursionError):  # an integer over 4,300 digits; brackets nested
        raise _too_large(path) from None  # hundreds deep: PyYAML raises these, not YAMLError
    return parse_config(raw, str(path))


def options_reference(lang: str | None = None) -> list[tuple[str, str, str]]:
    """(key, default, description) for every option, in `lang` (by default the command
    line's language): for `forestlab options`, the configuration reference and their tests.
    A description is the catalogue's `config.<key>`."""
    lang = lang or language()
    rows = []

    def walk(model: type[BaseModel], prefix: str):
        for name, field in model.model_fields.items():
            key = f"{prefix}{name}"
            ann = field.annotation
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                rows.append((key, "", text(f"config.{key}", lang)))
                walk(ann, key + ".")
                continue
            if field.is_required():
                default = text("config.required", lang)
            else:
                default = field.get_default(call_default_factory=True)
                default = (
                    ""
                    if default in ({}, [])
                    else yaml.safe_dump(default, default_flow_style=True).strip()
                )
                default = default.removesuffix("\n...").strip()
            rows.append((key, default, text(f"config.{key}", lang)))

    walk(Config, "")
    return rows
