"""The legal sources the checks cite, in Danish as the register states them (api/i18n/legal.py puts
them in English for an English reader)."""

NOTICE_PRIVATE = "DA/LO-aftalen om kontrolforanstaltninger"
NOTICE_PUBLIC = "Aftale om kontrolforanstaltninger (KL/Forhandlingsfællesskabet)"
NOTICE_ANY = f"{NOTICE_PRIVATE}; {NOTICE_PUBLIC}"
BRIEFING_PRIVATE = f"{NOTICE_PRIVATE}; Samarbejdsaftalen (DA/FH)"
BRIEFING_PUBLIC = f"{NOTICE_PUBLIC}; MED-rammeaftalen §§ 6-7"
GDPR = "Databeskyttelsesforordningen (GDPR)"
AI_ACT = "AI-forordningen"
APV = "Arbejdsmiljøloven § 15 a"
