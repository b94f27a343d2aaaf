"""Reading a teacher's CSV as it really is: Excel exports, Chinese locales, odd delimiters.

Encodings: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), and
GB18030, the superset of GBK that Excel writes in Chinese locales. The delimiter is sniffed
with the standard library's `csv.Sniffer` among comma, semicolon and tab. Every cell is read
as text; types are decided afterwards so that no value is silently dropped or coerced.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from forestlab.core.messages import Message
from forestlab.errors import UserError, shown

DELIMITERS = ",;\t"
#: The catalogue keys of the delimiters' names.
DELIMITER_NAMES = {",": "cli.comma", ";": "cli.semicolon", "\t": "cli.tab"}
#: Cells that mean "no value" in spreadsheets and statistics packages.
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "?", "#n/a"})
#: 1,234 / 1,234.5 / -12,000 (thousands separators as Excel writes them in quoted cells)
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
#: Files that are not text, by their first bytes: what a teacher may have saved by mistake
#: (catalogue keys of what they are).
SIGNATURES = (
    (b"PK\x03\x04", "error.csv.kind_zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "error.csv.kind_xls"),
    (b"\x1f\x8b", "error.csv.kind_gzip"),
    (b"%PDF", "error.csv.kind_pdf"),
    (b"\x89PNG", "error.csv.kind_png"),
)
#: A field a spreadsheet would run as a formula: "=…", or "+", "-" or "@" followed by a call
#: or a link ("@SUM(…)", "+cmd|' /C calc'!A0"). Signed numbers such as -5 are values.
_FORMULA = r"[ \t]*\"?[ \t]*(?:=|[+\-@][^{d}\n]*[(|!])"
#: Share of numeric cells above which the remaining text cells are treated as typos.
NUMERIC_MAJORITY = 0.9
MAX_FILE_BYTES = 2 * 1024**3
#: Problems of one kind listed one by one, the rest counted: a message must stay readable.
MAX_PROBLEMS = 20
#: Cells are read as text, typed afterwards. Stored by Arrow: a million rows of 31 columns take
#: about 420 MiB, where Python string objects would take several GiB.
TEXT = pd.StringDtype(storage="pyarrow", na_value=np.nan)


@dataclass
class Table:
    """One CSV split: cells as text, plus what was learned while reading it."""

    path: Path
    frame: pd.DataFrame  # every column dtype object (str, or None for a missing cell)
    encoding: str
    delimiter: str
    header_line: int = 1
    notices: list[Message] = field(default_factory=list)

    def line_of(self, row_index: int) -> int:
        """File line of a data row (1-based; exact unless quoted cells hold line breaks)."""
        return self.header_line + 1 + row_index


def decode(path: Path, raw: bytes) -> tuple[str, str]:
    """Text and the name of the encoding it was read with."""
    for magic, kind in SIGNATURES:
        if raw.startswith(magic):
            raise UserError("error.csv.not_text", path=path, kind=Message(kind))
    if b"\x00" in raw and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = raw[:200]
        if head.count(b"\x00") >= len(head) // 2 - 2:
            raise UserError("error.csv.utf16_no_bom", path=path)
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise UserError("error.csv.nul", path=path, line=line)
    if raw.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8-sig", "UTF-8 with BOM")]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [("utf-16", "UTF-16")]
    else:
        candidates = [("utf-8", "UTF-8"), ("gb18030", "GB18030/GBK")]
    first_error = None
    for codec, name in candidates:
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError as e:
            first_error = first_error or e
            continue
        if codec == "gb18030":
            _refuse_mixed_encodings(path, raw)
        return text, name
    assert first_error is not None
    line = raw[: first_error.start].count(b"\n") + 1
    names = [name for _, name in candidates]
    tried = names[0] if len(names) == 1 else Message("error.csv.either", a=names[0], b=names[1])
    raise UserError("error.csv.undecodable", path=path, line=line, tried=tried)


def _refuse_mixed_encodings(path: Path, raw: bytes) -> None:
    """A file that is not UTF-8 as a whole but has UTF-8 lines was pasted together from two
    exports; read as GB18030 its UTF-8 lines would silently turn into the wrong characters."""
    utf8_line = other_line = None
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_line = utf8_line or number
        except UnicodeDecodeError:
            other_line = other_line or number
        if utf8_line and other_line:
            raise UserError(
                "error.csv.mixed_encodings", path=path, utf8_line=utf8_line, other_line=other_line
            )


#: The delimiter is sniffed from this much of the file (the Sniffer's cost grows with it).
SNIFF_CHARS = 64 * 1024


def sniff_delimiter(path: Path, text: str) -> str:
    head = text[:SNIFF_CHARS]
    header = head.split("\n", 1)[0]
    sample = "\n".join(head.split("\n", 20)[:20])
    try:
        delim = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: header.count(d) for d in DELIMITERS}
        delim = max(counts, key=counts.get)
        if counts[delim] == 0:
            raise UserError("error.csv.no_delimiter", path=path) from None
    return delim


def _lines(text: str):
    """The text's lines, each with its line break, one at a time (csv.reader joins the lines
    of a quoted cell itself); unlike io.StringIO, no second copy of the whole text."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _check_rows(path: Path, text: str, delim: str) -> list[str]:
    """Column names, after checking the header and that every row has one cell per column.

    A streaming pass with the csv module: pandas pads short rows with empty cells, which
    would hide a broken row, and csv.reader knows each row's real line number.
    """
    reader = csv.reader(_lines(text), delimiter=delim)
    try:
        return _checked_rows(path, reader)
    except csv.Error as e:
        # e.g. a cell longer than csv.field_size_limit() (128 KiB): not a real data table
        raise UserError(
            "error.csv.reader", path=path, line=reader.line_num, problem=str(e)
        ) from None


def _checked_rows(path: Path, reader) -> list[str]:
    names = [h.strip() for h in next(reader, [])]
    if len(names) < 2:
        raise UserError("error.csv.one_column", path=path)
    for i, name in enumerate(names):
        if not name:
            raise UserError("error.csv.unnamed_column", path=path, n=i + 1)
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in seen:
            raise UserError(
                "error.csv.name_twice", path=path, name=name, first=seen[name] + 1, second=i + 1
            )
        seen[name] = i
    problems, line = [], reader.line_num
    for row in reader:  # every broken row of the file, not only the first
        if row and len(row) != len(names):
            problems.append(
                Message(
                    "error.csv.ragged", path=path, line=line + 1, cells=len(row), header=len(names)
                )
            )
        line = reader.line_num
    if len(problems) > MAX_PROBLEMS:
        more = Message("error.more_problems", n=f"{len(problems) - MAX_PROBLEMS:,}")
        problems = [*problems[:MAX_PROBLEMS], more]
    if problems:
        raise UserError(*problems)
    return names


def refuse_formulas(path: Path, text: str, delim: str, names: list[str]) -> None:
    """Refuse cells (or column names) that are spreadsheet formulas rather than values: an
    export that kept formulas has lost the data, and such a cell is a known attack on
    whoever opens a CSV in a spreadsheet. One regular-expression pass over the text."""
    if not any(c in text for c in "=(|!"):
        return  # no formula without one of these (numbers alone are fast to rule out)
    field = _FORMULA.format(d=re.escape(delim))
    m = re.compile(rf"(?:^|{re.escape(delim)})({field})", re.MULTILINE).search(text)
    if m is None:
        return
    line = text.count("\n", 0, m.start(1)) + 1
    start = text.rfind("\n", 0, m.start(1)) + 1
    end = text.find("\n", m.start(1))
    cells = next(csv.reader([text[start : end if end >= 0 else len(text)]], delimiter=delim))
    i = next((i for i, c in enumerate(cells) if re.match(field, c)), None)
    cell = shown((cells[i] if i is not None else m[1]).strip())
    if line == 1:
        raise UserError("error.csv.formula_name", path=path, line=line, cell=cell)
    if i is not None and i < len(names):
        raise UserError("error.csv.formula", path=path, line=line, name=names[i], cell=cell)
    # the match spans a quoted line break: name the line only
    raise UserError("error.csv.formula_cell", path=path, line=line, cell=cell)


def read_table(path: Path) -> Table:
    """Read one split; raise UserError naming the file and line for anything malformed."""
    if path.is_dir():
        raise UserError("error.csv.folder", path=path)
    if path.exists() and not path.is_file():
        raise UserError("error.csv.not_regular", path=path)
    if not path.is_file():
        raise UserError("error.csv.not_found", path=path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise UserError("error.csv.too_big", path=path, size=f"{size / 1024**3:.1f}")
    raw = path.read_bytes()
    if not raw.strip():
        raise UserError("error.csv.empty", path=path)
    text, encoding = decode(path, raw)
    del raw  # the text holds it now: one copy of the file in memory, not two
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    delim = sniff_delimiter(path, text)
    names = _check_rows(path, text, delim)
    refuse_formulas(path, text, delim, names)
    try:
        frame = pd.read_csv(
            # UTF-8 bytes for pandas' C parser: a StringIO of the text would hold it as 4 bytes
            # a character (900 MB for a 224 MB file)
            io.BytesIO(text.encode("utf-8")),
            encoding="utf-8",
            sep=delim,
            dtype=TEXT,
            na_filter=False,  # a short row then shows up as NaN, an empty cell as ""
            skip_blank_lines=True,
            engine="c",
        )
    except pd.errors.ParserError as e:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(e))
        if m:
            raise UserError(
                "error.csv.ragged", path=path, line=m[2], cells=m[3], header=m[1]
            ) from None
        raise UserError("error.csv.parser", path=path, problem=str(e)) from None
    except pd.errors.EmptyDataError:
        raise UserError("error.csv.empty", path=path) from None
    frame.columns = names
    if frame.empty:
        raise UserError("error.csv.header_only", path=path)
    table = Table(path=path, frame=frame, encoding=encoding, delimiter=delim)
    table.notices.append(
        Message(
            "cli.notice.read",
            file=path.name,
            rows=len(frame),
            columns=len(names),
            encoding=encoding,
            delimiter=Message(DELIMITER_NAMES[delim]),
        )
    )
    return table


def is_missing(values: pd.Series) -> np.ndarray:
    return values.str.strip().str.lower().isin(MISSING_TOKENS).to_numpy()


def parse_numbers(values: pd.Series) -> np.ndarray:
    """Cells as floats: NaN where missing or not a number. Thousands separators are removed."""
    cleaned = values.str.strip()
    numbers = np.array(pd.to_numeric(cleaned, errors="coerce"), dtype=float)  # writable copy
    # only cells that did not parse can hold thousands separators (a small share, if any)
    retry = np.flatnonzero(np.isnan(numbers))
    if len(retry):
        rest = cleaned.iloc[retry]
        has_sep = rest.str.match(_THOUSANDS).to_numpy(dtype=bool)
        if has_sep.any():
            fixed = pd.to_numeric(rest[has_sep].str.replace(",", "", regex=False))
            numbers[retry[has_sep]] = fixed.to_numpy(dtype=float)
    return numbers
