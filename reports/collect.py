"""``collect``: copy the configured source's counts into the count store, one UTC day at a time.

Each SLO resumes where the store's counts of it end; a day collected only in part (the current
day) is collected again whole, because a day is exact only as a whole: the source reconciles
every day's rows with one ``increase()`` over that day. Every fetch starts one day before the
first day it keeps (less where the source has deleted that day: see ``fetch_start``), so the
events of a scrape gap across midnight land on the step after the gap exactly as in a fetch of
the whole month. Days are written one by one, each replacing its
file whole (see ``sources.store``), so an interrupted collect keeps every day it finished.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pandas as pd

from .config import Config, format_duration
from .format import utc_instant
from .sources import EventSource, RetainingSource
from .sources.store import DAY, CountStore, DayRecord, Held, day_spans, day_start, restricted, utc_day, wanted

CHUNK_DAYS = 7
"""Days per fetch: the source's requests do not grow with days, its answers do."""
LEAD_IN = DAY

Progress = Callable[[str], None]
Key = tuple[str, str]


@dataclass
class Collected:
    until: datetime
    days: list[date] = field(default_factory=list)
    rows: int = 0
    problems: list[str] = field(default_factory=list)


def floor_to_step(instant: datetime, step: timedelta) -> datetime:
    seconds = int(instant.timestamp())
    every = int(step.total_seconds())
    return datetime.fromtimestamp(seconds - seconds % every, UTC)


def fetch_start(first: datetime, oldest: datetime | None, step: timedelta) -> datetime:
    """Where to start the fetch whose first kept day starts at ``first``: ``LEAD_IN`` earlier, or,
    where the source holds nothing that old (``oldest``), the first step boundary at or after
    ``oldest``, if at least one whole step of lead-in is left before ``first``. With less left the
    day itself is partly deleted: the unclipped start, so that the source reports that as before.

    Clipping is safe: the lead-in exists only to place the events of a scrape gap across midnight,
    and the source reads each step's events against the last values of the step before it. The
    step before the clipped start still holds samples (the oldest is in it), so the lead-in's own
    steps are read right, and the kept day's first step has a whole lead-in step before it.

    What it costs: a series with no sample from ``oldest`` to the clipped start (a scrape gap
    across it, the value before the gap deleted) is read as born where it resumes, so its whole
    counter value counts as that step's events. Where it resumes within the lead-in, that is
    dropped with the lead-in; only a gap lasting into the kept day adds it to that day. Raw SLIs
    are held to one ``increase()`` per day counted from the fetch's start: in a clipped fetch
    those days start at the clipped step rather than at midnight.

    >>> day = datetime(2024, 10, 18, tzinfo=UTC)
    >>> fetch_start(day, datetime(2024, 10, 17, 0, 0, 37, tzinfo=UTC), timedelta(minutes=5))
    datetime.datetime(2024, 10, 17, 0, 5, tzinfo=datetime.timezone.utc)
    """
    start = first - LEAD_IN
    if oldest is None or oldest <= start:
        return start
    late = (oldest - first) % step
    clipped = oldest + (step - late if late else timedelta(0))
    return clipped if clipped + step <= first else start


def resume_points(store: CountStore, keys: list[Key], until: datetime) -> dict[Key, date | None]:
    """Per SLO, the first day to collect (None: nothing to do). Never collected: the day that ends at or holds ``until``."""
    points: dict[Key, date | None] = {}
    left = set(keys)
    for day in reversed(store.days()):
        if not left:
            break
        record = store.record(day)
        for key in list(left):
            held = record.holding(key) if record else None
            if held is None:
                continue
            left.discard(key)
            if held.end >= until:
                points[key] = None
            else:
                points[key] = day + DAY if held.end >= day_start(day) + DAY else day
    for key in left:
        points[key] = utc_day(until - timedelta(microseconds=1))
    return points


def collect(
    config: Config,
    store: CountStore,
    source: EventSource,
    until: datetime,
    since: datetime | None = None,
    now: datetime | None = None,
    progress: Progress = lambda message: None,
) -> Collected:
    """Collect every SLO up to ``until`` (floored to the step); ``since`` re-collects from its UTC day on."""
    until = floor_to_step(until, config.source.step)
    collected_at = now or until
    result = Collected(until=until)
    keys = wanted(config)
    with store.writing():
        if since is None:
            points = resume_points(store, keys, until)
        else:
            points = {key: utc_day(since) for key in keys}
        groups: dict[date, set[Key]] = {}
        for key, first in points.items():
            if first is not None:
                groups.setdefault(first, set()).add(key)
        oldest = source.oldest(config, until) if groups and isinstance(source, RetainingSource) else None
        for first, group in sorted(groups.items()):
            _collect_group(
                restricted(config, group), store, source, first, until, oldest, collected_at, result, progress
            )
        result.days = sorted(set(result.days))
    return result


def _collect_group(
    config: Config,
    store: CountStore,
    source: EventSource,
    first: date,
    until: datetime,
    oldest: datetime | None,
    collected_at: datetime,
    result: Collected,
    progress: Progress,
) -> None:
    """Every SLO of ``config`` from the UTC day ``first`` up to ``until``, a chunk of days per fetch
    (``oldest``: the oldest instant the source holds, None if unknown)."""
    day = first
    while day_start(day) < until:
        last = min(day + timedelta(days=CHUNK_DAYS), utc_day(until - timedelta(microseconds=1)) + DAY)
        end = min(day_start(last), until)
        start = fetch_start(day_start(day), oldest, config.source.step)
        short = day_start(day) - start < LEAD_IN
        lead_in = f" (lead-in from {utc_instant(start)}: the source holds nothing older)" if short else ""
        progress(f"fetching {len(wanted(config))} SLO(s), {day} to {end:%Y-%m-%d %H:%M} UTC{lead_in}")
        counts = source.fetch(config, start, end)
        for (service, slo), why in sorted(counts.problems.items()):
            result.problems.append(f"{service}/{slo} ({day} to {end:%Y-%m-%d %H:%M} UTC): {why}")
        stamps = pd.to_datetime(counts.frame["timestamp"], utc=True)
        while day < last and day_start(day) < until:
            day_end = min(day_start(day) + DAY, until)
            inside = counts.frame[(stamps >= day_start(day)) & (stamps < day_end)]
            rows, empty = _write_day(
                store,
                config,
                day,
                day_end,
                inside,
                counts.problems,
                counts.description,
                collected_at,
                config.source.step,
            )
            result.rows += rows
            result.days.append(day)
            if day_end == day_start(day) + DAY:
                result.problems.extend(f"{s}/{o} ({day}): {counts.description} had no counts" for s, o in empty)
            progress(f"wrote {day}")
            day += DAY


def _write_day(
    store: CountStore,
    config: Config,
    day: date,
    day_end: datetime,
    rows: pd.DataFrame,
    problems: dict[Key, str],
    description: str,
    collected_at: datetime,
    step: timedelta,
) -> tuple[int, list[Key]]:
    """Merge the new counts of this day into its file: SLOs collected now replace their old counts,
    every other SLO (and an SLO the source failed on now) keeps what the file held."""
    problems_given = problems
    keys = set(wanted(config))
    present = set(zip(rows["service"].astype(str), rows["slo"].astype(str), strict=True)) if len(rows) else set()
    problems = {
        **{key: f"{description} had no counts for {key[0]}/{key[1]} on {day}" for key in keys - present},
        **problems,
    }
    counted = keys - set(problems)
    slis = {(s.name, o.name): o.sli.model_dump(mode="json", exclude_none=True) for s in config.services for o in s.slos}
    found = store.read(day)
    if found is not None:
        old, old_frame = found
        if old.step != step:
            old, old_frame = DayRecord(day, step), None
    else:
        old, old_frame = DayRecord(day, step), None
    kept = tuple(held for held in old.held if held.key not in counted)
    new = tuple(Held(s, o, day_end, collected_at, description, slis[(s, o)]) for s, o in sorted(counted))
    record = DayRecord(
        day=day,
        step=step,
        held=tuple(sorted(kept + new, key=lambda h: h.key)),
        problems={
            **{key: why for key, why in old.problems.items() if key not in keys},
            **{key: why for key, why in problems.items() if key in keys},
        },
    )
    fresh = rows[pd.MultiIndex.from_arrays([rows["service"], rows["slo"]]).isin(counted)] if len(rows) else rows
    parts = [fresh]
    if old_frame is not None and kept:
        old_keys = pd.MultiIndex.from_arrays([old_frame["service"].astype(str), old_frame["slo"].astype(str)])
        parts.append(old_frame[old_keys.isin([held.key for held in kept])])
    frame = pd.concat([p.astype({c: str for c in ("service", "slo", "customer")}) for p in parts], ignore_index=True)
    store.write(record, frame)
    return len(fresh), sorted(keys - present - set(problems_given))


def store_summary(config: Config, store: CountStore) -> list[str]:
    """What the store holds: days, SLOs, size, the days each configured SLO lacks, recorded problems."""
    days = store.days()
    size = store.size() / 2**20
    if not days:
        return [f"{store.path}: empty ({size:.1f} MiB); run slo-report collect --config ... to fill it"]
    records = {day: record for day in days if (record := store.record(day)) is not None}
    held_days: dict[Key, list[date]] = {}
    ends: dict[Key, datetime] = {}
    for day, record in records.items():
        for held in record.held:
            held_days.setdefault(held.key, []).append(day)
            ends[held.key] = held.end
    last_end = max(ends.values()) if ends else day_start(days[-1])
    lines = [
        f"{store.path}: {len(days)} day file(s), {days[0]} to {days[-1]} UTC (counts up to "
        f"{last_end:%Y-%m-%d %H:%M} UTC), {len(held_days)} SLO(s), {size:.1f} MiB, "
        f"step {format_duration(records[days[-1]].step) if days[-1] in records else '?'}"
    ]
    every = [days[0] + DAY * i for i in range((days[-1] - days[0]).days + 1)]
    for key in wanted(config):
        have = held_days.get(key, [])
        if not have:
            lines.append(f"  {key[0]}/{key[1]}: not in the store (collect it, or backfill with --from)")
            continue
        missing = [day for day in every if day >= have[0] and day not in set(have)]
        if missing:
            lines.append(f"  {key[0]}/{key[1]}: gaps on {day_spans(missing)} (backfill with --from)")
    unconfigured = sorted(set(held_days) - set(wanted(config)))
    if unconfigured:
        lines.append(
            f"  also holds {len(unconfigured)} SLO(s) no longer configured: "
            + ", ".join(f"{s}/{o}" for s, o in unconfigured[:5])
        )
    for day, record in records.items():
        for (service, slo), why in sorted(record.problems.items()):
            lines.append(f"  {day} {service}/{slo}: last collection failed: {why}")
    if len(lines) == 1:
        lines.append("  no gaps: every configured SLO has every day from its first day on")
    return lines
