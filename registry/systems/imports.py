"""Importing a spreadsheet of AI systems: rows in the columns of registry/systems/sheet.py, each becoming
a new system (no `id`), a change of one (its `id`, with the `version` it was read at) or nothing (it
matches the system as it is). A dry run reports what would happen and writes nothing; a real run
writes every row or none, each new or changed system with a revision whose change note names the
import."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from registry.access import Actor, require_register_writer
from registry.db import write_transaction
from registry.errors import DomainError, NotFound
from registry.events import batched
from registry.fields import days_out_of_range
from registry.organizations.service import organization_exists
from registry.organizations.units import list_units
from registry.systems.consistency import contradictions
from registry.systems.followers import follower
from registry.systems.models import SystemFields
from registry.systems.service import get_system, register_system, update_system
from registry.systems.sheet import COLUMNS, Column
from registry.systems.tables import AISystem

MAX_ROWS = 10_000
MAX_JSON_CELL = 100_000
AMBIGUOUS = ""
HISTORY_FIELDS = ("notice", "consultation", "workers_informed_at")
"""Read as the latest entry of a history: a blank cell does not remove a history."""
_ISO_MIDNIGHT = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]00:00(:00)?)?$")  # a date, or a date at midnight
_DAY = re.compile(r"^(\d{1,2})[.\-/](\d{1,2})[.\-/](\d{4})$")


@dataclass(frozen=True)
class Vocabulary:
    """What a reader may write in a cell besides the codes: yes/no and the vocabularies' words."""

    yes_no: Mapping[str, bool]
    choices: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # column key -> word -> code


@dataclass
class RowReport:
    row: int
    outcome: str = "unchanged"  # created | changed | unchanged | refused
    system_id: str | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column key, reason)
    fields: SystemFields | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    version: int | None = None


class ImportRefused(DomainError):
    """A real run with refused rows: nothing was written; the report says why."""

    def __init__(self, reports: list[RowReport]) -> None:
        super().__init__("Nothing was imported: some rows are refused.")
        self.reports = reports


class _CellProblem(ValueError):
    pass


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    found = _DAY.match(text)
    try:
        if found:
            return date(int(found[3]), int(found[2]), int(found[1]))
        return date.fromisoformat(text[:10] if _ISO_MIDNIGHT.match(text) else text)
    except ValueError as exc:
        raise _CellProblem("is not a date (2027-03-01 or 1.3.2027)") from exc


def _number(value: Any, whole: bool) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _CellProblem("is not a number")
    try:
        number = float(value.strip().replace(",", ".")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise _CellProblem("is not a number") from exc
    if not math.isfinite(number):
        raise _CellProblem("is not a number")
    if whole:
        if not number.is_integer():
            raise _CellProblem("is not a whole number")
        return int(number)
    return number


def _choice(column: Column, text: str, vocabulary: Vocabulary) -> str:
    if text in column.choices:
        return text
    code = vocabulary.choices.get(column.key, {}).get(text.casefold())
    if code is None:
        raise _CellProblem(f"is not one of: {', '.join(column.choices)}")
    return code


def _items(value: Any) -> list[str]:
    """A list cell's items: "a; b" in a spreadsheet, or a list as a form sends it."""
    items = [_text(item) for item in value] if isinstance(value, list | tuple) else _text(value).split(";")
    return [item.strip() for item in items if item.strip()]


def _yes_no(column: Column, value: Any, vocabulary: Vocabulary, _: Mapping[str, str]) -> bool:
    if isinstance(value, bool):
        return value
    answer = vocabulary.yes_no.get(_text(value).casefold())
    if answer is None:
        raise _CellProblem(f"must be one of: {', '.join(sorted(vocabulary.yes_no))}")
    return answer


def _unit_ids(column: Column, value: Any, vocabulary: Vocabulary, units: Mapping[str, str]) -> list[str]:
    unknown = [name for name in _items(value) if name not in units]
    if unknown:
        raise _CellProblem(f"names no unit of the organization: {', '.join(unknown)}")
    shared = [name for name in _items(value) if units[name] == AMBIGUOUS]
    if shared:
        raise _CellProblem(f"names a unit that several units are called: {', '.join(shared)}")
    return [units[name] for name in _items(value)]


def _json(column: Column, value: Any, vocabulary: Vocabulary, units: Mapping[str, str]) -> Any:
    text = _text(value)
    if len(text) > MAX_JSON_CELL:
        raise _CellProblem(f"is longer than {MAX_JSON_CELL} characters")
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise _CellProblem("is not JSON") from exc


_PARSERS: dict[str, Any] = {
    "bool": _yes_no,
    "int": lambda c, v, voc, u: _number(v, True),
    "number": lambda c, v, voc, u: _number(v, False),
    "date": lambda c, v, voc, u: _day(v).isoformat(),
    "choice": lambda c, v, voc, u: _choice(c, _text(v), voc),
    "choices": lambda c, v, voc, u: [_choice(c, item, voc) for item in _items(v)],
    "list": lambda c, v, voc, u: _items(v),
    "units": _unit_ids,
    "json": _json,
}


def _parsed(column: Column, value: Any, vocabulary: Vocabulary, units: Mapping[str, str]) -> Any:
    """A cell as the field's value: numbers, yes/no, dates, codes; or _CellProblem with the reason."""
    parser = _PARSERS.get(column.kind)
    return _text(value) if parser is None else parser(column, value, vocabulary, units)


def _blank(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return all(_blank(item) for item in value)
    return value is None or (isinstance(value, str) and not value.strip())


def _fields_of(
    cells: Mapping[str, Any], vocabulary: Vocabulary, units: Mapping[str, str], report: RowReport
) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for column in COLUMNS:
        value = cells.get(column.key)
        if column.kind == "key" or _blank(value):
            continue
        try:
            parsed = _parsed(column, value, vocabulary, units)
        except _CellProblem as exc:
            report.problems.append((column.key, str(exc)))
            continue
        *parents, leaf = column.path
        target = document
        for name in parents:
            target = target.setdefault(name, {})
        target[leaf] = parsed
    return document


def parse_cells(
    cells: Mapping[str, Any], vocabulary: Vocabulary, units: Mapping[str, str]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Cells (column key -> value) as the fields they state, nested by group, and each cell that
    cannot be read with its reason. `units`: unit name (or id) -> unit id."""
    report = RowReport(row=0)
    return _fields_of(cells, vocabulary, units, report), report.problems


def column_of(location: Sequence[Any]) -> str:
    """The column of a validation error's location (list indexes and dict keys dropped)."""
    names = [str(part) for part in location if isinstance(part, str)]
    keys = {column.key for column in COLUMNS}
    for length in range(len(names), 0, -1):
        key = ".".join(names[:length])
        if key in keys:
            return key
    return ".".join(names) or "row"


def _validated(document: dict[str, Any], report: RowReport) -> SystemFields | None:
    try:
        return SystemFields.model_validate(document)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            report.problems.append((column_of(error["loc"]), str(error["msg"])))
        return None


def _normal(value: Any) -> Any:
    """A value as a row can state it: a group whose every field is empty is no group (blank cells)."""
    if isinstance(value, dict):
        inner = {name: _normal(item) for name, item in value.items()}
        return None if all(item in (None, [], {}) for item in inner.values()) else inner
    return value


async def _compare(actor: Actor, org_id: str, cells: Mapping[str, Any], report: RowReport) -> None:
    """For a row with an `id`: the system as it is, and what the row changes of it."""
    system_id, version = _text(cells.get("id")), cells.get("version")
    try:
        stored = await get_system(actor, system_id)
    except (NotFound, ValueError):
        report.problems.append(("id", "names no AI system of this organization"))
        return
    current = stored.document
    if str(current.get("organization_id")) != org_id:
        report.problems.append(("id", "names no AI system of this organization"))
        return
    report.system_id = system_id
    try:
        report.version = int(_number(version, True)) if not _blank(version) else None
    except _CellProblem:
        report.version = None
    if report.version is None:
        report.problems.append(("version", "is needed to change a system: the version the row was read at"))
        return
    if report.version != stored.version:
        report.problems.append(
            ("version", f"the system has changed since version {report.version} (it is now {stored.version})")
        )
        return
    assert report.fields is not None
    new = report.fields.model_dump(mode="json")
    old = SystemFields.model_validate({k: current.get(k) for k in SystemFields.model_fields if k in current})
    before = old.model_dump(mode="json")
    report.changes = {
        name: value
        for name, value in new.items()
        if _normal(value) != _normal(before.get(name)) and not (name in HISTORY_FIELDS and value is None)
    }
    report.outcome = "changed" if report.changes else "unchanged"


def _stated_problems(report: RowReport) -> None:
    """What registering would refuse beyond the model: dates out of range, contradicting statuses."""
    assert report.fields is not None
    stated = report.fields.model_dump(mode="json")
    for problem in days_out_of_range(report.fields) + contradictions(stated):
        report.problems.append((column_of(problem.field.replace("[", ".[").split(".")), problem.reason))


async def _row_report(
    actor: Actor,
    org_id: str,
    number: int,
    cells: Mapping[str, Any],
    vocabulary: Vocabulary,
    units: Mapping[str, str],
    seen_ids: dict[str, int],
) -> RowReport:
    """What one row would do, or why it is refused."""
    report = RowReport(row=number)
    document = _fields_of(cells, vocabulary, units, report)
    report.fields = None if report.problems else _validated(document, report)
    if report.fields is not None:
        _stated_problems(report)
    row_id = None if _blank(cells.get("id")) else _text(cells.get("id"))
    if row_id is not None and row_id in seen_ids:
        report.problems.append(("id", f"is also in row {seen_ids[row_id]}: one row per system"))
    elif row_id is not None:
        seen_ids[row_id] = number
    if report.fields is not None and not report.problems:
        if row_id is not None:
            await _compare(actor, org_id, cells, report)
        else:
            report.outcome = "created"
    if report.problems:
        report.outcome = "refused"
    return report


async def import_rows(
    actor: Actor,
    org_id: str,
    rows: Sequence[tuple[int, Mapping[str, Any]]],
    vocabulary: Vocabulary,
    *,
    dry_run: bool,
    change_note: str,
) -> list[RowReport]:
    """Rows as (row number in the file, column key -> cell). Raises ImportRefused on a real run with
    a refused row; writes nothing then, and nothing on a dry run. A real run checks the rows under the
    write lock it writes them in, so nothing they were checked against changes in between."""
    require_register_writer(actor, org_id)
    if dry_run:
        return await _reports(actor, org_id, rows, vocabulary)
    async with write_transaction(AISystem._meta.db), batched(), follower().deferred():
        reports = await _reports(actor, org_id, rows, vocabulary)
        if any(r.outcome == "refused" for r in reports):
            raise ImportRefused(reports)
        for report in reports:
            if report.outcome == "created" and report.fields is not None:
                # The organization and every unit were checked in _reports, in this transaction.
                stored = await register_system(
                    actor, org_id, report.fields, change_note=change_note, prechecked=True
                )
                report.system_id = str(stored.document["id"])
            elif report.outcome == "changed" and report.system_id is not None:
                await update_system(
                    actor,
                    report.system_id,
                    report.changes,
                    if_match=[report.version or 0],
                    change_note=change_note,
                )
    return reports


async def _reports(
    actor: Actor, org_id: str, rows: Sequence[tuple[int, Mapping[str, Any]]], vocabulary: Vocabulary
) -> list[RowReport]:
    """What each row would do, or why it is refused."""
    if not await organization_exists(org_id):
        raise NotFound("Organization not found.")
    units: dict[str, str] = {}
    for unit in await list_units(actor, org_id):
        # A name two units share names neither: such a cell is refused (by _unit_ids).
        name = str(unit["name"])
        units[name] = AMBIGUOUS if name in units else str(unit["id"])
    reports = []
    seen_ids: dict[str, int] = {}
    for number, cells in rows:
        reports.append(await _row_report(actor, org_id, number, cells, vocabulary, units, seen_ids))
    return reports


__all__ = ["MAX_ROWS", "ImportRefused", "RowReport", "Vocabulary", "column_of", "import_rows", "parse_cells"]
