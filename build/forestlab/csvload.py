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

from forestlab.errors import UserError, shown

DELIMITERS = ",;\t"
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
#: Cells that mean "no value" in spreadsheets and statistics packages.
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "?", "#n/a"})
#: 1,234 / 1,234.5 / -12,000 (thousands separators as Excel writes them in quoted cells)
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
#: Files that are not text, by their first bytes: what a teacher may have saved by mistake.
SIGNATURES = (
    (b"PK\x03\x04", "a zip archive, such as an Excel workbook (.xlsx)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Excel workbook (.xls)"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
)
#: A field a spreadsheet would run as a formula: "=…", or "+", "-" or "@" followed by a call
#: or a link ("@SUM(…)", "+cmd|' /C calc'!A0"). Signed numbers such as -5 are values.
_FORMULA = r"[ \t]*\"?[ \t]*(?:=|[+\-@][^{d}\n]*[(|!])"
#: Share of numeric cells above which the remaining text cells are treated as typos.
NUMERIC_MAJORITY = 0.9
MAX_FILE_BYTES = 2 * 1024**3
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
    notices: list[str] = field(default_factory=list)

    def line_of(self, row_index: int) -> int:
        """File line of a data row (1-based; exact unless quoted cells hold line breaks)."""
        return self.header_line + 1 + row_index


def decode(path: Path, raw: bytes) -> tuple[str, str]:
    """Text and the name of the encoding it was read with."""
    for magic, kind in SIGNATURES:
        if raw.startswith(magic):
            raise UserError(
                f"{path}: this is {kind}, not a CSV text file; open it in the spreadsheet "
                "program and save it as 'CSV UTF-8'"
            )
    if b"\x00" in raw and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = raw[:200]
        if head.count(b"\x00") >= len(head) // 2 - 2:
            raise UserError(
                f"{path}: this looks like UTF-16 text without a byte-order mark; save it as "
                "'CSV UTF-8' (or as UTF-16 with a byte-order mark)"
            )
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise UserError(
            f"{path}: line {line}: contains a NUL byte; this is not a text CSV file "
            "(save it from the spreadsheet as 'CSV UTF-8')"
        )
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
    tried = " or ".join(name for _, name in candidates)
    raise UserError(
        f"{path}: line {line}: bytes that are not {tried} text; "
        "save the file as 'CSV UTF-8' from the spreadsheet program"
    )


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
                f"{path}: line {utf8_line} is UTF-8 but line {other_line} is not: the file mixes "
                "encodings; save the whole file once as 'CSV UTF-8'"
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
            raise UserError(
                f"{path}: line 1: found no comma, semicolon or tab between column names; "
                "a CSV needs at least two columns separated by one of them"
            ) from None
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
            f"{path}: line {reader.line_num}: {e}; a cell this long is not tabular data "
            "(check the delimiter and the quoting)"
        ) from None


def _checked_rows(path: Path, reader) -> list[str]:
    names = [h.strip() for h in next(reader, [])]
    if len(names) < 2:
        raise UserError(f"{path}: line 1: only one column; a CSV needs a target and features")
    for i, name in enumerate(names):
        if not name:
            raise UserError(f"{path}: line 1: column {i + 1} has no name; give every column a name")
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in seen:
            raise UserError(
                f"{path}: line 1: column name '{name}' appears twice (columns {seen[name] + 1} "
                f"and {i + 1}); rename one of them"
            )
        seen[name] = i
    line = reader.line_num
    for row in reader:
        if row and len(row) != len(names):
            raise UserError(
                f"{path}: line {line + 1}: {len(row)} cells where the header has {len(names)}; "
                "every row needs one cell per column"
            )
        line = reader.line_num
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
    if line == 1:
        where = "a column name is"
    elif i is not None and i < len(names):
        where = f"column '{names[i]}' holds"
    else:  # the match spans a quoted line break: name the line only
        where = "a cell holds"
    cell = cells[i] if i is not None else m[1]
    raise UserError(
        f"{path}: line {line}: {where} a spreadsheet formula ({shown(cell.strip())}), not a "
        "value; in the spreadsheet, copy the data and paste it as values only, then save "
        "as 'CSV UTF-8' again"
    )


def read_table(path: Path) -> Table:
    """Read one split; raise UserError naming the file and line for anything malformed."""
    if path.is_dir():
        raise UserError(f"{path}: a folder, not a CSV file")
    if path.exists() and not path.is_file():
        raise UserError(f"{path}: not a regular file (a device or a pipe); use a saved CSV file")
    if not path.is_file():
        raise UserError(f"{path}: file not found")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise UserError(
            f"{path}: {size / 1024**3:.1f} GiB is over the 2 GiB limit; sample it first"
        )
    raw = path.read_bytes()
    if not raw.strip():
        raise UserError(f"{path}: the file is empty; it needs a header line and data rows")
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
        detail = (
            f"line {m.group(2)}: {m.group(3)} cells where the header has {m.group(1)}"
            if m
            else str(e)
        )
        raise UserError(f"{path}: {detail}; every row needs one cell per column") from None
    except pd.errors.EmptyDataError:
        raise UserError(
            f"{path}: the file is empty; it needs a header line and data rows"
        ) from None
    frame.columns = names
    if frame.empty:
        raise UserError(f"{path}: only a header line; add data rows below it")
    table = Table(path=path, frame=frame, encoding=encoding, delimiter=delim)
    table.notices.append(
        f"{path.name}: read {len(frame)} rows x {len(names)} columns "
        f"({encoding}, {DELIMITER_NAMES[delim]}-separated)"
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
