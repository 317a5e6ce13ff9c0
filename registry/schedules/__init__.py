"""Periodic jobs that run once per interval for the whole deployment, whichever process gets to them
first: the scheduled-run table and its claims."""

from registry.schedules.service import (
    CHECK_SECONDS,
    LEASE_SECONDS,
    Claim,
    Job,
    claim,
    is_due,
    keep_running,
    last_run,
    process_holder,
    record_finished,
    run_when_due,
)

__all__ = [
    "CHECK_SECONDS",
    "LEASE_SECONDS",
    "Claim",
    "Job",
    "claim",
    "is_due",
    "keep_running",
    "last_run",
    "process_holder",
    "record_finished",
    "run_when_due",
]
