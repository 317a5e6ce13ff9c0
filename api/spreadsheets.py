"""The register as a file: the rows of registry/systems/sheet.py under headings in the reader's language,
as an Excel workbook (openpyxl), CSV or JSON Lines. The import template is the same columns with one
example row, and in the workbook the vocabularies as drop-down lists."""

from __future__ import annotations

import csv
import functools
import io
import json
import zipfile
from collections.abc import Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from api.i18n.translator import LANGUAGES, translator
from registry.errors import FieldProblem, InvalidFields
from registry.systems.imports import MAX_ROWS, Vocabulary
from registry.systems.sheet import COLUMN_KEYS, COLUMNS, KEY_COLUMNS, Column

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "jsonl": "application/x-ndjson",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
"""A text cell that a spreadsheet would run as a formula (or that starts with ' itself) gets a leading '
in CSV; the import removes one."""

EXAMPLE: dict[str, Any] = {
    "name": "Vagtplanlægning med AI",
    "vendor": "Eksempel A/S",
    "product": "PlanAssist",
    "purpose": "Foreslår vagtplaner ud fra medarbejdernes ønsker og den bemanding, der er brug for.",
    "category": "decision_support",
    "control_measure": False,
    "status": "planned",
    "affected_groups": "Sygeplejersker; Social- og sundhedsassistenter",
    "affected_headcount": 120,
    "data_categories": "identification; employment",
    "legal_basis": "legitimate_interests",
    "human_oversight.overseer_role": "Afdelingsleder",
    "human_oversight.trained": True,
    "go_live_at": date(2027, 3, 1),
}


def _heading(key: str, lang: str) -> str:
    """A column's heading: the system page's label; a nested field's after its group's ("DPIA: Status")."""
    if key in KEY_COLUMNS:
        return key
    t = translator(lang)
    parent, _, _ = key.rpartition(".")
    return f"{t(f'field.{parent}')}: {t(f'field.{key}')}" if parent else t(f"field.{key}")


@functools.cache
def headings(lang: str) -> list[str]:
    return [_heading(column.key, lang) for column in COLUMNS]


def _text(column: Column, value: Any, lang: str) -> Any:
    """A cell as CSV writes it: yes/no in words, dates in ISO form, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return translator(lang)("value.yes" if value else "value.no")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def as_csv(rows: Sequence[dict[str, Any]], lang: str) -> bytes:
    buffer = io.StringIO()
    # Every cell quoted: Danish Excel splits an unquoted line at ";" too, and a part could start a formula.
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(headings(lang))
    for row in rows:
        writer.writerow([_text(column, row[column.key], lang) for column in COLUMNS])
    # A byte order mark: Excel then reads the file as UTF-8 (æ, ø, å).
    return b"\xef\xbb\xbf" + buffer.getvalue().encode()


def as_jsonl(rows: Sequence[dict[str, Any]]) -> bytes:
    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, date) else value

    return b"".join(
        json.dumps({k: plain(v) for k, v in row.items()}, ensure_ascii=False).encode() + b"\n" for row in rows
    )


def _cell_value(value: Any, words: dict[bool, str]) -> Any:
    """yes/no in words; text without the control characters a workbook cannot hold (a vertical tab
    pasted from a word processor)."""
    if isinstance(value, bool):
        return words[value]
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _workbook(rows: Sequence[dict[str, Any]], lang: str, *, lists: bool) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = translator(lang)("sheet.title")
    sheet.append(headings(lang))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    words = {True: translator(lang)("value.yes"), False: translator(lang)("value.no")}
    for row in rows:
        sheet.append([_cell_value(row[c.key], words) for c in COLUMNS])
    for index in range(2, len(rows) + 2):
        for position in range(1, len(COLUMNS) + 1):
            cell = sheet.cell(row=index, column=position)
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text as text, never a formula
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    if lists:
        _drop_downs(book, sheet, lang)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _drop_downs(book: Workbook, sheet: Any, lang: str) -> None:
    """Each vocabulary in a column of a hidden sheet, and a list validation on its column."""
    lists = book.create_sheet(translator(lang)("sheet.lists"))
    lists.sheet_state = "hidden"
    yes_no = [translator(lang)("value.yes"), translator(lang)("value.no")]
    used = 0
    for position, column in enumerate(COLUMNS, start=1):
        values = list(column.choices) if column.kind == "choice" else yes_no if column.kind == "bool" else []
        if not values:
            continue
        used += 1
        letter = get_column_letter(used)
        lists.cell(row=1, column=used, value=column.key)
        for row, value in enumerate(values, start=2):
            lists.cell(row=row, column=used, value=value)
        reference = f"'{lists.title}'!${letter}$2:${letter}${len(values) + 1}"
        validation = DataValidation(type="list", formula1=reference, allow_blank=True)
        target = get_column_letter(position)
        validation.add(f"{target}2:{target}10000")
        sheet.add_data_validation(validation)


def register_file(rows: Sequence[dict[str, Any]], fmt: str, lang: str) -> bytes:
    if fmt == "csv":
        return as_csv(rows, lang)
    if fmt == "jsonl":
        return as_jsonl(rows)
    return _workbook(rows, lang, lists=True)


def template_file(fmt: str, lang: str) -> bytes:
    example = {column.key: EXAMPLE.get(column.key) for column in COLUMNS}
    return as_csv([example], lang) if fmt == "csv" else _workbook([example], lang, lists=True)


# --- reading a filled template -------------------------------------------------------------------

SHEET_TITLES = ("systemer", "systems")


def _unreadable(reason: str) -> InvalidFields:
    return InvalidFields(f"The file cannot be imported: {reason}.", problems=[FieldProblem("file", reason)])


@functools.cache
def vocabulary() -> Vocabulary:
    """Yes/no and each vocabulary's words, in both languages, besides the codes."""
    yes_no: dict[str, bool] = {"true": True, "false": False, "1": True, "0": False}
    choices: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        t = translator(lang)
        yes_no[t("value.yes").casefold()] = True
        yes_no[t("value.no").casefold()] = False
        for column in COLUMNS:
            vocabulary_name = column.key.rsplit(".", 1)[-1]
            words = choices.setdefault(column.key, {})
            for code in column.choices:
                word = t.get(f"{vocabulary_name}.{code}", "")
                if word:
                    words.setdefault(word.casefold(), code)
    return Vocabulary(yes_no=yes_no, choices=choices)


def _column_keys(heading: Sequence[Any]) -> list[str | None]:
    """Each heading's column key (by key, or by its heading in either language); None for an empty one."""
    known: dict[str, str] = {}
    for lang in LANGUAGES:
        for key, text in zip(COLUMN_KEYS, headings(lang), strict=True):
            known[text.casefold()] = key
    known |= {key.casefold(): key for key in COLUMN_KEYS}
    keys: list[str | None] = []
    for text in heading:
        if text is None or not str(text).strip():
            keys.append(None)
            continue
        found = known.get(str(text).strip().casefold())
        if found is None:
            raise _unreadable(f"the column {str(text).strip()!r} is not one of the template's")
        key = found
        if key in keys:
            raise _unreadable(f"the column {str(text).strip()!r} is there twice")
        keys.append(key)
    if "name" not in keys:
        raise _unreadable("it has no heading row with the template's columns")
    return keys


def _rows(table: Sequence[Sequence[Any]]) -> list[tuple[int, dict[str, Any]]]:
    if not table:
        raise _unreadable("it is empty")
    keys = _column_keys(table[0])
    rows = []
    for number, values in enumerate(table[1:], start=2):
        cells = {key: value for key, value in zip(keys, values, strict=False) if key is not None}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        if len(values) > len(keys) and any(v not in (None, "") for v in values[len(keys) :]):
            raise _unreadable(f"row {number} has cells beyond the last column")
        rows.append((number, cells))
    if len(rows) > MAX_ROWS:
        raise _unreadable(f"it has {len(rows)} rows; at most {MAX_ROWS} at a time")
    return rows


MAX_UNPACKED_BYTES = 200 * 1024 * 1024
"""A workbook is a zip: what it unpacks to is bounded too, so a small file cannot fill the memory."""


def _sheet_table(sheet: Any) -> list[list[Any]]:
    """The sheet's cells as values, as wide as the template can be (a cell far to the right of it is
    not read: it would make every row that wide)."""
    table = []
    try:
        for cells in sheet.iter_rows(max_col=len(COLUMNS) + MARGIN_COLUMNS):
            for cell in cells:
                if getattr(cell, "data_type", None) == "f":
                    raise _unreadable(f"cell {cell.coordinate} holds a formula; import values only")
            table.append([cell.value for cell in cells])
            if len(table) > MAX_ROWS + 1:
                raise _unreadable(f"it has more than {MAX_ROWS} rows; at most {MAX_ROWS} at a time")
    except InvalidFields:
        raise
    except Exception as exc:  # openpyxl raises what a value it cannot convert gives (a 5,000-digit number)
        raise _unreadable(f"a cell of row {len(table) + 1} cannot be read") from exc
    return table


MARGIN_COLUMNS = 20


def _workbook_rows(body: bytes) -> list[tuple[int, dict[str, Any]]]:
    try:
        unpacked = sum(entry.file_size for entry in zipfile.ZipFile(io.BytesIO(body)).infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _unreadable("it is not an Excel workbook (xlsx) or a CSV file") from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise _unreadable(f"it unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB")
    try:
        book = load_workbook(io.BytesIO(body), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise _unreadable("it is not an Excel workbook (xlsx) or a CSV file") from exc
    try:
        titles = {sheet.title.casefold(): sheet.title for sheet in book.worksheets}
        title = next((titles[t] for t in SHEET_TITLES if t in titles), None)
        if title is None:
            raise _unreadable("it has no sheet named Systemer or Systems")
        table = _sheet_table(book[title])
        return _rows(table)
    finally:
        book.close()


def _csv_rows(body: bytes) -> list[tuple[int, dict[str, Any]]]:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _unreadable("it is not an Excel workbook (xlsx) or a CSV file in UTF-8") from exc
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","  # Danish Excel saves with ;
    try:
        table: list[list[Any]] = [
            [cell[1:] if cell.startswith("'") and cell[1:2] in FORMULA_STARTS else cell for cell in row]
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error as exc:
        raise _unreadable(f"it is not a CSV file ({exc})") from exc
    return _rows(table)


def read_upload(body: bytes) -> list[tuple[int, dict[str, Any]]]:
    """The rows of an uploaded xlsx or CSV file: (row number, column key -> cell). Anything else,
    formulas, another sheet or a column the template does not have: InvalidFields naming `file`."""
    if not body.strip():
        raise _unreadable("it is empty")
    return _workbook_rows(body) if body[:4] == b"PK\x03\x04" else _csv_rows(body)


__all__ = ["FORMATS", "headings", "read_upload", "register_file", "template_file", "vocabulary"]
