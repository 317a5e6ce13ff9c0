"""What the parser needs (argument types, the roles) and how a command reports a user's mistake.

Standard library only: the parser is built, and help printed, without importing the register."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import UTC, datetime

ROLES = ("platform_admin", "employer_admin", "steward", "auditor")  # registry.Role, without importing it
TTL_PATTERN = re.compile(r"^(\d+)([smhd]?)$")
TTL_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class CommandError(Exception):
    """A mistake of the user's or a state of their installation: `main` prints the message as one line
    on standard error and exits with `exit_code`, without a traceback."""

    def __init__(self, message: str, *, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def parse_ttl(text: str) -> int:
    match = TTL_PATTERN.match(text.strip())
    if not match or int(match.group(1)) == 0:
        raise argparse.ArgumentTypeError("use a duration such as 3600, 90m, 8h or 30d")
    seconds = int(match.group(1)) * TTL_UNITS[match.group(2)]
    if seconds > 366 * 86400:
        raise argparse.ArgumentTypeError("at most 366 days")
    return seconds


def moment(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            "use an ISO 8601 time such as 2026-01-01 or 2026-01-01T08:00:00Z"
        ) from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def configuration_problem(exc: BaseException) -> str | None:
    """One line for a setting the register cannot use, or None when `exc` is not about settings.

    Looked up in sys.modules: a command that failed before importing pydantic or the registry cannot
    have raised their exceptions, and `main` imports neither just to compare."""
    errors = sys.modules.get("registry.errors")
    if errors is not None and isinstance(exc, errors.ConfigurationError):
        return f"configuration error: {exc}"
    pydantic = sys.modules.get("pydantic")
    if pydantic is not None and isinstance(exc, pydantic.ValidationError) and exc.title.endswith("Settings"):
        problems = "; ".join(
            f"AIREG_{'_'.join(str(part) for part in error['loc']).upper()}: {error['msg']}"
            for error in exc.errors()
        )
        return f"configuration error: {problems}"
    return None
