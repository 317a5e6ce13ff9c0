"""The register's e-mail, worded: plain text and HTML in the person's language, from the catalogues.
Values from people (names, organization names) are escaped in the HTML part; headers are the outbox's
(webhooks/mail.py), which refuses a line break in them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from markupsafe import escape

from api.i18n import translator
from api.i18n.translator import Translator
from registry.mail import Mail
from registry.updates.activity import FindingNews, SystemSummary
from registry.updates.deadlines import Deadline
from registry.updates.digests import Digest


def _one_line(text: str) -> str:
    """A subject holds no line break (the outbox refuses one): a name written over two lines is kept on
    one."""
    return " ".join(text.split())


def _html(paragraphs: list[str], link: str, button: str) -> str:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        '<!DOCTYPE html><html><body style="font-family: sans-serif; line-height: 1.5">'
        f'{body}<p><a href="{escape(link)}">{escape(button)}</a></p></body></html>'
    )


def invitation_mail(
    member: dict[str, Any], token: str, *, organization: str, inviter: str, public_url: str, valid_days: int
) -> Mail:
    """The invitation: who invites to what, with which role, and the one-time login link."""
    lang = member["language"]
    t = translator(lang)
    link = f"{public_url.rstrip('/')}/login/{token}"
    role = t(f"role.{member['role']}")
    paragraphs = [
        t("mail.invitation.greeting", name=member["name"]),
        t("mail.invitation.text", inviter=inviter, organization=organization, role=role),
        t("mail.invitation.link", days=valid_days),
    ]
    text = "\n\n".join([*paragraphs, link, t("mail.invitation.footer")])
    return Mail(
        to=member["email"],
        subject=_one_line(t("mail.invitation.subject", organization=organization)),
        text=text,
        html=_html([*paragraphs, t("mail.invitation.footer")], link, t("mail.invitation.button")),
        language=lang,
        kind="invitation",
    )


def invitations(
    *, organization: str, inviter: str, public_url: str, ttl_seconds: int
) -> Callable[[dict[str, Any], str], Mail]:
    """The invitations one person sends into one organization (registry.members' `compose`)."""

    def compose(member: dict[str, Any], token: str) -> Mail:
        return invitation_mail(
            member,
            token,
            organization=organization,
            inviter=inviter,
            public_url=public_url,
            valid_days=max(1, ttl_seconds // 86400),
        )

    return compose


def login_link_mail(
    member: dict[str, Any], token: str, *, organization: str, public_url: str, valid_hours: int
) -> Mail:
    """A new one-time link, asked for on the front page."""
    lang = member["language"]
    t = translator(lang)
    link = f"{public_url.rstrip('/')}/login/{token}"
    paragraphs = [
        t("mail.invitation.greeting", name=member["name"]),
        t("mail.link.text", organization=organization, hours=valid_hours),
    ]
    text = "\n\n".join([*paragraphs, link, t("mail.link.footer")])
    return Mail(
        to=member["email"],
        subject=_one_line(t("mail.link.subject", organization=organization)),
        text=text,
        html=_html([*paragraphs, t("mail.link.footer")], link, t("mail.invitation.button")),
        language=lang,
        kind="login_link",
    )


@dataclass
class _Section:
    heading: str
    # (the system's name, the rest of the line, the system's page): the name is the link in HTML
    items: list[tuple[str, str, str]] = field(default_factory=list)


def _fields(t: Translator, names: tuple[str, ...]) -> str:
    return ", ".join(t.get(f"field.{name}", name) for name in names)


def change_line(
    t: Translator,
    system: str,
    changed_fields: tuple[str, ...],
    material_reasons: tuple[str, ...],
    notes: tuple[str, ...],
) -> str:
    """A change of a system in a line: whether it is material and why, what changed, the notes."""
    parts = [system]
    if material_reasons:
        reasons = ", ".join(t.term("material", r) for r in material_reasons)
        parts.append(t("mail.digest.material", reasons=reasons))
    if changed_fields:
        parts.append(t("mail.digest.fields", fields=_fields(t, changed_fields)))
    parts.extend(t("mail.digest.note", note=note) for note in notes)
    return " \N{EN DASH} ".join(parts)


def _summary_line(t: Translator, change: SystemSummary) -> str:
    return change_line(
        t, change.system_name, change.changed_fields, change.material_reasons, change.change_notes
    )


def finding_text(t: Translator, finding: FindingNews) -> str:
    """What the finding says, in the reader's language."""
    try:
        return t.message(finding.message)
    except KeyError:  # nothing kept to say: the rule's id is all there is
        return finding.rule_id


def _finding_line(t: Translator, finding: FindingNews) -> str:
    return f"{finding.system_name}: {finding_text(t, finding)}"


def deadline_line(t: Translator, deadline: Deadline, today: Any) -> str:
    key = f"mail.digest.deadline.{deadline.kind}"
    if deadline.kind == "apv" and deadline.overdue(today):
        key = "mail.digest.deadline.apv_overdue"
    return t(key, system=deadline.system_name, day=t.date(deadline.day), text=deadline.text)


def digest_sections(digest: Digest, public_url: str) -> list[_Section]:
    """What the digest says, section by section, each line with the page it is about."""
    view = digest.view
    lang = digest.member["language"]
    t = translator(lang)
    base = public_url.rstrip("/")

    def page(system_id: str) -> str:
        return f"{base}/systems/{system_id}"

    def item(system_id: str, name: str, line: str) -> tuple[str, str, str]:
        head, tail = (name, line[len(name) :]) if line.startswith(name) else (line, "")
        return head, tail, page(system_id)

    sections = [
        _Section(
            t("mail.digest.registered"),
            [item(c.system_id, c.system_name, c.system_name) for c in view.registered],
        ),
        _Section(
            t("mail.digest.changed"),
            [item(c.system_id, c.system_name, _summary_line(t, c)) for c in view.changed],
        ),
        _Section(
            t("mail.digest.retired"), [item(c.system_id, c.system_name, c.system_name) for c in view.retired]
        ),
        _Section(
            t("mail.digest.findings_opened"),
            [item(f.system_id, f.system_name, _finding_line(t, f)) for f in view.findings_opened],
        ),
        _Section(
            t("mail.digest.findings_resolved"),
            [item(f.system_id, f.system_name, _finding_line(t, f)) for f in view.findings_resolved],
        ),
        _Section(
            t("mail.digest.answers"),
            [
                item(
                    a.system_id,
                    a.system_name,
                    t("mail.digest.answer", system=a.system_name, question=a.question, answer=a.answer),
                )
                for a in view.answers
            ],
        ),
        _Section(
            t("mail.digest.apv"),
            [item(d.system_id, d.system_name, deadline_line(t, d, view.today)) for d in view.apv_due],
        ),
        _Section(
            t("mail.digest.plans"),
            [item(d.system_id, d.system_name, deadline_line(t, d, view.today)) for d in view.plans],
        ),
    ]
    return [section for section in sections if section.items]


def digest_mail(digest: Digest, *, public_url: str) -> Mail:
    """A member's daily or weekly digest, with the address that stops it (List-Unsubscribe)."""
    member = digest.member
    lang = member["language"]
    t = translator(lang)
    view = digest.view
    base = public_url.rstrip("/")
    unsubscribe = f"{base}/unsubscribe/{member['id']}/{digest.unsubscribe_secret}"
    intro = [
        t("mail.invitation.greeting", name=member["name"]),
        t(
            f"mail.digest.intro.{digest.period}",
            organization=view.organization_name,
            since=t.moment(view.since),
            until=t.moment(view.until),
        ),
    ]
    footer = t(
        f"mail.digest.footer.{digest.period}", preferences=f"{base}/preferences", unsubscribe=unsubscribe
    )
    sections = digest_sections(digest, public_url)
    text_parts = list(intro)
    for section in sections:
        lines = [section.heading, "-" * len(section.heading)]
        for head, tail, link in section.items:
            lines.append(f"- {head}{tail}")
            lines.append(f"  {link}")
        text_parts.append("\n".join(lines))
    text_parts.append(footer)
    html_sections = "".join(
        f'<h2 style="font-size: 1.1em">{escape(section.heading)}</h2><ul>'
        + "".join(
            f'<li><a href="{escape(link)}">{escape(head)}</a>{escape(tail)}</li>'
            for head, tail, link in section.items
        )
        + "</ul>"
        for section in sections
    )
    html = (
        f'<!DOCTYPE html><html lang="{escape(lang)}"><body style="font-family: sans-serif; line-height: 1.5">'
        + "".join(f"<p>{escape(p)}</p>" for p in intro)
        + html_sections
        + f'<p style="color: #555">{escape(footer)}</p></body></html>'
    )
    return Mail(
        to=member["email"],
        subject=_one_line(t(f"mail.digest.subject.{digest.period}", organization=view.organization_name)),
        text="\n\n".join(text_parts),
        html=html,
        language=lang,
        unsubscribe=unsubscribe,
        kind="digest",
    )


def digests(public_url: str) -> Callable[[Digest], Mail]:
    """The digests of a round (registry.updates.digests' `compose`)."""

    def compose(digest: Digest) -> Mail:
        return digest_mail(digest, public_url=public_url)

    return compose


__all__ = [
    "change_line",
    "deadline_line",
    "digest_mail",
    "digest_sections",
    "digests",
    "finding_text",
    "invitation_mail",
    "invitations",
    "login_link_mail",
]
