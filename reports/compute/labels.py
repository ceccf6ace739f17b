"""Label coverage of a model-quality SLO: ground truth arrives late, so the SLI counts only the
labelled predictions, and the verdict is provisional until the month's labels are expected."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from ..window import ReportWindow
from .burn import local_days
from .results import LabelCoverage, LabelDay


def label_coverage(
    good: np.ndarray,
    total: np.ndarray,
    unlabelled: np.ndarray | None,
    window: ReportWindow,
    step: timedelta,
    delay: timedelta,
    as_of: datetime,
) -> LabelCoverage:
    """``good``/``total``: correct and labelled predictions per step of the window; ``unlabelled``: the
    predictions without ground truth per step (None: the source has no such count, so all counted ones
    are taken as labelled). Steps without data (NaN total) count nothing."""
    missing = np.isnan(total)
    labelled = np.where(missing, 0.0, total)
    correct = np.where(missing, 0.0, good)
    waiting = np.zeros(len(total)) if unlabelled is None else np.where(missing | np.isnan(unlabelled), 0.0, unlabelled)
    predictions = labelled + waiting
    days = []
    firsts, dates = local_days(window.start, len(total), step, window.timezone)
    if dates:
        sums = [np.add.reduceat(values, firsts).tolist() for values in (predictions, labelled, correct)]
        for day, made, known, right in zip(dates, *sums, strict=True):
            made, known, right = int(made), int(known), int(right)
            days.append(
                LabelDay(day, made, known, right, known / made if made else None, right / known if known else None)
            )
    all_predictions, all_labelled = int(predictions.sum()), int(labelled.sum())
    complete = all_labelled == all_predictions
    expected_by = window.end + delay
    return LabelCoverage(
        predictions=all_predictions,
        labelled=all_labelled,
        coverage=all_labelled / all_predictions if all_predictions else None,
        expected_by=expected_by,
        provisional=not complete and as_of < expected_by,
        overdue=not complete and as_of >= expected_by,
        days=tuple(days),
    )
