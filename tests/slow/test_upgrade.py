"""Upgrading a database made by the release before findings kept their message as a key: on each
engine, the migration applies, nothing is pending after it, and a finding that release stored still
says what it said, in both languages (its values cannot be read back out of the sentences)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.earlier_release import EARLIER_DA, EARLIER_EN

ROOT = Path(__file__).resolve().parents[2]


def test_a_finding_stored_before_the_upgrade_keeps_its_words(database_url: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIREG_")}
    env |= {"AIREG_DATA_DIR": str(tmp_path / "data"), "AIREG_DATABASE_URL": database_url}
    run = subprocess.run(
        [sys.executable, "-m", "tests.support.earlier_release"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    said = json.loads(run.stdout.strip().splitlines()[-1])
    assert said["applied"] == ["2026-12-05T22:00:00:000000"]
    assert said["pending"] == []
    assert (said["status"], said["message_da"], said["message_en"]) == ("resolved", EARLIER_DA, EARLIER_EN)
