"""Postmortem drafts: the timeline matches a planted incident to the step; the drafts are linked
from the service document and the summary; the PDF says it.

Planted (see test_incident_notes): 14 Oct 10:00-12:30 UTC every event bad (30 steps of 1,000),
objective 99%, so every bad step burns at 100×. With 1,000 events in every step, a pair's
window of n steps holding k bad steps burns at 100·k/n, so each pair fires at the end of the
k-th bad step where k is the least with 100·k/n above its rate, and clears at the first
evaluation whose short window holds no bad step (12:30 + the short window):

| pair        | long n | k  | fires | short window | clears |
| 1h/5m  14.4 | 12     | 2  | 10:10 | 5m           | 12:35  |
| 6h/30m 6    | 72     | 5  | 10:25 | 30m          | 13:00  |
| 1d/2h  3    | 288    | 9  | 10:45 | 2h           | 14:30  |
| 3d/6h  1    | 864    | 9  | 10:45 | 6h           | 18:30  |
"""

from __future__ import annotations

from datetime import UTC, datetime

from reports.config import load_config
from reports.pipeline import build_month
from reports.render import render_documents, render_summary_html
from reports.render.context import document_meta, service_page
from reports.render.environment import render
from reports.render.postmortem import drafts_of
from reports.sources import source_for
from reports.window import Month
from tests.conftest import EXAMPLE_CONFIG, OCTOBER, RUN_AT, make_config
from tests.test_incident_notes import NOTE_A, Planted, planted_frame
from tests.test_render import pdf_text, text_of


def at(hour: int, minute: int, day: int = 14) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=UTC)


EXPECTED = [
    (at(10, 0), "Burn started"),
    (at(10, 0), "Peak: burn rate 100.0×"),
    (at(10, 10), "page alert 1h/5m > 14.4× would have fired"),
    (at(10, 25), "page alert 6h/30m > 6× would have fired"),
    (at(10, 45), "ticket alert 1d/2h > 3× would have fired"),
    (at(10, 45), "ticket alert 3d/6h > 1× would have fired"),
    (at(12, 30), "Burn ended"),
    (at(12, 35), "page alert 1h/5m > 14.4× would have cleared"),
    (at(13, 0), "page alert 6h/30m > 6× would have cleared"),
    (at(14, 30), "ticket alert 1d/2h > 3× would have cleared"),
    (at(18, 30), "ticket alert 3d/6h > 1× would have cleared"),
]


def planted_report(notes=()):
    config = make_config(
        services=[{"name": "api", "owner": "api-team", "slos": [{"name": "availability", "objective": 0.99}]}],
        incidents=list(notes),
    )
    return build_month(config, Planted(planted_frame()), Month(2026, 10), RUN_AT)


def test_the_draft_timeline_matches_the_planted_incident_to_the_step():
    report = planted_report([NOTE_A])
    [draft] = drafts_of(report, document_meta(report))  # B (6,000 bad, 6.7%) needs none
    assert draft.stem == "postmortems/api-availability-20261014T1000Z"
    got = [(entry.at, entry.what) for entry in draft.timeline]
    assert len(got) == len(EXPECTED)
    for (when, what), (expected_when, expected_what) in zip(got, EXPECTED, strict=True):
        assert when == expected_when and what.startswith(expected_what), (when, what)
    assert draft.incident.budget_share == 30_000 / 89_280
    assert draft.note is not None and draft.note.id == "INC-1"


def test_the_draft_pdf_shows_the_timeline_the_note_and_empty_sections_to_fill():
    report = planted_report([NOTE_A])
    files = render_documents(report)
    text = pdf_text(files["postmortems/api-availability-20261014T1000Z.pdf"])
    for phrase in (
        "Bad config push",
        "INC-1",
        "Dana (api team)",
        "14 Oct 2026 10:45 UTC ticket alert 1d/2h > 3× would have fired",
        "14 Oct 2026 18:30 UTC ticket alert 3d/6h > 1× would have cleared",
        "33.7%",  # 30,000 / 89,280 = 33.602% of the budget, rounded up as every share used is
        "Root cause",
        "What went well",
        "Action items",
        "P0",
    ):
        assert phrase in text, phrase
    service_html = files["api.html"].decode()
    assert 'href="postmortems/api-availability-20261014T1000Z.html"' in service_html
    summary_html = render_summary_html(report)
    assert "postmortem owed" in text_of(summary_html).lower()
    assert 'href="postmortems/api-availability-20261014T1000Z.html"' in summary_html  # the incident links its draft


def test_without_a_note_the_draft_and_the_summary_say_there_is_no_record():
    report = planted_report()
    [draft] = drafts_of(report, document_meta(report))
    assert draft.note is None
    assert "no incident note overlaps this incident" in text_of(render("postmortem.html", page=draft, meta=draft.meta))
    assert "no record" in text_of(render_summary_html(report))
    page = service_page(report, report.services[0])
    assert "required, no record" in text_of(render("service.html", page=page, meta=page.meta))


def test_the_example_month_has_a_draft_for_each_flagged_incident_with_customers_where_sla_covered():
    config, _ = load_config(EXAMPLE_CONFIG)
    report = build_month(config, source_for(config), OCTOBER, RUN_AT)
    drafts = {d.stem: d for d in drafts_of(report, document_meta(report))}
    assert sorted(drafts) == [
        "postmortems/batch-inference-job-success-20261003T0100Z",
        "postmortems/model-api-availability-20261022T1400Z",
    ]
    api = drafts["postmortems/model-api-availability-20261022T1400Z"]
    assert api.note is not None and api.note.id == "INC-2207"
    assert {c.customer for c in api.customers} >= {"acme", "globex", "umbrella"}
    assert all(c.error_rate == (c.total_events - c.good_events) / c.total_events for c in api.customers)
    assert sum(c.total_events - c.good_events for c in api.customers) <= api.incident.bad_events
    assert drafts["postmortems/batch-inference-job-success-20261003T0100Z"].customers == ()
