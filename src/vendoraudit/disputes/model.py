"""The dispute file model: one YAML file per vendor and period, listing that vendor's disputes.

A dispute names the KPI (its id in the vendor's contract), the vendor's claim, the evidence it
points to and the remedy it asks. The decision, once taken, says accepted, partly accepted (with
the remedy actually granted) or rejected, with the reason, who decided and when. Dates and
half-hour intervals are in each site's local time, like the contract's excused dates.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..contract.model import Identifier, PeriodText

Text = Annotated[str, Field(min_length=1, max_length=2000)]
Name = Annotated[str, Field(min_length=1, max_length=200)]


class _Model(BaseModel):
    """Frozen, and unknown keys are errors (as in contracts)."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


class DecisionOutcome(StrEnum):
    """What the client decided."""

    ACCEPTED = "accepted"  # the remedy asked is granted in full
    PARTLY_ACCEPTED = "partly_accepted"  # `granted` says which part
    REJECTED = "rejected"  # nothing changes; the dispute is still recorded


class Interval(_Model):
    """Half-hour intervals in the site's local time: from `start` up to (not including) `end`."""

    start: datetime = Field(description="local start, on the hour or half hour, e.g. 2026-10-14T09:00")
    end: datetime | None = Field(default=None, description="local end (exclusive); absent: the one half hour")

    @field_validator("start", "end")
    @classmethod
    def _naive(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            raise ValueError("write local time without an offset (the site's own time zone applies)")
        return value


class Rescore(_Model):
    """New points for one criterion of one evaluation."""

    evaluation: Identifier = Field(description="the evaluation_id")
    criterion: Identifier = Field(description="the criterion_id of the item re-scored")
    points: float | None = Field(ge=0, description="points earned after review; null = not applicable")
    critical_failed: bool | None = Field(default=None, description="the item's critical failure after review")


class Remedy(_Model):
    """What changes in the KPI's data. Every part narrows or corrects the KPI's own rows only."""

    exclude_dates: list[date] = Field(default_factory=list, description="site-local days left out, YYYY-MM-DD")
    exclude_intervals: list[Interval] = Field(default_factory=list,
                                              description="site-local half-hour intervals left out")
    exclude_contacts: list[Name] = Field(default_factory=list,
                                         description="interaction_ids left out (with their surveys and evaluations)")
    exclude_evaluations: list[Name] = Field(default_factory=list, description="evaluation_ids left out")
    rescore: list[Rescore] = Field(default_factory=list, description="evaluation items re-scored with stated points")
    exclude_queues: list[Name] = Field(default_factory=list, description="queues left out")

    @property
    def is_empty(self) -> bool:
        """True when the remedy changes nothing."""
        return not any((self.exclude_dates, self.exclude_intervals, self.exclude_contacts,
                        self.exclude_evaluations, self.rescore, self.exclude_queues))


class Decision(_Model):
    """The client's decision on a dispute."""

    outcome: DecisionOutcome = Field(description="accepted, partly_accepted or rejected")
    granted: Remedy | None = Field(default=None,
                                   description="partly_accepted only: the part of the remedy granted")
    reason: Text = Field(description="why, in words the vendor can read")
    decided_by: Name = Field(description="who decided (name and role)")
    decided_on: date = Field(description="when, YYYY-MM-DD")

    @field_validator("reason", "decided_by")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class Dispute(_Model):
    """One disputed KPI of the period."""

    id: Identifier = Field(description="unique within the file, e.g. D1")
    kpi: Identifier = Field(description="the KPI id in the vendor's contract, e.g. service_level")
    raised_on: date | None = Field(default=None, description="when the vendor raised it, YYYY-MM-DD")
    claim: Text = Field(description="the vendor's claim, in its words")
    evidence: list[Text] = Field(default_factory=list, description="what the claim rests on (incident ids, files)")
    remedy: Remedy = Field(description="what the vendor asks to change")
    decision: Decision | None = Field(default=None, description="absent while the dispute is open")

    @property
    def is_decided(self) -> bool:
        return self.decision is not None

    @property
    def digest(self) -> str:
        """SHA-256 of the dispute's content: tells a changed dispute from one already recorded."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()

    @property
    def granted(self) -> Remedy | None:
        """The remedy the audit applies: the whole one, the part granted, or None (open or rejected)."""
        if self.decision is None or self.decision.outcome is DecisionOutcome.REJECTED:
            return None
        if self.decision.outcome is DecisionOutcome.ACCEPTED:
            return self.remedy
        return self.decision.granted


class DisputeFile(_Model):
    """A vendor's disputes of one period."""

    schema_version: Literal[1] = Field(default=1, description="the version of this file format")
    vendor: Identifier = Field(description="the vendor id of its contract, e.g. ACME")
    period: PeriodText = Field(description="the audited month disputed, YYYY-MM")
    disputes: list[Dispute] = Field(default_factory=list, description="the vendor's disputes of the period")
