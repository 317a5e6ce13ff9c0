"""A member's secret feeds, worded in their language: an Atom feed of the changes they may see (feedgen
writes it) and a calendar of the deadlines ahead (icalendar writes it, RFC 5545), which Outlook and
Google Calendar subscribe to by its address."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator
from icalendar import Calendar, Event

from api.i18n import translator
from api.mails import change_line, deadline_line, finding_text
from registry.clock import WORKPLACE_ZONE
from registry.updates.activity import Activity, AnswerNews, FindingNews, SystemNews
from registry.updates.deadlines import Deadline

# Characters XML 1.0 (and so Atom) cannot hold, which a pasted text may carry (a vertical tab from a word
# processor): dropped from what the feeds show. The calendar drops them too.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    return NOT_XML.sub("", value)


FEED_DAYS = 60
"""The Atom feed holds the changes of this many days (at most FEED_ENTRIES of them)."""
FEED_ENTRIES = 200
CALENDAR_PAST_DAYS = 90
"""The calendar keeps deadlines passed this many days ago (an overdue revision stays in view)."""


def feed_addresses(public_url: str, member_id: str, secret: str) -> dict[str, str]:
    """The member's feed addresses (GET /api/v1/me/feeds). The calendar is also given as webcal://,
    which a mail or calendar program opens as a subscription."""
    base = f"{public_url.rstrip('/')}/feeds/{member_id}/{secret}"
    calendar = f"{base}/deadlines.ics"
    return {
        "atom": f"{base}/changes.atom",
        "calendar": calendar,
        "webcal": "webcal://" + calendar.split("://", 1)[1],
    }


def _version_title(t: Any, news: SystemNews) -> str:
    if news.registered:
        return t("feed.registered", system=news.system_name)
    if news.retired:
        return t("feed.retired", system=news.system_name)
    key = "feed.changed_material" if news.material_reasons else "feed.changed"
    return t(key, system=news.system_name, version=news.version)


def _entries(
    t: Any, lang: str, page: Any, news: tuple[list[SystemNews], list[FindingNews], list[AnswerNews]]
) -> list[dict[str, Any]]:
    versions, findings, answers = news
    entries = [
        {
            "id": f"system-{v.system_id}-v{v.version}",
            "title": _version_title(t, v),
            "at": v.at,
            "link": page(v.system_id),
            "text": change_line(
                t,
                v.system_name,
                v.changed_fields,
                v.material_reasons,
                (v.change_note,) if v.change_note else (),
            ),
        }
        for v in versions
    ]
    entries += [
        {
            "id": f"finding-{f.finding_id}-{'resolved' if f.resolved else 'opened'}",
            "title": t(
                "feed.finding_resolved" if f.resolved else "feed.finding_opened", system=f.system_name
            ),
            "at": f.at,
            "link": page(f.system_id),
            "text": finding_text(t, f),
        }
        for f in findings
    ]
    entries += [
        {
            "id": f"answer-{a.answer_id}",
            "title": t("feed.answer", system=a.system_name),
            "at": a.at,
            "link": page(a.system_id),
            "text": t("mail.digest.answer", system=a.system_name, question=a.question, answer=a.answer),
        }
        for a in answers
    ]
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries[:FEED_ENTRIES]


def atom_feed(
    activity: Activity, actor: Any, *, member: dict[str, Any], public_url: str, self_url: str
) -> bytes:
    """The Atom document of the changes `actor` may see in the activity's period, newest first."""
    lang = member["language"]
    t = translator(lang)
    base = public_url.rstrip("/")
    versions, findings, answers, _ = activity.news_for(actor, activity.since)
    entries = _entries(
        t, lang, lambda system_id: f"{base}/systems/{system_id}", (versions, findings, answers)
    )
    feed = FeedGenerator()
    feed.id(f"urn:uuid:{member['id']}")
    feed.title(_text(t("feed.title", organization=activity.organization_name)))
    feed.subtitle(t("feed.subtitle", days=FEED_DAYS))
    feed.author({"name": t("feed.author")})
    feed.link(href=f"{base}/", rel="alternate")
    feed.link(href=self_url, rel="self")
    feed.language(lang)
    feed.updated(entries[0]["at"] if entries else activity.since)
    for entry in reversed(entries):  # feedgen puts each new entry first
        item = feed.add_entry()
        item.id(f"{base}/feeds/entries/{entry['id']}")
        item.title(_text(entry["title"]))
        item.updated(entry["at"])
        item.published(entry["at"])
        item.link(href=entry["link"], rel="alternate")
        item.summary(_text(entry["text"]))
    document: bytes = feed.atom_str(pretty=True)
    return document


def calendar(
    deadlines: list[Deadline], *, member: dict[str, Any], organization: str, public_url: str, now: datetime
) -> bytes:
    """The iCalendar document of the deadlines: each an all-day event on its day."""
    lang = member["language"]
    t = translator(lang)
    base = public_url.rstrip("/")
    host = urlsplit(base).hostname or "localhost"
    today = now.astimezone(WORKPLACE_ZONE).date()
    cal = Calendar()
    cal.add("prodid", "-//AI-registret//airegistry//DA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _text(t("calendar.name", organization=organization)))
    cal.add("x-wr-caldesc", t("calendar.description"))
    cal.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT6H")
    for deadline in deadlines:
        if deadline.day < today - timedelta(days=CALENDAR_PAST_DAYS):
            continue
        link = f"{base}/systems/{deadline.system_id}"
        event = Event()
        event.add("uid", f"{deadline.kind}-{deadline.ref}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", deadline.day)
        event.add("dtend", deadline.day + timedelta(days=1))
        event.add("summary", _text(deadline_line(t, deadline, today)))
        event.add("description", f"{t(f'calendar.kind.{deadline.kind}')}\n{link}")
        event.add("url", link)
        event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
        cal.add_component(event)
    document: bytes = cal.to_ical()
    return document


__all__ = ["FEED_DAYS", "atom_feed", "calendar", "feed_addresses"]
