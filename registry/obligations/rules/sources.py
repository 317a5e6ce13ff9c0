"""The legal sources the checks cite, in Danish as the register states them (api/i18n/legal.py puts
them in English for an English reader). The agreements that apply depend on the employer: private
employers (DA/FH), municipalities (KL/FF), regions (Danske Regioner/FF) and the state each have their
own agreements on control measures and on cooperation (shared/legal-review.md §1.1)."""

from __future__ import annotations

NOTICE_PRIVATE = "DA/LO-aftalen om kontrolforanstaltninger"
NOTICE_MUNICIPAL = "Aftale om kontrolforanstaltninger (KL/Forhandlingsfællesskabet)"
NOTICE_REGIONAL = "Aftale om kontrolforanstaltninger (Danske Regioner/Forhandlingsfællesskabet)"
COOPERATION_STATE = "Aftale om samarbejde og samarbejdsudvalg i statens institutioner"
NOTICE_PUBLIC = "den offentlige arbejdsgivers aftale om kontrolforanstaltninger"
NOTICE_ANY = "; ".join((NOTICE_PRIVATE, NOTICE_MUNICIPAL, NOTICE_REGIONAL, COOPERATION_STATE))

COOPERATION_PRIVATE = "Samarbejdsaftalen (DA/FH)"
MED_MUNICIPAL = "MED-rammeaftalen (KL/Forhandlingsfællesskabet)"
MED_REGIONAL = "MED-rammeaftalen (Danske Regioner/Forhandlingsfællesskabet)"
MED_ANY = "MED-rammeaftalen"
INFORMATION_ACT = "lov om information og høring af lønmodtagere"
COOPERATION_ANY = "; ".join((COOPERATION_PRIVATE, MED_MUNICIPAL, MED_REGIONAL, COOPERATION_STATE))

GDPR = "Databeskyttelsesforordningen (GDPR)"
AI_ACT = "AI-forordningen"
APV = "Arbejdsmiljøloven § 15 a"

_NOTICE = {
    "private": NOTICE_PRIVATE,
    "municipal": NOTICE_MUNICIPAL,
    "regional": NOTICE_REGIONAL,
    "state": COOPERATION_STATE,
}
_COOPERATION = {
    "private": f"{COOPERATION_PRIVATE}; {INFORMATION_ACT}",
    "municipal": MED_MUNICIPAL,
    "regional": MED_REGIONAL,
    "state": COOPERATION_STATE,
}


def notice_source(employer_type: str | None, sector: str) -> str:
    """Where the duty to give notice of a control measure comes from, for this employer."""
    return _NOTICE.get(employer_type or ("private" if sector == "private" else ""), NOTICE_PUBLIC)


def cooperation_source(employer_type: str | None, sector: str) -> str:
    """Where the duty to inform the cooperation committee comes from, for this employer."""
    return _COOPERATION.get(employer_type or ("private" if sector == "private" else ""), MED_ANY)


def briefing_source(employer_type: str | None, sector: str) -> str:
    """A control measure's briefing: the agreement on control measures and the cooperation agreement."""
    notice, cooperation = notice_source(employer_type, sector), cooperation_source(employer_type, sector)
    return notice if notice == cooperation else f"{notice}; {cooperation}"
