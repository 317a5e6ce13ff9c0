"""Dates and periods the compliance rules use (registry/obligations/rules/). Read only at composition
roots; the rules themselves get a `RuleSettings` through their context and never read the environment.

Effective dates are parameters, not truths: they follow the AI Act as amended by the Digital Omnibus
on AI, Regulation (EU) 2026/1744 (OJ L 24.7.2026, in force 27 July 2026), as secondary sources report it;
verify them on EUR-Lex, and set them here when they move. Before an effective date a check reports a
warning, from it a violation.
The notice period for control measures is a setting of each organization, not of the register."""

from __future__ import annotations

from datetime import date

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class RuleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AIREG_", extra="ignore")

    rules_ai_act_prohibitions_from: date = Field(
        default=date(2025, 2, 2),
        description="AI Act Art. 5 (prohibited practices, e.g. emotion recognition at the workplace) "
        "applies from this date.",
    )
    rules_ai_act_literacy_from: date = Field(
        default=date(2025, 2, 2),
        description="AI Act Art. 4 (AI literacy) applies from this date; since Regulation (EU) 2026/1744 "
        "it is a duty to take measures that support AI literacy, without a fine of its own.",
    )
    rules_ai_act_transparency_from: date = Field(
        default=date(2026, 8, 2),
        description="AI Act Art. 50 (say that a chatbot is an AI; mark generated content) applies from "
        "this date.",
    )
    rules_ai_act_high_risk_from: date = Field(
        default=date(2027, 12, 2),
        description="Deployer duties for Annex III high-risk systems (Art. 6(2); Art. 26, 27, 49(3)) apply "
        "from this date (Regulation (EU) 2026/1744; verify on EUR-Lex).",
    )
    rules_ai_act_annex_i_from: date = Field(
        default=date(2028, 8, 2),
        description="Deployer duties for high-risk systems that are, or are safety components of, "
        "products under Annex I (Art. 6(1), e.g. medical devices) apply from this date (Regulation "
        "(EU) 2026/1744; verify on EUR-Lex).",
    )
    rules_ai_act_public_legacy_by: date = Field(
        default=date(2030, 8, 2),
        description="High-risk systems put into service before their date are covered only after a "
        "significant change of their design (Art. 111(2)); those of public authorities must comply by "
        "this date all the same.",
    )
    rules_late_notice_days: int = Field(
        default=14,
        ge=0,
        le=365,
        description="Under the exception from the notice period, notice is given as soon as possible: "
        "later than this many days after the start is reported. Judgment, not law.",
    )
    rules_apv_max_age_days: int = Field(
        default=1095,
        ge=1,
        le=36_500,
        description="Longest time between two APV assessments covering a system (arbejdsmiljøloven "
        "§15a: at least every 3 years).",
    )
    rules_min_log_retention_days: int = Field(
        default=183,
        ge=0,
        le=36_500,
        description="Shortest log retention for a high-risk system (AI Act Art. 26(6): at least 6 months).",
    )
    rules_recompute_interval_seconds: int = Field(
        default=86_400,
        ge=60,
        description="How often the deployment recomputes every finding (dates pass: a notice period "
        "runs out, an effective date arrives): one `airegistry serve` process does it when none has "
        "within this interval. Changes recompute their own system at once.",
    )
    rules_apv_due_days: int = Field(
        default=30,
        ge=1,
        le=365,
        description="Days an employer has to complete an APV reassessment opened by a material change.",
    )
    rules_change_window_days: int = Field(
        default=90,
        ge=0,
        le=3650,
        description="A notice, DPIA or FRIA dated at most this many days before a material change counts "
        "as made for that change (notice is given, and assessments are made, before a change takes "
        "effect; the register records the change when it is made). For notices the window is at "
        "least the organization's notice period. Judgment, not law.",
    )
