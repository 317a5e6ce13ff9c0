"""What an employer states when it works through an APV reassessment (arbejdsmiljøloven §15a):
whether the working-environment organisation (AMO) took part, what was found, and the action plan."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from registry.fields import Day, LongText, Strict, Text


class AmoParticipation(Strict):
    participated: bool = Field(description="Did the working-environment organisation (AMO / MED) take part?")
    participants: list[Text] = Field(
        default_factory=list, max_length=50, description="Who took part, e.g. 'AMR, Hjemmeplejen Nord'."
    )
    description: LongText | None = None


class ActionItem(Strict):
    description: LongText
    owner: Text
    deadline: Day


class ReassessmentPatch(Strict):
    """Fields to record; `status: completed` completes the reassessment (AMO participation required)."""

    status: Literal["completed"] | None = None
    completed_on: Day | None = Field(
        default=None,
        description="With `status: completed`: the day the revision was completed at the workplace "
        "(default: today; never in the future), for a revision entered afterwards.",
    )
    amo_participation: AmoParticipation | None = None
    findings: LongText | None = Field(default=None, description="What the reassessment found.")
    action_items: list[ActionItem] | None = Field(default=None, max_length=200)
