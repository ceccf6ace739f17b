"""The customer side of the documents: the service report's Customers section and maintenance
table, the SLA credits of the index and summary, and the one-page customer SLA statements
(real WeasyPrint PDFs, read back with pypdf).

The data set, in Europe/Berlin, October 2026 (a window of 31 days and 1 hour):

* checkout-api / availability (SLA-covered): globex carries the traffic; acme has a tenant-only
  outage (SLI 98.5%: 25% credit) while the SLO as a whole is met; ``<b>evil</b>`` is seen but not
  assigned (free tier, no SLA); a maintenance window from 30 Sep 22:00 to 01 Oct 01:00 CEST
  straddles the month start and hides 5,000 bad acme events.
* search / availability (SLA-covered): customers exactly at and just below each credit bound.
* wayne is assigned and never sends traffic.
"""

from __future__ import annotations

import dataclasses
import html as html_lib
import io
import re
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from conftest import make_config, pdf_pages, pdf_text
from pypdf import PdfReader

from reports import format as fmt
from reports.format import customer_sli
from reports.naming import file_stem
from reports.pipeline import build_month
from reports.render import (
    render_documents,
    render_index_html,
    render_service_html,
    render_statement_html,
    render_summary_html,
    statement_names,
)
from reports.render.customers import statement_customers
from reports.sources import EventCounts
from reports.window import Month

pytestmark = pytest.mark.render

UTC = UTC
EVIL = "<b>evil</b>"
TIERS = {
    "enterprise": {"objective": 0.9995, "sla": 0.999, "credits": {0.999: 10, 0.99: 25, 0.95: 100}},
    "professional": {"objective": 0.999, "sla": 0.995, "credits": {0.995: 10, 0.99: 25}},
    "free": {"objective": 0.99},
}
ASSIGNMENTS = {
    "acme": "enterprise",
    "hooli": "enterprise",
    "umbrella": "enterprise",
    "vandelay": "enterprise",
    "initrode": "enterprise",
    "wayne": "enterprise",
    "globex": "professional",
    "stark": "professional",
    "wonka": "professional",
}
CUSTOMERS = sorted([*ASSIGNMENTS, EVIL])
BOUNDS = {  # search: customer → good events of 100,000, and the credit it earns
    "hooli": (99_000, 10),  # exactly 99%: not below the 99% bound, below 99.9%: 10
    "umbrella": (98_999, 25),  # just below 99%: 25
    "vandelay": (94_999, 100),  # just below 95%: 100
    "initrode": (99_900, 0),  # exactly at the 99.9% SLA: met, no credit (objective 99.95% missed)
    "stark": (99_499, 10),  # professional, just below its 99.5% SLA: 10
    "wonka": (99_500, 0),  # professional, exactly at its SLA: met, no credit
}
MAINTENANCE_REASON = "payment gateway migration"


# --- the data set --------------------------------------------------------------------------


class StubSource:
    def __init__(self, frame: pd.DataFrame):
        self.frame = frame

    def fetch(self, config, start, end):
        return EventCounts(frame=self.frame, step=timedelta(minutes=5), start=start, end=end, description="stub")


def _frame() -> pd.DataFrame:
    rows = []

    def add(at, service, customer, good, total, slo="availability"):
        rows.append((at, service, slo, customer, good, total))

    at = datetime(2026, 9, 28, tzinfo=UTC)  # from before the look-back
    while at < datetime(2026, 11, 1, tzinfo=UTC):
        add(at, "checkout-api", "globex", 2000, 2000)
        add(at, "search", "globex", 2000, 2000)
        add(at, "checkout-api", "", 10, 10, "latency")
        at += timedelta(minutes=5)
    outage = datetime(2026, 10, 5, 8, tzinfo=UTC)
    for i in range(100):  # acme: 1,500 bad of 100,000 on checkout only
        add(outage + timedelta(minutes=5 * i), "checkout-api", "acme", 900 if i < 15 else 1000, 1000)
        add(outage + timedelta(minutes=5 * i), "search", "acme", 1000, 1000)
    add(datetime(2026, 9, 30, 22, 30, tzinfo=UTC), "checkout-api", "acme", 0, 5000)  # 00:30 CEST, in maintenance
    add(datetime(2026, 10, 12, tzinfo=UTC), "checkout-api", EVIL, 500, 500)
    for customer, (good, _) in BOUNDS.items():
        add(datetime(2026, 10, 20, 12, tzinfo=UTC), "search", customer, good, 100_000)
    frame = pd.DataFrame(rows, columns=["timestamp", "service", "slo", "customer", "good", "total"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    return frame


def _config(**customers):
    return make_config(
        None,
        title="Northwind Cloud",
        timezone="Europe/Berlin",
        customers={"default_tier": "free", "tiers": TIERS, "assignments": ASSIGNMENTS, **customers},
        services=[
            {
                "name": "checkout-api",
                "description": "Checkout for the web shop",
                "slos": [
                    {
                        "name": "availability",
                        "objective": 0.999,
                        "sla": True,
                        "description": "Checkouts without a 5xx error.",
                    },
                    {"name": "latency", "objective": 0.99},
                ],
                "maintenance": [
                    {
                        "start": "2026-09-30T20:00:00Z",
                        "end": "2026-09-30T23:00:00Z",
                        "reason": MAINTENANCE_REASON,
                        "announced": "2026-09-25",
                    }
                ],
            },
            {
                "name": "search",
                "slos": [
                    {"name": "availability", "objective": 0.999, "sla": True, "description": "Searches answered."}
                ],
            },
        ],
    )


RUN_AT = datetime(2026, 11, 2, 6, tzinfo=UTC)


@pytest.fixture(scope="module")
def report():
    return build_month(_config(), StubSource(_frame()), Month(2026, 10), RUN_AT)


@pytest.fixture(scope="module")
def files(report):
    return render_documents(report)


# --- helpers -------------------------------------------------------------------------------


def text_of(markup: str) -> str:
    markup = re.sub(r"<style.*?</style>", " ", markup, flags=re.S)
    markup = re.sub(r"<title>.*?</title>", " ", markup, flags=re.S)
    text = re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", markup))).strip()
    return re.sub(r" ([;:,.])(?=\s|$)", r"\1", text)  # "<b>SLA</b>;" reads "SLA;"


def section(markup: str, cls: str, anchor: str) -> str:
    match = re.search(rf'<section class="{cls}[^"]*" id="{re.escape(anchor)}">(.*?)</section>', markup, flags=re.S)
    assert match, f"no {cls} section {anchor}"
    return match[1]


def rows_of(markup: str, table_class: str) -> list[str]:
    table = re.search(rf'<table class="data {table_class}">.*?<tbody>(.*?)</tbody>', markup, flags=re.S)
    assert table, table_class
    return [text_of(row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table[1], flags=re.S)]


def slo(report, service: str, name: str = "availability"):
    return next(a.result for a in report.service(service).slos if a.result.slo == name)


# --- the data set is what the documents claim ----------------------------------------------


def test_the_data_set_has_a_tenant_only_breach_and_every_bound(report):
    checkout = slo(report, "checkout-api")
    assert checkout.status == "met" and checkout.sli > 0.999  # the service as a whole is fine
    acme = checkout.customers.customers[0]
    assert (acme.customer, acme.sli, acme.sla_met, acme.credit_percent) == ("acme", 0.985, False, 25)
    assert checkout.customers.unassigned == (EVIL,)
    search = {c.customer: c for c in slo(report, "search").customers.customers}
    for customer, (good, credit) in BOUNDS.items():
        assert search[customer].sli == good / 100_000 and search[customer].credit_percent == credit, customer
    assert slo(report, "search").status == "met"
    assert statement_customers(report) == tuple(CUSTOMERS)


# --- the service document ------------------------------------------------------------------


def test_customers_section_has_the_tier_table_then_the_breaching_customer_first(files):
    markup = files["checkout-api.html"].decode()
    customers = section(markup, "customers", "slo-1-availability-customers")
    assert rows_of(customers, "tiers") == [
        "enterprise 99.95% 99.9% 6 0 1 5 1 acme 25%",
        "professional 99.9% 99.5% 3 1 0 2 0 none",
        "free 99% no SLA 1 1 0 0 – none",
    ]
    troubled = rows_of(customers, "troubled")
    assert troubled == ["acme enterprise 100,000 98.500% missed 99.95% breached 99.9% 25%"]
    text = text_of(customers)
    assert (
        "The SLO as a whole was met (SLI 99.99%). 10 customers: 1 breached its SLA; credits owed: acme 25% of the month’s fee."
        in text
    )
    assert f"Unassigned {EVIL} (not in the assignments; reported under the default tier free)" in text
    assert (
        "No traffic hooli, initrode, stark, umbrella, vandelay, wayne, wonka (assigned, no events this month: "
        "no data, not counted as met)"
    ) in text
    assert "Met, nothing owed 2 customers" in text  # globex and the unassigned customer
    # Only SLA-covered SLOs get one; it follows its SLO's section and starts a page of its own.
    assert markup.count('<section class="customers"') == 1  # flows after its SLO: no half-empty page before it
    assert (
        markup.index('id="slo-1-availability"')
        < markup.index('id="slo-1-availability-customers"')
        < markup.index('id="slo-2-latency"')
    )
    first_page = text_of(markup.split('<section class="slo')[0])
    assert (
        "Customers and SLA credits availability: 10 customers; 1 breached its SLA; credits owed: acme 25%."
        in first_page
    )


def test_credit_bounds_worst_first_without_rounding_onto_a_bound(files):
    customers = section(files["search.html"].decode(), "customers", "slo-1-availability-customers")
    assert rows_of(customers, "troubled") == [
        "vandelay enterprise 100,000 94.999% missed 99.95% breached 99.9% 100%",
        "umbrella enterprise 100,000 98.999% missed 99.95% breached 99.9% 25%",
        "hooli enterprise 100,000 99.000% missed 99.95% breached 99.9% 10%",
        "stark professional 100,000 99.499% missed 99.9% breached 99.5% 10%",
        "wonka professional 100,000 99.500% missed 99.9% met 99.5% 0%",
        "initrode enterprise 100,000 99.900% missed 99.95% met 99.9% 0%",
    ]
    assert rows_of(customers, "tiers")[0] == "enterprise 99.95% 99.9% 6 1 4 1 3 vandelay 100%, umbrella 25%, hooli 10%"
    assert "Unassigned none" in text_of(customers)


def test_the_service_pdf_carries_the_customers_page(files):
    reader = PdfReader(io.BytesIO(files["checkout-api.pdf"]))
    pages = [page.extract_text() for page in reader.pages]
    customers = [i for i, text in enumerate(pages) if "Customers of availability" in text]
    assert len(customers) == 1
    page = re.sub(r"\s+", " ", pages[customers[0]])
    assert "checkout-api / availability" not in page  # a page of its own
    assert "acme enterprise 100,000 98.500% missed 99.95% breached 99.9% 25%" in page


def test_maintenance_straddling_the_month_start_is_clipped_and_counted_inside_only(files, report):
    markup = files["checkout-api.html"].decode()
    rows = rows_of(markup, "maintenance")
    # 22:00 CEST on 30 Sep to 01:00 CEST, clipped to the window's start (00:00 CEST); events before it are not counted:
    # 12 steps of globex (24,000) and acme's 5,000 bad ones; latency's 12 steps of 10.
    assert rows == [
        f"01 Oct 00:00–01:00 CEST clipped at the window’s start {MAINTENANCE_REASON} 25 Sep 2026 "
        "availability: 29,000 (5,000 bad) latency: 120"
    ]
    sections = re.findall(r'<section class="slo[^"]*" id="([^"]+)">(.*?)</section>', markup, flags=re.S)
    for _, body in sections:
        assert "Excluded maintenance 60 min" in text_of(body)
    assert "Excluded maintenance 60 min 29,000 events in 1 window, not counted" in text_of(sections[0][1])
    assert "Excluded maintenance 60 min 120 events in 1 window, not counted" in text_of(sections[1][1])
    assert slo(report, "checkout-api").downtime.excluded_minutes == 60
    # Without maintenance there is neither a table nor a key figure.
    search = files["search.html"].decode()
    assert "Maintenance excluded" not in search and "Excluded maintenance" not in text_of(
        search.split('<section class="appendix">')[0]
    )


def test_glossary_defines_the_customer_and_maintenance_terms(files):
    text = text_of(files["search.html"].decode().split('id="glossary"')[1])
    for phrase in (
        "Customer SLI customer SLI = Σ good / Σ total",
        "Tier objective",
        "SLA; SLA breached",
        "customer SLI < SLA",
        "Credit",
        "the largest applicable credit wins",
        "percentage of the customer’s fee",
        "Unassigned customers; default tier",
        "reported under the default tier",
        "never as met",
        "Maintenance exclusion",
        "clipped to the window",
        "still use the whole window",
    ):
        assert phrase in text, phrase


# --- the customer statements ---------------------------------------------------------------


def test_a_statement_for_every_customer_under_a_safe_unique_name(files):
    statements = {name for name in files if name.startswith("customers/")}
    assert statements == {f"customers/{file_stem(c)}.pdf" for c in CUSTOMERS}
    assert "customers/b-evil-b.pdf" in statements
    assert all(pdf_pages(files[name]) == 1 for name in statements)


@pytest.mark.parametrize("customer", CUSTOMERS)
def test_each_statement_is_one_page_about_its_customer_only(files, report, customer):
    data = files[statement_names(CUSTOMERS)[customer]]
    assert pdf_pages(data) == 1
    text = pdf_text(data)
    assert customer in text and "Northwind Cloud" in text and "October 2026" in text
    assert "01 Oct 2026 00:00 CEST – 01 Nov 2026 00:00 CET" in text
    others = [c for c in CUSTOMERS if c != customer]
    leaked = [c for c in others if c in text]
    assert leaked == [], f"{customer}'s statement names {leaked}"
    # Nothing service-wide (totals, SLIs, excluded events) and nothing internal (objectives, zones).
    for service in report.services:
        for assessed in service.slos:
            r = assessed.result
            assert f"{r.total_events:,}" not in text
            if r.sli is not None and r.sli < 1:
                assert fmt.sli(r.sli, r.objective) not in text
            for exclusion in r.exclusions:
                assert f"{exclusion.excluded_total:,}" not in text
    for internal in ("99.95%", "zone", "objective", "budget", "green", "stub"):
        assert internal not in text.lower(), internal
    # The checkout-api maintenance window, as every SLA customer of checkout-api sees it.
    assert f"checkout-api 01 Oct 00:00–01:00 CEST from the start of the period {MAINTENANCE_REASON} 25 Sep 2026" in text


def test_the_breaching_customer_statement_names_sla_measured_and_credit(files):
    text = pdf_text(files["customers/acme.pdf"])
    assert "Plan enterprise" in text
    assert "Service credit owed 25% of the month’s fee for checkout-api availability." in text
    assert "checkout-api · availability Checkouts without a 5xx error. 99.9% 98.500% not met 25% of the fee" in text
    assert "search · availability Searches answered. 99.9% 100.000% met none" in text


@pytest.mark.parametrize("customer", sorted(BOUNDS))
def test_statements_at_and_just_below_the_bounds(files, report, customer):
    good, credit = BOUNDS[customer]
    text = pdf_text(files[f"customers/{customer}.pdf"])
    sla = "99.5%" if ASSIGNMENTS[customer] == "professional" else "99.9%"
    measured = customer_sli(good / 100_000, 0.995 if sla == "99.5%" else 0.999)
    assert measured == f"{good / 1000:.3f}%"
    if credit:
        assert f"search · availability Searches answered. {sla} {measured} not met {credit}% of the fee" in text
        assert f"Service credit owed {credit}% of the month’s fee for search availability." in text
    else:
        assert f"search · availability Searches answered. {sla} {measured} met none" in text
        assert "All committed levels met" in text and "Service credit owed" not in text
    assert (
        f"checkout-api · availability Checkouts without a 5xx error. {sla} no traffic recorded not measured not computed"
        in text
    )


def test_a_customer_without_traffic_gets_no_traffic_recorded_and_no_credit(files):
    text = pdf_text(files["customers/wayne.pdf"])
    assert "No traffic recorded" in text and "no service credit was computed" in text
    assert text.count("no traffic recorded") == 2 and text.count("not computed") == 2
    assert "Service credit owed" not in text and "All committed levels met" not in text
    assert not re.search(r"\d+% of the (month’s )?fee", text)


def test_an_unassigned_customer_without_sla_and_a_hostile_name(files, report):
    text = pdf_text(files["customers/b-evil-b.pdf"])
    assert f"{EVIL} · October 2026" in text and f"Customer {EVIL} Plan free" in text
    assert "No service level agreement on this plan" in text
    assert (
        "checkout-api · availability Checkouts without a 5xx error. none on this plan 100.000% no commitment not applicable"
        in text
    )
    assert "search" not in text  # never seen on search: no line for it
    for markup in (
        render_statement_html(report, EVIL),
        files["checkout-api.html"].decode(),
        files["index.html"].decode(),
    ):
        assert EVIL not in markup and "&lt;b&gt;evil&lt;/b&gt;" in markup
    assert EVIL in pdf_text(files["checkout-api.pdf"])


def test_statement_names_never_collide():
    names = statement_names(["Acme", "acme", "a/b", "a-b", "x" * 300, "<b>evil</b>", "umbrella"])
    assert len(set(n.lower() for n in names.values())) == 7
    assert names["umbrella"] == "customers/umbrella.pdf" and names["<b>evil</b>"] == "customers/b-evil-b.pdf"
    assert names["Acme"] != names["acme"] and names["Acme"].startswith("customers/Acme-")
    assert names["a/b"].startswith("customers/a-b-") and names["a-b"].startswith("customers/a-b-")
    assert len(names["x" * 300]) < 110
    assert names == statement_names(reversed(list(names)))  # the same names whatever the order
    for name in names.values():
        assert re.fullmatch(r"customers/[A-Za-z0-9._-]+\.pdf", name) and "/." not in name


# --- index and summary ---------------------------------------------------------------------


def test_summary_and_index_list_the_credits_largest_first(files, report):
    summary = pdf_text(files["summary.pdf"])
    assert pdf_pages(files["summary.pdf"]) == 1
    assert (
        "SLA credits Customer Tier Service / SLO Customer SLI SLA Credit owed "
        "vandelay enterprise search / availability 94.999% 99.9% 100% "
        "acme enterprise checkout-api / availability 98.500% 99.9% 25% "
        "umbrella enterprise search / availability 98.999% 99.9% 25% "
        "hooli enterprise search / availability 99.000% 99.9% 10% "
        "stark professional search / availability 99.499% 99.5% 10%"
    ) in summary
    assert "5 customers owed credits" in summary
    index = files["index.html"].decode()
    assert rows_of(index, "credits-table")[0] == "vandelay enterprise search / availability 94.999% 99.9% 100%"
    assert 'href="customers/vandelay.pdf"' in index and 'href="customers/b-evil-b.pdf"' in index
    assert 'href="credits.csv"' in index


def test_summary_keeps_one_page_by_cutting_the_credits(report):
    markup = render_summary_html(report)
    assert len(rows_of(markup, "credits-table")) == 5
    many = dataclasses.replace(report, services=report.services * 3)  # 15 credits
    text = text_of(render_summary_html(many))
    assert "9 more credits in credits.csv" in text


def test_no_credits_and_no_tiers(report):
    paid = _config()
    quiet = build_month(paid, StubSource(_frame().query("customer in ['globex', '']")), Month(2026, 10), RUN_AT)
    for markup in (render_summary_html(quiet), render_index_html(quiet)):
        assert "No SLA credits owed this month" in text_of(markup)
    silent = build_month(paid, StubSource(_frame().query("slo == 'latency'")), Month(2026, 10), RUN_AT)
    customers = text_of(section(render_service_html(silent, "search"), "customers", "slo-1-availability-customers"))
    assert "The SLO as a whole has no data. 9 customers: no SLA breached; no credits owed." in customers
    assert (
        "No customer had traffic this month: no customer SLI, nothing met or breached, no credit computed." in customers
    )
    assert "Met, nothing owed 0 customers" in customers
    plain = make_config(None, title="Plain")
    bare = build_month(
        plain, StubSource(_frame().assign(service="api").query("slo == 'availability'")), Month(2026, 10), RUN_AT
    )
    for markup in (render_summary_html(bare), render_index_html(bare), render_service_html(bare, "api")):
        assert "SLA credits" not in markup and "Customers" not in text_of(markup).split("Glossary")[0]


# --- the example month ---------------------------------------------------------------------


def test_example_umbrella_is_owed_ten_percent_and_wayne_had_no_traffic(example_files):
    umbrella = pdf_text(example_files["customers/umbrella.pdf"])
    assert pdf_pages(example_files["customers/umbrella.pdf"]) == 1
    # how much (umbrella's own fee, EUR 18,000), how to claim, and when it happened (its own outages)
    assert (
        "Service credit owed 10% of the month’s fee (EUR 1,800.00) for Inference API Availability. "
        "Total credit owed: EUR 1,800.00. To claim it: Reply to this statement within 30 days" in umbrella
    )
    assert (
        "Inference API · Availability Requests answered without a 5xx error. 99.9% 99.857% not met 10% of the fee"
        in umbrella
    )
    assert "Inference API · Availability 22 Oct 14:00–14:40 UTC 40 min 25.7%" in umbrella
    assert "Inference API · Availability 27 Oct 18:00–19:30 UTC 90 min 24.9%" in umbrella
    assert "Questions: SLA desk, sla@ml-platform.example." in umbrella
    assert "Inference API 10 Oct 02:00–03:00 UTC planned database upgrade 06 Oct 2026" in umbrella
    assert "model-api" not in umbrella  # customers read display names
    for other in ("acme", "globex", "initech", "wayne"):
        assert other not in umbrella
    wayne = pdf_text(example_files["customers/wayne.pdf"])
    assert pdf_pages(example_files["customers/wayne.pdf"]) == 1
    assert "No traffic recorded" in wayne and "Plan standard" in wayne and "% of the fee" not in wayne
    summary = pdf_text(example_files["summary.pdf"])
    assert "SLA credits" in summary and "umbrella enterprise model-api / availability 99.857% 99.9% 10%" in summary
    assert pdf_pages(example_files["summary.pdf"]) == 1
    model_api = pdf_text(example_files["model-api.pdf"])
    assert "Excluded maintenance 60 min" in model_api and "planned database upgrade" in model_api
    assert "Excluded maintenance" not in pdf_text(example_files["feature-store.pdf"]).split("Glossary")[0]


def test_a_statement_with_many_service_levels_still_fits_one_page():
    """Four services of two SLA-covered SLOs each, sharing two long-winded maintenance windows:
    too much for the normal type, so the statement is set tighter rather than run over."""
    from reports.render import statement_pdf
    from reports.render.context import document_meta

    long_name = "Very-Long-Customer-Name-" * 8 + "<script>x</script>"
    reason = "planned database upgrade, with a reason long enough to need two lines in its column"
    config = make_config(
        None,
        title="Northwind Cloud",
        timezone="Europe/Berlin",
        customers={
            "default_tier": "free",
            "tiers": TIERS,
            "assignments": {long_name: "enterprise", "acme": "enterprise"},
        },
        services=[
            {
                "name": f"svc-{i}",
                "description": "A service",
                "slos": [
                    {
                        "name": "availability",
                        "objective": 0.999,
                        "sla": True,
                        "description": "Requests answered without an error, measured at the load balancer.",
                    },
                    {
                        "name": "latency",
                        "objective": 0.99,
                        "sla": True,
                        "description": "Requests answered within 300 ms.",
                    },
                ],
                "maintenance": [
                    {
                        "start": f"2026-10-{10 + j}T01:00:00Z",
                        "end": f"2026-10-{10 + j}T03:30:00Z",
                        "reason": reason,
                        "announced": "2026-10-01",
                    }
                    for j in range(2)
                ],
            }
            for i in range(4)
        ],
    )
    frame = pd.DataFrame(
        [
            (datetime(2026, 10, 20, tzinfo=UTC), f"svc-{i}", slo, customer, 99_000, 100_000)
            for i in range(4)
            for slo in ("availability", "latency")
            for customer in (long_name, "acme")
        ],
        columns=["timestamp", "service", "slo", "customer", "good", "total"],
    )
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    report = build_month(config, StubSource(frame), Month(2026, 10), RUN_AT)
    name = statement_names(statement_customers(report))[long_name]
    assert re.fullmatch(r"customers/Very-Long-Customer-Name-[A-Za-z-]+-[0-9a-f]{8}\.pdf", name) and len(name) < 110
    data = statement_pdf(report, long_name, document_meta(report), name)
    assert pdf_pages(data) == 1
    text = pdf_text(data)
    assert "10% of the month’s fee for svc-0 availability, svc-0 latency, svc-1 availability" in text
    assert text.count("10% of the fee") == 8 and "acme" not in text
    assert text.count("svc-0, svc-1, svc-2, svc-3") == 2  # one row per window, not per service


class _FailingSearch(StubSource):
    """The source could not count search/availability this month."""

    def fetch(self, config, start, end):
        counts = super().fetch(config, start, end)
        return dataclasses.replace(counts, problems={("search", "availability"): "search/availability: query failed"})


def test_an_sla_slo_the_source_could_not_count_is_unavailable_on_the_statement_not_omitted():
    failed = build_month(_config(), _FailingSearch(_frame()), Month(2026, 10), RUN_AT)
    assert slo(failed, "search").customers is None and slo(failed, "search").sla
    customer = statement_customers(failed)[0]
    text = text_of(render_statement_html(failed, customer))
    assert "Statement incomplete" in text
    assert re.search(r"search · availability .*measurement unavailable", text)
