"""The one set of number-formatting rules, checked against literal strings written by hand."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reports import format as fmt


@pytest.mark.parametrize(
    ("value", "objective", "text"),
    [
        (0.99930, 0.999, "99.93%"),  # one decimal more than the objective
        (0.97100, 0.95, "97.10%"),  # at least two decimals
        (0.93500, 0.95, "93.50%"),
        (0.9999710, 0.9999, "99.997%"),
        (0.99750, 0.99, "99.75%"),
        (0.998999, 0.999, "99.89%"),  # cut, never rounded up to the objective
        (0.94999, 0.95, "94.99%"),
        (1.0, 0.999, "100.00%"),
        (None, 0.999, "n/a"),
        (float("nan"), 0.999, "n/a"),
        (0.9993, None, "99.930%"),  # no objective: three decimals
    ],
)
def test_sli_is_cut_to_one_decimal_more_than_its_objective(value, objective, text):
    assert fmt.sli(value, objective) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.7049, "70.4%"),  # cut: a zone boundary is never reached by rounding
        (0.2953, "29.5%"),
        (0.74999, "74.9%"),
        (1.2903, "129.0%"),
        (0.1, "10.0%"),
        (0.0, "0.0%"),
        (-0.2903, "−29.1%"),  # towards minus infinity: never less overspent than it is
        (None, "n/a"),
    ],
)
def test_share_has_one_decimal_cut_down(value, text):
    assert fmt.share(value) == text


@pytest.mark.parametrize(
    ("value", "text"), [(0.999, "99.9%"), (0.95, "95%"), (0.9999, "99.99%"), (0.75, "75%"), (0.2, "20%")]
)
def test_objectives_and_bounds_are_written_as_given(value, text):
    assert fmt.objective(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.000297, "+0.030 pp"), (-0.0145, "−1.5 pp"), (0.0, "0.0 pp"), (0.021, "+2.1 pp"), (None, "n/a")],
)
def test_margin_in_signed_percentage_points(value, text):
    assert fmt.points(value) == text


@pytest.mark.parametrize(
    ("value", "text"), [(1723902.51, "1,723,902"), (17239, "17,239"), (0, "0"), (4.99, "4"), (None, "n/a")]
)
def test_counts_are_whole_with_separators(value, text):
    assert fmt.count(value) == text


@pytest.mark.parametrize(("value", "text"), [(10.0, "10%"), (12.5, "12.5%"), (100, "100%"), (None, "n/a")])
def test_credits_as_agreed(value, text):
    assert fmt.credit(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(44.64, "44.6 min"), (4.32, "4.3 min"), (40, "40 min"), (125, "2 h 05 min"), (2000, "1 d 09 h 20 min")],
)
def test_minutes(value, text):
    assert fmt.minutes(value) == text


def test_burn_and_window_names():
    assert fmt.burn(14.4) == "14.4×"
    assert fmt.burn(None) == "n/a"
    assert (fmt.window_name(60), fmt.window_name(4320), fmt.window_name(30)) == ("1h", "3d", "30m")


def test_customer_sli_never_reaches_a_bound_it_missed():
    assert fmt.customer_sli(0.98999, 0.99) == "98.999%"
    assert fmt.customer_sli(0.99857, 0.999, 0.9995) == "99.857%"
    assert fmt.customer_sli(0.999949, 0.99995) == "99.9949%"


def test_spans_in_the_report_zone():
    start = datetime(2026, 10, 14, 2, 10, tzinfo=UTC)
    assert fmt.short_span(start, datetime(2026, 10, 14, 3, 5, tzinfo=UTC), "UTC") == "14 Oct 02:10–03:05 UTC"
    assert (
        fmt.short_span(start, datetime(2026, 10, 15, 0, 5, tzinfo=UTC), "America/New_York")
        == "13 Oct 22:10–14 Oct 20:05 EDT"
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.70497, "70.5%"), (0.2903, "29.1%"), (1.2903, "129.1%"), (0.2, "20.0%"), (0.0, "0.0%"), (None, "n/a")],
)
def test_used_is_rounded_up_so_left_and_used_add_up(value, text):
    assert fmt.used(value) == text


def test_budget_left_and_used_always_read_100_percent():
    for consumed in (0.70497, 0.123456, 0.999999, 0.25, 0.7499):
        left, spent = fmt.share(1 - consumed), fmt.used(consumed)
        assert float(left[:-1]) + float(spent[:-1]) == pytest.approx(100.0), (left, spent)
