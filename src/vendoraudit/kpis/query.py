"""One metric question as a value: which metric, with which parameters, over which scope.

The audit asks each KPI's question once (`MetricQuery.compute`) and keeps it, so that the
evidence behind a KPI (`MetricQuery.rows`) reads exactly the rows its value was computed from:
the same sites, channel and queue filters, excused queues and dates, and any narrowing of the
rows (a granted dispute remedy).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from ..results import MetricResult
from .period import PeriodData
from .rows import MetricRows, metric_rows
from .scope import compute_metric


class Narrowing(Protocol):
    """A change to the period's rows before the metric reads them (a granted dispute remedy that
    excludes contacts or re-scores evaluations): it must be picklable, as results travel."""

    def narrow(self, data: PeriodData, site_ids: tuple[str, ...]) -> PeriodData: ...


@dataclass(frozen=True)
class MetricQuery:
    """A metric over a scope: the arguments of `compute_metric` and `metric_rows`, kept together."""

    metric_id: str
    site_ids: tuple[str, ...]
    params: tuple[tuple[str, object], ...] = ()  # (name, value) pairs: picklable, unlike a mapping proxy
    channels: tuple[str, ...] | None = None
    queues: tuple[str, ...] | None = None
    exclude_queues: tuple[str, ...] = ()
    exclude_dates: tuple[date, ...] = ()
    min_sample: int = 0
    narrowing: Narrowing | None = field(default=None, hash=False)

    def _rows_of(self, data: PeriodData) -> PeriodData:
        return self.narrowing.narrow(data, self.site_ids) if self.narrowing is not None else data

    def _scope(self) -> dict[str, object]:
        return {"channels": self.channels, "queues": self.queues, "exclude_queues": self.exclude_queues,
                "exclude_dates": self.exclude_dates}

    def compute(self, data: PeriodData) -> MetricResult:
        """The metric's result (cached per `data`, as `compute_metric`)."""
        return compute_metric(self.metric_id, self._rows_of(data), self.site_ids, dict(self.params),
                              min_sample=self.min_sample, **self._scope())  # type: ignore[arg-type]

    def rows(self, data: PeriodData) -> MetricRows:
        """The rows behind `compute` (see `rows.metric_rows`)."""
        return metric_rows(self.metric_id, self._rows_of(data), self.site_ids, dict(self.params),
                           **self._scope())  # type: ignore[arg-type]
