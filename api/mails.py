"""The register's e-mail, worded: plain text and HTML in the person's language, from the catalogues.
Values from people (names, organization names) are escaped in the HTML part; headers are the outbox's
(webhooks/mail.py), which refuses a line break in them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import escape

from api.i18n import translator
from registry.mail import Mail


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
        subject=t("mail.invitation.subject", organization=organization),
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
        subject=t("mail.link.subject", organization=organization),
        text=text,
        html=_html([*paragraphs, t("mail.link.footer")], link, t("mail.invitation.button")),
        language=lang,
        kind="login_link",
    )


__all__ = ["invitation_mail", "invitations", "login_link_mail"]
