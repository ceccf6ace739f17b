"""Event counts laid on a regular grid of steps: the shape every computation starts from."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd


def step_grid(rows: pd.DataFrame, start: datetime, end: datetime, step: timedelta) -> pd.DataFrame:
    """Σgood and Σtotal per step over [start, end), summed across customers.

    Each row lands in the step that contains its timestamp. A step with no row at all is NaN
    (no data); a step whose rows total 0 is 0 (data, no traffic).
    """
    index = pd.date_range(start, end, freq=step, inclusive="left")
    if rows.empty:
        return pd.DataFrame({"good": np.nan, "total": np.nan}, index=index)
    position = (rows["timestamp"] - pd.Timestamp(start)) // pd.Timedelta(step)
    sums = rows[["good", "total"]].groupby(position.to_numpy()).sum()
    sums = sums[(sums.index >= 0) & (sums.index < len(index))]
    grid = pd.DataFrame({"good": np.nan, "total": np.nan}, index=index)
    grid.iloc[sums.index.to_numpy(), 0] = sums["good"].to_numpy()
    grid.iloc[sums.index.to_numpy(), 1] = sums["total"].to_numpy()
    return grid
