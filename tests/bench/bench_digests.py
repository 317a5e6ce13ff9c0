"""Benchmark: a digest round for 10,000 members in 1,000 organizations with a week of changes (target:
<= 60 s on SQLite), its memory as the members double, and the mail relay's rate to a real SMTP server
beside a plain smtplib loop to the same server.

    .venv/bin/python tests/bench/bench_digests.py [--organizations 1000] [--no-docs]

1. Seeding (not timed): a scratch data dir; per organization 2 units and 4 AI systems registered through
   the services, then a week of changes: each system changed once (one in two materially), a question
   of a steward answered; 10 members (5 stewards, 3 of them limited to a unit; 3 employer admins;
   2 auditors), every one with a weekly digest, members for more than a week.
2. Memory: a round for half the organizations' members first (the others marked as sent), then, with
   every member due again, a round for all of them. Peak RSS is the process's high-water mark, so the
   second round's growth beyond the first is what 5,000 more members cost.
3. The full round is timed: read each organization's week once, each member's view of it, the mails
   worded and written to the outbox, one transaction per organization.
4. The relay: `MailRelay.send_due` in a loop until the outbox is empty, to an aiosmtpd server in a
   process of its own (discarding the mail) on the other core; then a plain smtplib loop that builds
   the same messages from the same rows and sends them over one connection to the same server. Mails
   per second for each, and the ratio: what the outbox's claims and marks cost."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import resource
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = "tests/bench/bench_digests.py"
TARGET_S = 60.0
MEMBERS_PER_ORG = 10


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _seed(organizations: int, rng: random.Random) -> list[str]:
    from registry import Actor, Role
    from registry.clock import utcnow
    from registry.members.models import MemberFields
    from registry.members.service import enroll_member
    from registry.members.tables import Member
    from registry.organizations.models import OrganizationFields, UnitFields
    from registry.organizations.service import create_organization
    from registry.organizations.units import create_unit
    from registry.questions.models import AnswerFields, QuestionFields
    from registry.questions.service import answer, ask
    from registry.systems.models import SystemFields
    from registry.systems.service import register_system, update_system
    from tests.bench.bench_seed import valid_cvrs

    platform_admin = Actor(sub="bench", role=Role.platform_admin)
    org_ids = []
    for n, cvr in enumerate(valid_cvrs(organizations)):
        org = await create_organization(
            platform_admin,
            OrganizationFields(name=f"Kommune {n}", cvr=cvr, sector="public", cooperation_body="MED"),
        )
        org_id = org["id"]
        org_ids.append(org_id)
        admin = Actor(sub=f"hr@k{n}.example", role=Role.employer_admin, org=org_id)
        units = [
            (await create_unit(admin, org_id, UnitFields(name=name, committee="lokal-MED")))["id"]
            for name in ("Hjemmeplejen", "Rengøring")
        ]
        people = [
            ("steward", [units[0]]),
            ("steward", [units[0]]),
            ("steward", [units[1]]),
            ("steward", None),
            ("steward", None),
            ("employer_admin", None),
            ("employer_admin", None),
            ("employer_admin", None),
            ("auditor", None),
            ("auditor", None),
        ]
        for i, (role, limited) in enumerate(people[:MEMBERS_PER_ORG]):
            await enroll_member(
                org_id,
                MemberFields(email=f"m{i}@k{n}.example", name=f"Medlem {i}", role=role, units=limited),
                created_by="bench",
            )
        systems = []
        for s in range(4):
            fields = SystemFields.model_validate(
                {
                    "name": f"System {s} i kommune {n}",
                    "purpose": "Planlægger besøg og ruter.",
                    "vendor": "Eksempel Software A/S",
                    "category": "decision_support",
                    "control_measure": False,
                    "status": "pilot",
                    "unit_ids": [units[s % 2]] if s < 3 else [],
                }
            )
            stored = await register_system(admin, org_id, fields, None)
            systems.append(stored)
        for s, stored in enumerate(systems):  # the week's changes
            change = {"status": "in_use"} if s % 2 == 0 else {"affected_headcount": rng.randint(5, 200)}
            await update_system(
                admin, stored.document["id"], change, if_match=[stored.version], change_note="Ugens ændring"
            )
        steward = Actor(sub=f"m0@k{n}.example", role=Role.steward, org=org_id, units=(units[0],))
        question = await ask(steward, systems[0].document["id"], QuestionFields(text="Hvem ser dataene?"))
        await answer(admin, question["id"], AnswerFields(text="Kun planlæggerne."))
    # Everyone chose a weekly digest and has been a member for more than a week.
    await Member.update(
        {Member.digest: "weekly", Member.created_at: utcnow() - timedelta(days=8)}, force=True
    )
    return org_ids


async def run(organizations: int, smtp_port: int) -> dict[str, Any]:
    import logging

    logging.getLogger("airegistry").setLevel(logging.WARNING)
    from api.mails import digests
    from registry.clock import utcnow
    from registry.composition import compose
    from registry.db.migrate import migrate
    from registry.members.tables import Member
    from registry.updates.digests import SETTLE, send_digests
    from webhooks.mail import MailRelay, build_message
    from webhooks.outbox import OutboxSink
    from webhooks.settings import MailSettings
    from webhooks.tables import MailMessage

    await migrate()
    compose(OutboxSink())
    rng = random.Random(21)
    started = time.perf_counter()
    org_ids = await _seed(organizations, rng)
    seeding = time.perf_counter() - started
    compose_mail = digests("https://ai-register.example")

    # Memory: half the organizations' members first, then all of them.
    half = set(org_ids[: len(org_ids) // 2])
    # Rounds a little later than the changes (a digest leaves SETTLE for changes still being saved).
    now = utcnow() + SETTLE + timedelta(seconds=1)
    await Member.update({Member.digest_until: now}).where(
        Member.organization.is_in(list(set(org_ids) - half))
    )
    before = _peak_mb()
    first = await send_digests(now, compose_mail)
    half_peak = _peak_mb() - before
    await Member.update({Member.digest_until: None}, force=True)
    await MailMessage.delete(force=True)
    before = _peak_mb()
    started = time.perf_counter()
    full = await send_digests(now, compose_mail)
    round_s = time.perf_counter() - started
    full_peak = _peak_mb() - before
    mails = await MailMessage.count()
    sizes = await MailMessage.select(MailMessage.text, MailMessage.html).limit(200)
    average_kb = sum(len(r["text"]) + len(r["html"] or "") for r in sizes) / max(1, len(sizes)) / 1024

    # The relay to the SMTP server (main() started it), then a plain smtplib loop.
    relay = MailRelay(MailSettings(smtp_host="127.0.0.1", smtp_port=smtp_port, smtp_timeout_seconds=30))
    rows = await MailMessage.select().order_by(MailMessage.id)
    started = time.perf_counter()
    relayed = 0
    while sent := await relay.send_due():
        relayed += sent
    relay_s = time.perf_counter() - started
    # The plain loop builds each message from the same stored text (as any sender must) and sends it
    # over one connection: the relay's work less its outbox bookkeeping.
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as client:
        for row in rows:
            client.send_message(build_message(row, relay.settings.smtp_from))
    plain_s = time.perf_counter() - started
    return {
        "organizations": organizations,
        "members": organizations * MEMBERS_PER_ORG,
        "seeding_s": seeding,
        "half_due": first.due,
        "half_peak_mb": half_peak,
        "due": full.due,
        "sent": full.sent,
        "quiet": full.quiet,
        "round_s": round_s,
        "full_peak_mb": full_peak,
        "mails": mails,
        "average_kb": average_kb,
        "relayed": relayed,
        "relay_s": relay_s,
        "plain": len(rows),
        "plain_s": plain_s,
    }


def report(f: dict[str, Any], command: str) -> str:
    relay_rate = f["relayed"] / f["relay_s"]
    plain_rate = f["plain"] / f["plain_s"]
    rows = [
        (
            f"A digest round for {f['members']:,} members in {f['organizations']:,} organizations, a week "
            f"of changes ({f['sent']:,} digests written to the outbox, {f['quiet']} quiet)",
            f"{f['round_s']:.1f} s ({f['due'] / f['round_s']:,.0f} members/s)",
            f"<= {TARGET_S:.0f} s",
            "yes" if f["round_s"] <= TARGET_S else "**no**",
        ),
        (
            f"Peak RSS growth: a round for {f['half_due']:,} members, then one for all {f['due']:,}",
            f"+{f['half_peak_mb']:.0f} MB, then +{f['full_peak_mb']:.0f} MB more",
            "flat in the members",
            "yes" if f["full_peak_mb"] <= max(5.0, 0.25 * f["half_peak_mb"]) else "**no**",
        ),
        (
            f"The mail relay to a local SMTP server (aiosmtpd), {f['relayed']:,} digests "
            f"(about {f['average_kb']:.0f} KiB each, text and HTML)",
            f"{relay_rate:,.0f} mails/s",
            "",
            "",
        ),
        (
            "A plain smtplib loop: the same messages built from the same rows, sent over one connection "
            "to the same server",
            f"{plain_rate:,.0f} mails/s; relay / plain = {relay_rate / plain_rate:.2f}",
            "",
            "",
        ),
    ]
    table = "\n".join(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows)
    moment = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return (
        f"Measured {moment} on {platform.machine()}, Python {platform.python_version()}, SQLite, one "
        f"process (the SMTP server in a second one). Command: `{command}`\n\n"
        "| figure | measured | target | met |\n|---|---|---|---|\n"
        f"{table}\n\n"
        f"Seeding (not timed) took {f['seeding_s']:.0f} s. Peak RSS is the process's high-water mark, "
        "measured before and after each round; the second round's figure is what it needed beyond the "
        "first."
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--organizations", type=int, default=1_000)
    parser.add_argument("--no-docs", action="store_true", help="print the figures only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="airegistry-bench-digests-") as scratch:
        os.environ["AIREG_DATA_DIR"] = scratch
        os.environ.pop("AIREG_DATABASE_URL", None)
        sys.path.insert(0, str(ROOT))
        from tests.bench.processes import free_port

        port = free_port()
        # An SMTP server that takes and discards every mail, in a process of its own.
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                f"127.0.0.1:{port}",
                "-c",
                "aiosmtpd.handlers.Sink",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            figures = asyncio.run(run(args.organizations, port))
        finally:
            server.terminate()
            server.wait(timeout=10)
    command = "python " + " ".join([SCRIPT, *sys.argv[1:]])
    block = report(figures, command)
    print(block)
    if not args.no_docs:
        from tests.bench.docs_block import write_block

        write_block(
            "bench-digests",
            SCRIPT,
            "Digests: a round for 10,000 members, and the mail relay",
            "Requirement: a digest round for 10,000 members in 1,000 organizations with a week of changes "
            "takes at most 60 s on SQLite, with memory flat in the number of members; the mails handed to "
            "the SMTP server per second, beside a plain smtplib loop to the same server (the ratio).",
            block,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
