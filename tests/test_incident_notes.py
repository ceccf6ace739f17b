"""Incident notes matched to detected incidents, and budget corrections: hand-checked on a planted month.

October 2026 (UTC, 8,928 five-minute steps), 1,000 events per step, objective 99%:
- incident A: 14 Oct 10:00-12:30, 30 steps with every event bad (30,000 bad), noted as INC-1;
- incident B: 20 Oct 08:00-09:00, 12 steps with 500 bad (6,000 bad), corrected by INC-2 over
  07:55-09:05 (14 steps: 14,000 events, 6,000 of them bad).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from reports.config import ConfigError
from reports.pipeline import build_month
from reports.render import render_service_html
from reports.sources import EventCounts
from reports.window import Month
from tests.conftest import make_config
from tests.test_render import text_of

STEP = timedelta(minutes=5)
RUN_AT = datetime(2026, 11, 1, 6, tzinfo=UTC)
A_START, A_STEPS = datetime(2026, 10, 14, 10, tzinfo=UTC), 30
B_START, B_STEPS = datetime(2026, 10, 20, 8, tzinfo=UTC), 12
NOTE_A = {
    "id": "INC-1",
    "service": "api",
    "start": "2026-10-14T10:10:00Z",
    "end": "2026-10-14T10:20:00Z",
    "title": "Bad config push",
    "cause": "A feature flag sent every request to a drained pool",
    "owner": "Dana (api team)",
    "postmortem": "https://wiki.example.com/pm/INC-1",
}
CORRECTION = {
    "id": "INC-2",
    "service": "api",
    "slo": "availability",
    "start": "2026-10-20T07:55:00Z",
    "end": "2026-10-20T09:05:00Z",
    "title": "Load test against production",
    "exclude": True,
    "approver": "VP Engineering",
}
STRAY = {**NOTE_A, "id": "INC-3", "start": "2026-10-25T00:00:00Z", "end": "2026-10-25T01:00:00Z"}


class Planted:
    def __init__(self, frame: pd.DataFrame):
        self.frame = frame

    def fetch(self, config, start, end):
        return EventCounts(frame=self.frame, step=STEP, start=start, end=end, description="planted")


def planted_frame() -> pd.DataFrame:
    stamps = pd.date_range(
        datetime(2026, 9, 28, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC), freq=STEP, inclusive="left"
    )
    good = pd.Series(1000, index=stamps)
    good[(stamps >= A_START) & (stamps < A_START + A_STEPS * STEP)] = 0
    good[(stamps >= B_START) & (stamps < B_START + B_STEPS * STEP)] = 500
    return pd.DataFrame(
        {
            "timestamp": stamps,
            "service": "api",
            "slo": "availability",
            "customer": "",
            "good": good.values,
            "total": 1000,
        }
    )


def month_report(notes: list[dict], maintenance: list[dict] = ()):
    config = make_config(
        services=[
            {"name": "api", "slos": [{"name": "availability", "objective": 0.99}], "maintenance": list(maintenance)}
        ],
        incidents=notes,
    )
    return build_month(config, Planted(planted_frame()), Month(2026, 10), RUN_AT)


def month(notes: list[dict]):
    return month_report(notes).services[0].slos[0]


def test_a_correction_changes_sli_and_budget_by_exactly_the_excluded_events():
    before, after = month([]).result, month([CORRECTION]).result
    assert (before.total_events, before.bad_events) == (8_928_000, 36_000)
    [correction] = after.corrections
    assert (correction.id, correction.approver, correction.title) == ("INC-2", "VP Engineering", CORRECTION["title"])
    assert (correction.start, correction.end) == (
        datetime(2026, 10, 20, 7, 55, tzinfo=UTC),
        datetime(2026, 10, 20, 9, 5, tzinfo=UTC),
    )
    assert (correction.excluded_total, correction.excluded_bad) == (14_000, 6_000)
    assert after.total_events == before.total_events - 14_000 == 8_914_000
    assert after.good_events == before.good_events - 8_000
    assert after.sli == 1 - 30_000 / 8_914_000
    assert after.budget.allowed_bad_events == pytest.approx(89_140)
    assert after.budget.consumed == pytest.approx(30_000 / 89_140, rel=1e-12)
    assert before.budget.consumed == pytest.approx(36_000 / 89_280, rel=1e-12)
    assert after.exclusions == ()  # listed as a correction, not as maintenance
    assert [i.start for i in after.incidents] == [A_START]  # the corrected burst is no incident any more
    assert after.coverage == 1.0 and after.downtime.no_data_minutes == 0


def test_a_note_is_attached_to_the_incident_it_overlaps_and_a_stray_one_is_listed_apart():
    result = month([NOTE_A, STRAY]).result
    [a, b] = result.incidents
    assert a.note is not None and a.note.id == "INC-1" and a.note.owner == "Dana (api team)"
    assert b.note is None
    assert [n.id for n in result.unmatched_notes] == ["INC-3"]
    assert a.peak_at == A_START  # every step is equally bad: the first one is the peak


def test_postmortem_owed_without_a_note_says_no_record_and_with_one_names_it():
    bare = [a.text for a in month([]).recommendations if a.kind == "postmortem"]
    assert len(bare) == 1 and "postmortem owed, no record" in bare[0].lower()
    noted = [a.text for a in month([NOTE_A]).recommendations if a.kind == "postmortem"]
    assert len(noted) == 1 and "INC-1" in noted[0] and "no record" not in noted[0]


def test_a_correction_needs_an_approver_and_a_note_a_known_service():
    with pytest.raises(ConfigError, match="approver"):
        make_config(incidents=[{**CORRECTION, "approver": ""}])
    with pytest.raises(ConfigError, match="service 'nope' is not in services"):
        make_config(incidents=[{**NOTE_A, "service": "nope"}])
    with pytest.raises(ConfigError, match="incident id 'INC-1' appears twice"):
        make_config(incidents=[NOTE_A, NOTE_A])


def test_notes_can_come_from_a_file(tmp_path):
    import yaml

    (tmp_path / "incidents.yaml").write_text(yaml.safe_dump([CORRECTION]))
    config = make_config(tmp_path, incidents_file="incidents.yaml", incidents=[NOTE_A])
    assert [n.id for n in config.incident_notes()] == ["INC-2", "INC-1"]


def test_the_excluded_time_says_what_it_is_made_of():
    maintenance = {"start": "2026-10-10T02:00:00Z", "end": "2026-10-10T03:00:00Z", "reason": "upgrade"}
    corrected = text_of(render_service_html(month_report([CORRECTION]), "api"))
    # 07:55-09:05: 14 steps, 70 minutes, 14,000 events
    assert "Excluded by corrections 70 min 14,000 events in 1 correction, not counted" in corrected
    both = text_of(render_service_html(month_report([CORRECTION], [maintenance]), "api"))
    # plus 02:00-03:00: 12 steps of 1,000 events
    assert (
        "Excluded maintenance and corrections 2 h 10 min 26,000 events in 1 window and 1 correction, not counted"
        in both
    )
    plain = text_of(render_service_html(month_report([], [maintenance]), "api"))
    assert "Excluded maintenance 60 min 12,000 events in 1 window, not counted" in plain
