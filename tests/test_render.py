"""The render stage: HTML structure and figures, escaping, PDFs, the fetcher, templates."""

from __future__ import annotations

import dataclasses
import html as html_lib
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import jinja2
import pytest
from conftest import ROOT, events, make_config, pdf_page_texts, pdf_pages, pdf_text

from reports import format as fmt
from reports.compute.results import BudgetPoint, DayBurn
from reports.export import report_json, slos_csv
from reports.naming import file_stem
from reports.pipeline import build_month
from reports.render import charts, pdf, render_documents, render_index_html, render_service_html, render_summary_html
from reports.render.environment import CHECKOUT_TEMPLATES, FILTERS, environment, template_root
from reports.render.pdf import DataOnlyFetcher, FetchRefused, html_to_pdf
from reports.sources import EventCounts
from reports.window import Month

pytestmark = pytest.mark.render

HOSTILE = "<script>alert(1)</script>"
RUN_AT_DEC = datetime(2026, 12, 1, 6, tzinfo=UTC)


def example_config_source(config):
    from reports.sources import source_for

    return source_for(config)


HOSTILE_SLO = "<i>availability</i>"


# --- helpers -------------------------------------------------------------------------------


def text_of(markup: str) -> str:
    """Visible text: tags (and the style sheet) dropped, entities decoded, spaces collapsed."""
    markup = re.sub(r"<style.*?</style>", " ", markup, flags=re.S)
    markup = re.sub(r"<title>.*?</title>", " ", markup, flags=re.S)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", markup))).strip()


def slo_sections(markup: str) -> dict[str, str]:
    """SLO section id → the section's markup."""
    return dict(re.findall(r'<section class="slo[^"]*" id="([^"]+)">(.*?)</section>', markup, flags=re.S))


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered(example_rendering):
    files, messages = example_rendering
    return files, list(messages)


class StubSource:
    def __init__(self, frame):
        self.frame = frame

    def fetch(self, config, start, end):
        return EventCounts(
            frame=self.frame, step=timedelta(minutes=5), start=start, end=end, description="stub <source>"
        )


@pytest.fixture(scope="module")
def hostile_report():
    """A service whose every user-supplied text is hostile, in New York time: one SLO with a day
    without data and a short burst of errors, one SLO without any data."""
    config = make_config(
        None,
        title="<b>Acme</b> & co",
        timezone="America/New_York",
        services=[
            {
                "name": HOSTILE,
                "description": "<img src=x onerror=alert(2)>",
                "owner": '"ops" & <sre>',
                "slos": [
                    {"name": HOSTILE_SLO, "objective": 0.999, "description": "<a href='file:///etc/passwd'>good</a>"},
                    {"name": "latency", "objective": 0.99},
                ],
            }
        ],
    )
    tz = UTC
    t, end = datetime(2026, 9, 28, 4, tzinfo=tz), datetime(2026, 11, 1, 4, tzinfo=tz)
    gap = (datetime(2026, 10, 10, 4, tzinfo=tz), datetime(2026, 10, 11, 4, tzinfo=tz))
    burst = (datetime(2026, 10, 20, 0, tzinfo=tz), datetime(2026, 10, 20, 2, tzinfo=tz))
    rows = []
    while t < end:
        if not gap[0] <= t < gap[1]:
            bad = 40 if burst[0] <= t < burst[1] else 0
            rows.append((t.isoformat(), 1000 - bad, 1000))
        t += timedelta(minutes=5)
    frame = events(rows, service=HOSTILE, slo=HOSTILE_SLO)
    return build_month(config, StubSource(frame), Month(2026, 10), datetime(2026, 11, 2, 12, tzinfo=tz))


@pytest.fixture(scope="module")
def hostile_files(hostile_report):
    return render_documents(hostile_report)


# --- the folder ----------------------------------------------------------------------------


def test_every_file_of_the_month_folder(rendered, example_report):
    files, messages = rendered
    stems = [file_stem(s.name) for s in example_report.services]
    expected = {"index.html", "summary.pdf", "report.json", "slos.csv", "credits.csv"}
    expected |= {f"{stem}.html" for stem in stems} | {f"{stem}.pdf" for stem in stems}
    # One SLA statement per customer in any SLA-covered SLO's results (the example's five).
    customers = {
        c.customer
        for s in example_report.services
        for a in s.slos
        if a.result.customers is not None
        for c in a.result.customers.customers
    }
    assert customers == {"acme", "globex", "initech", "umbrella", "wayne"}
    expected |= {f"customers/{file_stem(c)}.pdf" for c in customers}
    drafts = ("model-api-availability-20261022T1400Z", "batch-inference-job-success-20261003T0100Z")
    expected |= {f"postmortems/{stem}.{kind}" for stem in drafts for kind in ("html", "pdf")}
    assert set(files) == expected
    assert all(isinstance(content, bytes) and content for content in files.values())
    assert files["report.json"] == report_json(example_report).encode()
    assert files["slos.csv"] == slos_csv(example_report).encode()
    for name in files:
        if name.endswith(".pdf"):
            assert files[name].startswith(b"%PDF-"), name


def test_progress_counts_the_pdfs_to_the_last(rendered, example_report):
    _, messages = rendered
    n = len(example_report.services) + 2 + 1 + 5  # per service, 2 postmortem drafts, the summary, 5 statements
    assert messages[-1] == f"rendering PDFs ({n}/{n})"
    assert all(re.fullmatch(rf"rendering PDFs \(\d+/{n}(, about .* left)?\)", m) for m in messages)


# --- service pages -------------------------------------------------------------------------


# Hand-checked figures of the example month, written out: a test that formats its expectations with the
# formatter under test cannot catch a formatting rule gone wrong.
EXAMPLE_FIGURES = {
    ("model-api", "availability"): [
        "Met. SLI 99.92% against the 99.9% objective: a margin of +0.030 pp. 70.5% of the error budget was used; "
        "29.5% is left.",
        "Objective 99.9% SLI 99.92% Margin +0.030 pp Good events 25,005,144 Total events 25,022,777 Bad events "
        "17,633 Allowed bad events 25,022 Budget used 70.5% Budget remaining 29.5%",
        "Allowed downtime the budget as time: (1 − objective) × the month 44.6 min",
        "Error-equivalent minutes the budget used, in the same unit: (1 − SLI) × the month 31.5 min",
        "Excluded maintenance 60 min 13,164 events in 1 window, not counted Data coverage 100.0%",
        "Time in degraded 5 min slices 37 slices whose own SLI fell below 99%",
        "14 Oct 02:10 14 Oct 03:05 55 min 1,224 97.4× 4.9% no",
        "22 Oct 14:00 22 Oct 14:40 40 min 6,949 258.7× 27.8% required",
        "27 Oct 18:00 27 Oct 19:30 90 min 1,956 30.7× 7.9% no",
        "Outside incidents (bad events in no incident) 30.0%",
        "page 1h / 5m 14.4× 0.4× / 1.2× no 3 14 Oct 02:20 27 Oct 18:35",
        "ticket 3d / 6h 1.0× 0.3× / 0.3× no 2 22 Oct 14:15 27 Oct 19:20",
    ],
    ("model-api", "latency"): [
        "Met. SLI 97.06% against the 95% objective: a margin of +2.1 pp. 58.7% of the error budget was used; "
        "41.3% is left.",
        "Good events 24,288,452 Total events 25,022,777 Bad events 734,325 Allowed bad events 1,251,138 "
        "Budget used 58.7% Budget remaining 41.3%",
        "08 Oct 09:10 08 Oct 11:25 2 h 15 min 28,980 6.3× 2.4% no",
        "Outside incidents (bad events in no incident) 56.3%",
    ],
    ("batch-inference", "job-success"): [
        "Missed. SLI 93.54% against the 95% objective: −1.5 pp short. The error budget is overspent by 29.1% "
        "(129.1% used).",
        "Good events 116 Total events 124 Bad events 8 Allowed bad events 6 Budget used 129.1% "
        "Budget remaining overspent by 29.1%",
        "Nights with failed jobs Night Jobs run Failed Success rate Share of the month’s budget "
        "03 Oct 2026 4 4 0.00% 64.6% 11 Oct 2026 4 1 75.00% 16.2%",
    ],
    ("model-api", "quality"): [
        # 4,356,963 correct of 4,633,212 labelled (maintenance excluded): 0.94038; (1 − SLI) / 0.08 = 74.6% used
        "Met. SLI 94.03% against the 92% objective: a margin of +2.0 pp. 74.6% of the error budget was used; "
        "25.4% is left.",
        # 5,000,771 predictions, 367,559 unlabelled on the 1st: 4,633,212 / 5,000,771 = 0.9265
        "Provisional until 08 Nov 2026. 367,559 of 5,000,771 predictions have no ground truth yet (label coverage "
        "92.6%)",
        "Good events 4,356,963 Total events 4,633,212 Bad events 276,249",
    ],
    ("batch-inference", "completion-time"): [
        # 5 late of 124 runs against 12.4 allowed: 40.3% used, rounded up
        "Met. SLI 95.96% against the 90% objective: a margin of +6.0 pp. 40.4% of the error budget was used; "
        "59.6% is left.",
        "Good events 119 Total events 124 Bad events 5 Allowed bad events 12",
        "Nights with late runs Night Runs Late (over 4 h 00 min) On-time rate Share of the month’s budget "
        "Failed jobs (job success) 06 Oct 2026 4 2 50.00% 16.2% 0 20 Oct 2026 4 2 50.00% 16.2% 0 "
        "29 Oct 2026 4 1 75.00% 8.1% 1",
    ],
    ("feature-store", "availability"): [
        "Met. SLI 99.997% against the 99.99% objective: a margin of +0.0071 pp. 29.5% of the error budget was "
        "used; 70.5% is left.",
        "Data gap larger than the allowance. No data for 2 h 00 min (19 Oct 10:00–12:00 UTC), where the 99.99% "
        "objective allows 4.5 min of downtime in the month",
        "Allowed bad events 17,239 Budget used 29.5% Budget remaining 70.5%",
        "Minutes without data more than the allowed downtime 2 h 00 min Data coverage 99.7%",
        "31 Oct 23:20 01 Nov 00:00 40 min 2,598 212.0× 15.1% no",
        "page 1h / 5m 14.4× 129.4× / 198.2× firing 1 31 Oct 23:25 31 Oct 23:25",
    ],
    ("feature-store", "latency"): [
        "Allowed bad events 1,723,902 Budget used 25.1% Budget remaining 74.9%",  # 1,723,902.51 allowed: cut
        "Minutes without data 2 h 00 min Data coverage 99.7%",
        "No incident: no period burnt the budget at the incident rate. All consumption (25.1% of the budget) "
        "was outside incidents.",
    ],
}


def test_service_page_has_a_section_per_slo_with_its_figures(rendered, example_report):
    files, _ = rendered
    seen = set()
    for service in example_report.services:
        markup = files[f"{file_stem(service.name)}.html"].decode()
        sections = list(slo_sections(markup).values())
        assert len(sections) == len(service.slos)
        for section, assessed in zip(sections, service.slos, strict=True):
            r, text = assessed.result, text_of(section)
            assert f"{service.name} / {r.slo}" in text
            assert r.description in text
            for phrase in EXAMPLE_FIGURES[(service.name, r.slo)]:
                assert phrase in text, f"{service.name}/{r.slo}: {phrase!r} missing"
            seen.add((service.name, r.slo))
    assert seen == set(EXAMPLE_FIGURES)


def test_recommendations_appear_once_in_the_service_document(rendered, example_report):
    text = text_of(rendered[0]["batch-inference.html"].decode())
    for advice in example_report.service("batch-inference").slos[0].recommendations:
        if advice.kind != "zone":  # the zone banner says that one
            assert text.count(advice.text) == 1, advice.text
    assert text.count("Recommendations") == 0 and text.count("What to do") == 1


def test_measured_downtime_never_reads_as_a_breach(rendered):
    """Model-api availability was met with 44.6 min allowed; its 3 h 05 min of degraded slices is named
    for what it is, apart from the allowance, which is compared with error-equivalent minutes instead."""
    text = text_of(slo_sections(rendered[0]["model-api.html"].decode())["slo-1-availability"])
    assert "Measured downtime" not in text
    allowance = text.index("Allowed downtime")
    assert allowance < text.index("Error-equivalent minutes") < text.index("Degraded slices (another measure")
    assert "Degraded slices (another measure: not comparable with the allowance) Time in degraded 5 min slices" in text


def test_overspent_budget_is_said_plainly(rendered):
    text = text_of(rendered[0]["batch-inference.html"].decode())
    assert "Budget remaining overspent by 29.1%" in text
    assert "Budget remaining -29" not in text and "Budget remaining −29" not in text


def test_glossary_defines_every_figure_and_policy_lists_every_zone(rendered, example_report):
    text = text_of(rendered[0]["feature-store.html"].decode())
    for formula in (
        "SLI = Σ good / Σ total",
        "error budget = 1 − objective",
        "(1 − objective) × window minutes",
        "(1 − SLI) × window minutes",
        "down slices × slice length",
        "Time in degraded slices",
        "consumed = (1 − SLI) / (1 − objective)",
        "remaining = 1 − consumed",
        "burn rate = error ratio / (1 − objective)",
        "(1 − objective) × total events",
        "margin = SLI − objective",
        "steps with data / steps in the window",
        "page 1h 5m 14.4×",
        "page 6h 30m 6.0×",
        "ticket 1d 2h 3.0×",
        "ticket 3d 6h 1.0×",
        "Outside incidents",
        "postmortem is required",
        "Missing data is never counted as good",
    ):
        assert formula in text, formula
    for zone in example_report.zones:
        assert f"{zone.name} " in text and zone.approval in text and zone.guidance in text
    assert "at least 75% feature, bugfix, security, refactor standard code review nobody" in text
    assert "below 0% security VP engineering approval" in text


def test_charts_are_wellformed_svg_and_shade_incidents_maintenance_and_gaps(rendered):
    store = slo_sections(rendered[0]["feature-store.html"].decode())["slo-1-availability"]
    svgs = re.findall(r"<svg class=\"chart\".*?</svg>", store, flags=re.S)
    assert len(svgs) == 2
    for svg in svgs:
        ET.fromstring(svg)  # raises on malformed markup
        # The 2-hour gap of 19 Oct and the incident of 31 Oct are shaded and named in the legend.
        assert svg.count('class="band no-data"') == 1 and svg.count('class="band incident"') == 1
        assert ">no data</text>" in svg and ">incident</text>" in svg
        assert 'transform="rotate(-90' in svg  # the y-axis has a title
    api = slo_sections(rendered[0]["model-api.html"].decode())["slo-1-availability"]
    assert 'class="band maintenance"' in api and ">maintenance (excluded)</text>" in api
    # The day that scored 99.15% is drawn clipped on the axis with its value, cut like every SLI.
    assert ">99.15%</text>" in api
    # Axis text prints at a readable size: the viewBox is about the printed width in points.
    assert f'viewBox="0 0 {charts.WIDTH} {charts.HEIGHT}"' in svgs[0] and charts.WIDTH >= 600
    assert 'font-size="11"' in svgs[0]


def test_a_batch_slo_is_shown_as_runs_not_as_a_burn(rendered):
    section = slo_sections(rendered[0]["batch-inference.html"].decode())["slo-1-job-success"]
    text = text_of(section)
    assert 'aria-label="Jobs per night, succeeded and failed' in section
    assert section.count('<svg class="chart"') == 1 + ("Earlier months" in text)
    assert "Burn-rate alerts" not in text and "n/a" not in text and "Peak burn" not in text
    assert "Nights with a failed job 5" in text
    # The night everything failed: said as jobs, not as "an incident of 5 min, 4 bad events".
    assert "03 Oct 2026 4 4 0.00% 64.6%" in text and "5 min" not in text


# --- index and summary ---------------------------------------------------------------------


def test_index_lists_every_service_and_slo_with_links_and_zones(rendered, example_report):
    markup = rendered[0]["index.html"].decode()
    text = text_of(markup)
    for service in example_report.services:
        stem = file_stem(service.name)
        assert f'href="{stem}.html"' in markup and f'href="{stem}.pdf"' in markup
        assert f'<span class="badge {service.zone.name}">{service.zone.name}</span>' in markup
        for index, assessed in enumerate(service.slos):
            r = assessed.result
            assert f'href="{stem}.html#slo-{index + 1}-{file_stem(r.slo).lower()}"' in markup
    for row in (
        "availability 99.9% 99.92% met 29.5%",
        "latency 95% 97.06% met 41.3%",
        "job-success 95% 93.54% missed overspent by 29.1%",
        "availability data gap 99.99% 99.997% met 70.5%",
        "latency 99% 99.74% met 74.9%",
    ):
        assert row in text, row
    assert "http://" not in markup and "https://" not in markup and "<script" not in markup


def test_summary_pdf_is_one_page_with_every_slo(rendered, example_report):
    data = rendered[0]["summary.pdf"]
    assert pdf_pages(data) == 1
    text = pdf_text(data)
    assert "October 2026" in text and "7 SLOs across 3 services: 6 met, 1 missed. 2 postmortems owed." in text
    for service in example_report.services:
        assert service.name in text
    for sli in ("99.92%", "97.06%", "94.03%", "93.54%", "95.96%", "99.997%", "99.74%"):
        assert sli in text
    assert "overspent by 29.1%" in text
    assert "Page 1 of 1" in text


def test_summary_says_each_slo_once_with_its_owner_in_plain_words(rendered):
    text = pdf_text(rendered[0]["summary.pdf"])
    actions = text[text.index("What needs action") : text.index("Top incidents")]
    # One line per SLO: batch-inference/job-success is named once, with its three findings together.
    assert actions.count("batch-inference / job-success") == 1
    assert (
        "batch-inference / job-success (ml-batch) red missed 95% (SLI 93.54%); budget overspent by 29.1%; "
        "postmortem owed for the run of 03 Oct, no record (64.6% of the budget). May ship security, with VP engineering "
        "approval." in actions
    )
    assert "feature-store / availability (ml-data) yellow was burning budget when the month ended" in actions
    assert "1h/5m" not in text and "14.4×" not in text and "burning now" not in text
    assert " P0" not in text
    # "May ship" always says which approval.
    assert all(", with " in part.split(".")[0] for part in text.split("May ship")[1:])


def test_summary_names_top_incidents_data_gaps_and_trends(rendered):
    text = pdf_text(rendered[0]["summary.pdf"])
    incidents = text[text.index("Top incidents") : text.index("Data gaps")]
    assert "ml-batch run of 03 Oct 4 of 4 jobs failed 64.6% required" in incidents
    assert "model-api / availability ml-serving 22 Oct 14:00–14:40 UTC 40 min 27.8% required" in incidents
    assert (
        "feature-store / availability (ml-data): no data for 2 h 00 min where the objective allows 4.5 min of "
        "downtime (19 Oct 10:00–12:00 UTC)" in text
    )
    assert "1 SLO with a data gap larger than its allowed downtime." in text
    assert "Budget used vs last month" in text and "Service (owner)" in text


# --- PDFs ----------------------------------------------------------------------------------


def test_service_pdf_carries_name_month_and_figures(rendered, example_report):
    files, _ = rendered
    for service in example_report.services:
        data = files[f"{file_stem(service.name)}.pdf"]
        text = pdf_text(data)
        pages = pdf_pages(data)
        assert service.name in text and "October 2026" in text
        assert f"{service.name} · October 2026" in text  # the running header
        assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    text = pdf_text(files["model-api.pdf"])
    assert "SLI 99.92% against the 99.9% objective" in text and "Budget used 70.5%" in text
    assert "Budget remaining 29.5%" in text


def page_texts(data: bytes) -> list[str]:
    return list(pdf_page_texts(data))


HEADINGS = ("Incidents", "Burn-rate alerts", "Earlier months", "What to do", "Nights with failed jobs", "Glossary")


def test_no_heading_is_the_last_text_on_its_page(rendered):
    for name, data in rendered[0].items():
        if not name.endswith(".pdf") or name.startswith("customers/"):
            continue
        for number, text in enumerate(page_texts(data), 1):
            body = re.sub(r"Generated .*$", "", text).strip()  # the running footer
            for heading in HEADINGS:
                assert not body.endswith(heading), f"{name} page {number} ends with {heading!r}"


def test_the_first_page_is_not_half_empty_and_the_glossary_is_printed_once(rendered):
    from weasyprint import HTML

    html = rendered[0]["model-api.html"].decode()
    document = HTML(string=html).render()
    first = document.pages[0]
    # The first SLO section follows the overview on page 1 instead of starting a page of its own.
    assert "model-api / availability" in page_texts(rendered[0]["model-api.pdf"])[0]
    lowest = max(
        (box.position_y + box.height for box in _boxes(first._page_box) if box.element_tag != "html"), default=0
    )
    assert lowest > first.height * 0.7
    pages = page_texts(rendered[0]["model-api.pdf"])
    glossary = [i for i, page in enumerate(pages) if "Glossary Objective" in page]
    sections = [i for i, page in enumerate(pages) if "model-api / " in page]
    assert len(glossary) == 1 and glossary[0] > max(sections)


def _boxes(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def test_no_table_is_split_across_pages(rendered):
    """Figures, incidents and alerts tables avoid breaks: each table's header and its last row share a page."""
    for name in ("model-api.pdf", "feature-store.pdf", "batch-inference.pdf"):
        for text in page_texts(rendered[0][name]):
            for header, last in (
                ("Severity Windows (long / short)", "ticket 3d / 6h"),
                ("Events and error budget", "Budget remaining"),
            ):
                if header in text:
                    assert last in text[text.index(header) :], f"{name}: {header!r} split from {last!r}"


# --- escaping and no data ------------------------------------------------------------------


def test_hostile_names_are_escaped_everywhere(hostile_files):
    stem = file_stem(HOSTILE)
    assert stem == "script-alert-1-script"
    for name in ("index.html", f"{stem}.html"):
        markup = hostile_files[name].decode()
        assert "<script" not in markup and "<img" not in markup and "<i>" not in markup
        assert "<a href='file" not in markup and "<b>Acme" not in markup
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
        text = text_of(markup)
        assert HOSTILE in text and "<b>Acme</b> & co" in text
    service_text = text_of(hostile_files[f"{stem}.html"].decode())
    for raw in (
        "<img src=x onerror=alert(2)>",
        '"ops" & <sre>',
        HOSTILE_SLO,
        "<a href='file:///etc/passwd'>good</a>",
        "stub <source>",
    ):
        assert raw in service_text, raw
    assert HOSTILE in pdf_text(hostile_files[f"{stem}.pdf"])
    assert HOSTILE in pdf_text(hostile_files["summary.pdf"])
    assert pdf_pages(hostile_files["summary.pdf"]) == 1


def test_hostile_rendering_fetches_nothing(hostile_report):
    fetcher = DataOnlyFetcher()
    html_to_pdf(render_service_html(hostile_report, HOSTILE), fetcher)
    assert fetcher.refused == []


def test_no_data_slo_shows_a_panel_and_never_100_percent(hostile_files, hostile_report):
    stem = file_stem(HOSTILE)
    sections = slo_sections(hostile_files[f"{stem}.html"].decode())
    no_data = text_of(sections["slo-2-latency"])
    assert "No data" in no_data and "no events in the window" in no_data
    assert "SLI no data" in no_data
    assert "100" not in no_data
    assert '<svg class="chart"' not in sections["slo-2-latency"]
    assert "Data coverage 0.0%" in no_data
    index = text_of(hostile_files["index.html"].decode())
    assert "latency 99% no data no data no data – 0" in index
    page_one = text_of(hostile_files[f"{stem}.html"].decode().split('<section class="slo')[0])
    assert "Zone no data" in page_one and "Decided by latency (no data)" in page_one
    assert "latency 99% no data no data n/a no data – no data 0" in page_one


def test_source_problems_are_listed_escaped(hostile_report):
    problem = f"{HOSTILE}/latency: <b>timeout</b> after 30s"
    report = dataclasses.replace(hostile_report, source_problems=(problem,))
    for markup in (render_index_html(report), render_summary_html(report)):
        assert "<b>timeout</b>" not in markup
        assert f"The source could not count 1 SLO (shown as “no data”, never as met): {problem}" in text_of(markup)
    assert "could not count" not in render_index_html(hostile_report)


def test_times_are_in_the_report_time_zone(hostile_files, hostile_report):
    text = text_of(hostile_files[f"{file_stem(HOSTILE)}.html"].decode())
    assert "01 Oct 2026 00:00 EDT – 01 Nov 2026 00:00 EDT" in text
    assert "Generated 02 Nov 2026 07:00 EST" in text
    incident = hostile_report.services[0].slos[0].result.incidents[0]
    assert incident.start == datetime(2026, 10, 20, 0, tzinfo=UTC)
    assert "19 Oct 20:00 19 Oct 22:00 2 h 00 min" in text  # 00:00–02:00 UTC is 20:00–22:00 EDT


def test_days_without_data_are_gaps_in_the_daily_chart(hostile_files):
    section = slo_sections(hostile_files[f"{file_stem(HOSTILE)}.html"].decode())["slo-1-i-availability-i"]
    svg = re.search(r"<svg class=\"chart\".*?</svg>", section, flags=re.S)[0]
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    gaps = [r for r in root.iter(f"{ns}rect") if r.get("fill") == charts.GAP and r.get("width") != "18"]
    assert len(gaps) == 1
    assert len(root.findall(f"{ns}polyline")) == 2  # the line breaks at the gap


# --- charts (pure) -------------------------------------------------------------------------


def _days(values):
    return [
        DayBurn(day=date(2026, 10, i + 1), good=0, total=0, sli=v, burn_rate=None, budget_share=None)
        for i, v in enumerate(values)
    ]


def test_daily_chart_clips_days_far_below_and_escapes_text():
    svg = charts.daily_sli_chart(_days([0.9995, 0.998, None, 0.42]), 0.999, "day of <Oct>")
    root = ET.fromstring(str(svg))
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "42.00%" in texts  # clipped below 99.5% and labelled with its value, cut like every SLI
    assert "99.5%" in texts and "99.9%" in texts and "100%" in texts  # readable axis around the objective
    assert "day of <Oct>" in texts and "&lt;Oct&gt;" in str(svg)
    assert charts.sli_floor(0.999) == pytest.approx(0.995)


def test_burn_down_turns_red_below_zero_only():
    start = datetime(2026, 10, 1, tzinfo=UTC)
    end = datetime(2026, 11, 1, tzinfo=UTC)
    points = [BudgetPoint(start + timedelta(days=d), r) for d, r in ((0, 1.0), (10, 0.5), (20, 0.1), (31, -0.3))]
    svg = str(charts.burn_down_chart(points, start, end, "UTC", "October 2026"))
    ET.fromstring(svg)
    assert f'stroke="{charts.RED}"' in svg and ">−30.0%</text>" in svg and ">−25%</text>" in svg
    healthy = str(charts.burn_down_chart(points[:3], start, end, "UTC", "October 2026"))
    assert f'stroke="{charts.RED}"' not in healthy and ">10.0%</text>" in healthy
    above, below = charts.split_at_zero([(0, 1.0), (1, 0.5), (2, -0.5)])
    assert above == [[(0, 1.0), (1, 0.5), (1.5, 0.0)]] and below == [[(1.5, 0.0), (2, -0.5)]]


# --- the PDF fetcher -----------------------------------------------------------------------


def test_fetcher_refuses_everything_but_data_urls():
    fetcher = DataOnlyFetcher()
    for url in ("file:///etc/hostname", "http://127.0.0.1:9/x.css", "https://example.com/a.png", "ftp://x/y"):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    assert fetcher.refused == [
        "file:///etc/hostname",
        "http://127.0.0.1:9/x.css",
        "https://example.com/a.png",
        "ftp://x/y",
    ]


def test_pdf_rendering_asks_the_fetcher_and_it_refuses():
    pixel = (
        "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='4' height='4'%3E"
        "%3Crect width='4' height='4'/%3E%3C/svg%3E"
    )
    html = (
        '<html><head><link rel="stylesheet" href="http://127.0.0.1:9/evil.css"></head><body>'
        '<p>hello</p><img src="file:///etc/hostname"><img src="https://example.com/x.png">'
        f'<img src="{pixel}"></body></html>'
    )
    fetcher = DataOnlyFetcher()
    data = html_to_pdf(html, fetcher)
    assert data.startswith(b"%PDF-") and "hello" in pdf_text(data)
    assert set(fetcher.refused) == {"file:///etc/hostname", "http://127.0.0.1:9/evil.css", "https://example.com/x.png"}


def test_shared_pages_are_laid_out_once_and_read_as_if_rendered_whole(example_report):
    """The glossary and policy pages are laid out once per process and taken into each service's
    PDF, where each still carries its own document's running header and page number."""
    pdf._shared.cache_clear()
    for service in example_report.services[:2]:
        markup = render_service_html(example_report, service.name)
        assert pdf.SHARED_BEGIN in markup and pdf.SHARED_END in markup
        whole = markup.replace(pdf.SHARED_BEGIN, "").replace(pdf.SHARED_END, "")
        pages = pdf_page_texts(html_to_pdf(markup))
        assert pages == pdf_page_texts(html_to_pdf(whole))
        assert "Error-budget policy" in pages[-1] and service.name in pages[-1]
        assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    assert (pdf._shared.cache_info().misses, pdf._shared.cache_info().hits) == (1, 1)


# --- the environment and templates ---------------------------------------------------------


def test_templates_resolve_from_the_checkout():
    assert CHECKOUT_TEMPLATES == ROOT / "templates"
    assert Path(str(template_root())).resolve() == (ROOT / "templates").resolve()
    template = environment().get_template("service.html")
    assert Path(template.filename).resolve() == (ROOT / "templates" / "service.html").resolve()


def test_templates_resolve_from_an_installed_package(tmp_path):
    """The wheel layout: ``templates/`` installed as the package ``reports.templates`` and no
    checkout folder beside it."""
    site = tmp_path / "site"
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "reports", site / "reports", ignore=ignore)
    shutil.copytree(ROOT / "templates", site / "reports" / "templates", ignore=ignore)
    code = (
        "from reports.render.environment import environment, template_root\n"
        "print(environment().get_template('service.html').filename)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert Path(out) == site / "reports" / "templates" / "service.html"


def test_one_strict_autoescaping_environment():
    env = environment()
    assert env is environment()
    assert env.undefined is jinja2.StrictUndefined
    assert env.from_string("{{ x }}").render(x=HOSTILE) == "&lt;script&gt;alert(1)&lt;/script&gt;"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ page.missing }}").render(page=object())
    for name in ("sli", "share", "used", "objective", "points", "minutes", "burn", "count", "credit"):
        assert env.filters[name] is getattr(fmt, name)
    assert (
        env.filters["local_datetime"](datetime(2026, 7, 1, 12, tzinfo=UTC), "Europe/Paris") == "01 Jul 2026 14:00 CEST"
    )
    assert FILTERS["points"](0.000297) == "+0.030 pp" and FILTERS["points"](-0.0145) == "−1.5 pp"


def test_partials_are_underscored():
    names = environment().loader.list_templates()
    documents = {"service.html", "index.html", "summary.html", "statement.html", "review.html", "postmortem.html"}
    assert documents <= set(names)
    for name in names:
        if name.endswith(".html") and name not in documents:
            assert name.startswith("_"), name
    for name in (
        "_glossary.html",
        "_policy.html",
        "_slo.html",
        "_layout.html",
        "_macros.html",
        "_customers.html",
        "_maintenance.html",
        "_credits.html",
    ):
        assert name in names


def test_documents_are_self_contained(rendered):
    for name, content in rendered[0].items():
        if name.endswith(".html"):
            markup = content.decode()
            assert "<style>" in markup and "<script" not in markup
            assert not re.search(r'(?:src|href)="(?:https?:|file:|//)', markup), name
            assert "<link" not in markup


# --- an index for a fleet ------------------------------------------------------------------


@pytest.fixture(scope="module")
def fleet_index(example_report):
    from fleet import fleet_report

    report = fleet_report(example_report, 200)
    return report, render_index_html(report)


def test_the_fleet_index_groups_services_by_team_worst_first(fleet_index):
    report, markup = fleet_index
    teams = re.findall(r'<span class="team-name">([^<]+)</span> <span class="badge (\w+)">', markup)
    assert len(teams) == 12 and {name for name, _ in teams} == {s.owner for s in report.services}
    order = ["red", "orange", "yellow", "green"]
    ranks = [order.index(zone) for _, zone in teams]
    assert ranks == sorted(ranks)  # worst team first
    # Within a team, services are worst first too, and every service appears exactly once.
    assert sum(markup.count(f'href="{s.name}.html"><b>') for s in report.services) == 200
    first = markup.split('<section class="team"')[1]
    zones = re.findall(r'<td rowspan="\d+"><span class="badge (\w+)">', first)
    assert [order.index(z) for z in zones] == sorted(order.index(z) for z in zones)


def test_the_fleet_index_folds_healthy_services_and_stays_short(fleet_index):
    report, markup = fleet_index
    healthy = markup.count('<details class="healthy"')
    assert healthy >= 10  # every team has green services with nothing owed, listed in one line
    in_tables = markup.split('<details class="healthy"')[0].count('<tbody class="service">')
    assert in_tables < 30  # the first team's attention table, not two hundred rows
    assert "<script" not in markup  # usable without JavaScript


def test_the_index_has_postmortem_and_trend_columns_and_links_to_other_periods(rendered, example_report):
    markup = rendered[0]["index.html"].decode()
    text = text_of(markup)
    assert "Budget used vs last month" in text and "Postmortems owed" in text.replace("\xad", "")
    assert 'href="../2026-Q4/review.html"' in markup and "2026-Q4 quarterly review" in text
    assert "no earlier month in this folder" in text  # the session's example has no September beside it
    assert "ml-batch" in text and "Teams (owners), worst first: ml-batch red" in text


def test_the_index_trend_compares_with_the_previous_month_and_links_it(tmp_path, example_config):
    from reports.pipeline import run_month

    for month in (Month(2026, 9), Month(2026, 10)):
        run_month(example_config, example_config_source(example_config), month, RUN_AT_DEC, tmp_path)
    markup = (tmp_path / "2026-10" / "index.html").read_text()
    text = text_of(markup)
    assert 'href="../2026-09/index.html"' in markup and "← September 2026" in text
    # Model-api availability: 70.5% used in October against 477.2% in a September with 3 days of data.
    assert "availability 99.9% 99.92% met 29.5% ▼ 70.5% from 477.2%*" in text
    assert "* Sep 2026 was a partial month" in text
