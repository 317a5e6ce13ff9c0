"""Upgrading databases made by earlier releases, on each engine: the migrations apply and nothing is
pending after them. A finding stored before findings kept their message as a key still says what it said,
in both languages (its values cannot be read back out of the sentences). A system stored before notices,
consultations and workers' information were histories keeps every one its versions held, as entries of
its histories, and each change took effect the day it was recorded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.earlier_release import EARLIER_DA, EARLIER_EN

ROOT = Path(__file__).resolve().parents[2]


LATER = [
    "2026-12-06T00:25:30:370790",
    "2026-12-06T00:25:31:000000",
    "2026-12-06T02:43:13:646746",
    "2026-12-06T02:43:14:000000",
    "2026-12-06T05:37:30:959516",
    "2026-12-06T06:35:09:688517",
    "2026-12-06T06:35:10:000000",
    "2026-12-06T06:50:52:603651",
    "2026-12-06T07:48:18:470471",
]


def _upgrade(database_url: str, tmp_path: Path, *scenario: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIREG_")}
    env |= {"AIREG_DATA_DIR": str(tmp_path / "data"), "AIREG_DATABASE_URL": database_url}
    run = subprocess.run(
        [sys.executable, "-m", "tests.support.earlier_release", *scenario],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    said: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return said


def test_a_finding_stored_before_the_upgrade_keeps_its_words(database_url: str, tmp_path: Path) -> None:
    said = _upgrade(database_url, tmp_path)
    assert said["applied"] == ["2026-12-05T22:00:00:000000", *LATER]
    assert said["pending"] == []
    assert (said["status"], said["message_da"], said["message_en"]) == ("resolved", EARLIER_DA, EARLIER_EN)


def test_notices_consultations_and_workers_information_become_histories(
    database_url: str, tmp_path: Path
) -> None:
    said = _upgrade(database_url, tmp_path, "histories")
    assert said["applied"] == LATER
    assert said["pending"] == []
    notices = said["entries"]["notice"]
    # Both notices the versions held, nothing lost: the first about the system as first put into use,
    # the second about the version that recorded it, by that version's author at its time.
    assert [(n["given_at"], n["audience"], n["covers_version"]) for n in notices] == [
        ("2025-02-10", "Distrikt Nord", None),
        ("2025-06-16", "Nord og Syd", 3),
    ]
    assert [n["recorded_by"] for n in notices] == ["author-1", "author-3"]
    assert notices[1]["recorded_at"].startswith("2025-09-01")
    # A consultation corrected in a version that changed nothing material replaces the one before.
    first, corrected = said["entries"]["consultation"]
    assert (first["decided_at"], corrected["decided_at"]) == ("2025-01-28", "2025-01-29")
    assert corrected["replaces"] == first["id"]
    assert corrected["covers_version"] is None
    workers = said["entries"]["worker_information"]
    assert [(w["party"], w["informed_at"]) for w in workers] == [
        ("workers", "2025-02-10"),
        ("workers", "2025-06-16"),
    ]
    assert said["effective"] == ["2025-09-01", "2025-06-01", "2025-03-01"]  # newest first
    notice, consultation = said["sparse"]
    assert (notice["given_at"], notice["exception"]) == (
        None,
        {"reason": None, "late_notice_at": "2025-03-01"},
    )
    assert (consultation["committee"], consultation["informed_at"]) == ("SU", None)
