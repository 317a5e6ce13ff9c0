"""Statements about one AI system that cannot all be true at once. A write that makes any of them
true is refused as a whole (the compliance findings of a valid entry are a separate matter)."""

from __future__ import annotations

from datetime import date
from typing import Any

from registry.errors import FieldProblem


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def contradictions(document: dict[str, Any]) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    go_live, retired = _date(document.get("go_live_at")), _date(document.get("retired_at"))
    if go_live and retired and retired < go_live:
        problems.append(FieldProblem("retired_at", "is before go_live_at"))
    if retired and document.get("status") != "retired":
        problems.append(FieldProblem("retired_at", "is set, but status is not retired"))
    consultation = document.get("consultation") or {}
    informed = _date(consultation.get("informed_at"))
    for later in ("discussed_at", "decided_at"):
        moment = _date(consultation.get(later))
        if informed and moment and moment < informed:
            problems.append(FieldProblem(f"consultation.{later}", "is before consultation.informed_at"))
    notice = document.get("notice") or {}
    given, late = _date(notice.get("given_at")), _date(notice.get("late_notice_at"))
    if given and late and late < given:
        problems.append(FieldProblem("notice.late_notice_at", "is before notice.given_at"))
    return problems
