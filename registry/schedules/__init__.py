"""Periodic jobs that run once per interval for the whole deployment, whichever process gets to them
first: the scheduled-run table and its claims."""

from registry.schedules.service import (
    LEASE_SECONDS,
    Claim,
    claim,
    is_due,
    last_run,
    process_holder,
    record_finished,
)

__all__ = ["LEASE_SECONDS", "Claim", "claim", "is_due", "last_run", "process_holder", "record_finished"]
