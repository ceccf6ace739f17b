"""The render stage: HTML structure and figures, escaping, PDFs, the fetcher, templates."""

from __future__ import annotations

import dataclasses
import html as html_lib
import io
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
from conftest import ROOT, events, make_config, pdf_pages, pdf_text
from pypdf import PdfReader

from reports import format as fmt
from reports.compute.results import BudgetPoint, DayBurn
from reports.export import report_json, slos_csv
from reports.naming import file_stem
from reports.pipeline import build_month
from reports.render import charts, render_documents, render_index_html, render_service_html, render_summary_html
from reports.render.environment import CHECKOUT_TEMPLATES, FILTERS, environment, template_root
from reports.render.pdf import DataOnlyFetcher, FetchRefused, html_to_pdf
from reports.sources import EventCounts
from reports.window import Month

pytestmark = pytest.mark.render

HOSTILE = "<script>alert(1)</script>"
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


def test_service_page_has_a_section_per_slo_with_its_figures(rendered, example_report):
    files, _ = rendered
    for service in example_report.services:
        markup = files[f"{file_stem(service.name)}.html"].decode()
        sections = list(slo_sections(markup).values())
        assert len(sections) == len(service.slos)
        for section, assessed in zip(sections, service.slos, strict=True):
            r, text = assessed.result, text_of(section)
            assert f"{service.name} / {r.slo}" in text
            assert r.description in text
            expected = [
                f"Objective {fmt.objective(r.objective)}",
                f"SLI {fmt.percent(r.sli)}",
                f"Good events {fmt.count(r.good_events)}",
                f"Total events {fmt.count(r.total_events)}",
                f"Bad events {fmt.count(r.bad_events)}",
                f"Allowed bad events {fmt.count(r.budget.allowed_bad_events)}",
                f"Budget consumed {fmt.percent(r.budget.consumed, 1)}",
                f"Allowed downtime {fmt.minutes(r.downtime.allowed_minutes)}",
                f"Error-equivalent minutes {fmt.minutes(r.downtime.error_equivalent_minutes)}",
                f"Measured downtime {fmt.minutes(r.downtime.measured_minutes)} "
                f"{r.downtime.down_slices} × {fmt.minutes(r.downtime.slice_minutes)} slices below "
                f"{fmt.objective(r.downtime.down_below)}",
                f"Minutes without data {fmt.minutes(r.downtime.no_data_minutes)}",
                f"Data coverage {fmt.percent(r.coverage)}",
            ]
            if r.incidents:
                expected.append(
                    f"Outside incidents (bad events in no incident) {fmt.percent(r.outside_incidents_share)}"
                )
            else:
                expected.append(
                    f"No incident: no period burnt the budget at the incident rate. All consumption "
                    f"({fmt.percent(r.outside_incidents_share)} of the budget) was outside incidents."
                )
            if r.budget.remaining < 0:
                expected.append(f"Budget remaining overspent by {fmt.percent(-r.budget.remaining, 1)}")
            else:
                expected.append(f"Budget remaining {fmt.percent(r.budget.remaining, 1)}")
            for incident in r.incidents:
                expected.append(
                    f"{fmt.local_time(incident.start, 'UTC')} {fmt.local_time(incident.end, 'UTC')} "
                    f"{fmt.minutes(incident.duration_minutes)} {fmt.count(incident.bad_events)} "
                    f"{fmt.burn(incident.peak_burn_rate)} {fmt.percent(incident.budget_share)} "
                    + ("required" if incident.postmortem_required else "no")
                )
            for alert in r.alerts:
                expected.append(
                    f"{alert.severity} {fmt.window_name(alert.long_window_minutes)} / "
                    f"{fmt.window_name(alert.short_window_minutes)} {fmt.burn(alert.threshold)} "
                    f"{fmt.burn(alert.long_burn_at_end)} / {fmt.burn(alert.short_burn_at_end)} "
                    + ("firing" if alert.firing_at_end else "no")
                    + f" {len(alert.firings)}"
                )
            for recommendation in assessed.recommendations:
                expected.append(recommendation.text)
            for phrase in expected:
                assert phrase in text, f"{service.name}/{r.slo}: {phrase!r} missing"
            assert section.count('<svg class="chart"') == 2


def test_overspent_budget_is_said_plainly(rendered, example_report):
    files, _ = rendered
    overspent = [(s, a) for s in example_report.services for a in s.slos if a.result.budget.remaining < 0]
    assert overspent, "the example has an overspent SLO (batch-inference)"
    for service, assessed in overspent:
        text = text_of(files[f"{file_stem(service.name)}.html"].decode())
        amount = fmt.percent(-assessed.result.budget.remaining, 1)
        assert f"Budget remaining overspent by {amount}" in text
        assert f"Budget remaining -{amount}" not in text


def test_service_header_and_zone_banner(rendered, example_report):
    files, _ = rendered
    service = example_report.service("model-api")
    text = text_of(files["model-api.html"].decode())
    for phrase in (
        "ML Platform · SLO report · October 2026",
        "model-api",
        "Real-time inference API",
        "Owner ml-serving",
        "Month October 2026",
        "Window 01 Oct 2026 00:00 UTC – 01 Nov 2026 00:00 UTC (calendar month, 31 days)",
        "Generated 01 Nov 2026 06:00 UTC",
        "Source file ml-platform.csv.gz (5 min steps)",
        f"Zone {service.zone.name}",
        service.zone.guidance,
        "May ship feature, bugfix, security, refactor",
        f"Approval {service.zone.approval}",
        "Notify engineering manager",
    ):
        assert phrase in text, phrase
    decided = ", ".join(
        f"{a.result.slo} ({fmt.percent(a.result.budget.remaining, 1)} of the budget left)"
        for a in service.deciding_slos
    )
    assert f"Decided by {decided}" in text
    red = text_of(files["batch-inference.html"].decode())
    assert "Zone red" in red and "May ship security (blocked: feature, bugfix, refactor)" in red
    assert '<div class="banner red">' in files["batch-inference.html"].decode()


def test_glossary_defines_every_figure_and_policy_lists_every_zone(rendered, example_report):
    text = text_of(rendered[0]["feature-store.html"].decode())
    for formula in (
        "SLI = Σ good / Σ total",
        "error budget = 1 − objective",
        "(1 − objective) × window minutes",
        "(1 − SLI) × window minutes",
        "down slices × slice length",
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


def test_charts_are_wellformed_svg(rendered):
    markup = rendered[0]["batch-inference.html"].decode()
    svgs = re.findall(r"<svg class=\"chart\".*?</svg>", markup, flags=re.S)
    assert len(svgs) == 2
    for svg in svgs:
        ET.fromstring(svg)  # raises on malformed markup
    # The day that scored 0% is drawn clipped on the axis with its value.
    assert ">0.0%</text>" in svgs[0]
    # The overspent end of the month is drawn in red and labelled.
    assert f'stroke="{charts.RED}" stroke-width="2.2"' in svgs[1] and ">−29.0%</text>" in svgs[1]


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
            budget = (
                f"overspent by {fmt.percent(-r.budget.remaining, 1)}"
                if r.budget.remaining < 0
                else fmt.percent(r.budget.remaining, 1)
            )
            assert (
                f"{r.slo} {fmt.objective(r.objective)} {fmt.percent(r.sli)} {r.status} {budget} {assessed.zone.name}"
            ) in text
    assert "http://" not in markup and "https://" not in markup and "<script" not in markup


def test_summary_pdf_is_one_page_with_every_slo(rendered, example_report):
    data = rendered[0]["summary.pdf"]
    assert pdf_pages(data) == 1
    text = pdf_text(data)
    assert "October 2026" in text and "5 SLOs across 3 services: 4 met, 1 missed. 2 postmortems owed." in text
    for service in example_report.services:
        assert service.name in text
        for assessed in service.slos:
            assert fmt.percent(assessed.result.sli) in text
    assert "overspent by 29.0%" in text
    assert "Top recommendations" in text and "Postmortem required" in text
    assert "Page 1 of 1" in text


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
        for assessed in service.slos:
            r = assessed.result
            assert f"SLI {fmt.percent(r.sli)}" in text
            assert f"Budget consumed {fmt.percent(r.budget.consumed, 1)}" in text
            if r.budget.remaining >= 0:
                assert f"Budget remaining {fmt.percent(r.budget.remaining, 1)}" in text
            else:
                assert f"Budget remaining overspent by {fmt.percent(-r.budget.remaining, 1)}" in text


def test_each_slo_starts_a_page(rendered):
    reader = PdfReader(io.BytesIO(rendered[0]["model-api.pdf"]))
    starts = [i for i, page in enumerate(reader.pages) if "model-api / " in page.extract_text()]
    assert len(starts) == 2 and starts[0] == 1


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
    assert "latency 99% no data no data no data no data" in index
    page_one = text_of(hostile_files[f"{stem}.html"].decode().split('<section class="slo')[0])
    assert "Zone no data" in page_one and "Decided by latency (no data)" in page_one
    assert "latency 99% no data no data n/a no data no data 0" in page_one


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
    assert "42.0%" in texts  # clipped below 99.5% and labelled with its value
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
    for name in ("percent", "objective", "minutes", "burn", "count"):
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
