"""Contexts for the customer side of the documents: a service report's Customers sections and
maintenance table, the SLA credits of the index and the summary, and the one-page SLA
statement each customer gets.

A statement is customer-facing: its context carries only that customer's own figures, the
service and SLO names and descriptions, and the maintenance windows (without their event
counts, which are service-wide). Nothing in it can name another customer or show an internal
objective, because nothing of that kind is put into it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from ..compute.customers import CustomerResult, CustomerResults, Exclusion, TierSummary
from ..compute.results import SloResult
from ..naming import file_stem, hashed_stem
from ..policy import ServiceAssessment
from ..report import MonthReport
from .meta import DocumentMeta

STATEMENT_FOLDER = "customers"
"""Customer names come from the data: a longer stem is cut and made unique with a hash."""
SUMMARY_CREDITS = 6
"""The summary lists at most this many credits (largest first); the index and credits.csv list all."""


# --- maintenance ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MaintenanceWindow:
    """An announced maintenance window as a customer may read it: no event counts."""

    start: datetime
    end: datetime
    """Both clipped to the report window."""
    reason: str
    announced: date | None
    from_window_start: bool
    """It starts exactly where the report window starts: it may have begun earlier (clipped)."""
    to_window_end: bool
    """It ends exactly where the report window ends: it may go on after it (clipped)."""


@dataclass(frozen=True)
class ExcludedEvents:
    slo: str
    total_events: int
    bad_events: int


@dataclass(frozen=True)
class MaintenanceRow:
    """A window on the service report, with the events each SLO excluded in it."""

    window: MaintenanceWindow
    excluded: tuple[ExcludedEvents, ...]


def _window_of(exclusion: Exclusion, meta: DocumentMeta) -> MaintenanceWindow:
    return MaintenanceWindow(
        start=exclusion.start,
        end=exclusion.end,
        reason=exclusion.reason,
        announced=exclusion.announced,
        from_window_start=exclusion.start == meta.window_start,
        to_window_end=exclusion.end == meta.window_end,
    )


def _key(exclusion: Exclusion) -> tuple:
    return exclusion.start, exclusion.end, exclusion.reason, exclusion.announced


def maintenance_rows(service: ServiceAssessment, meta: DocumentMeta) -> tuple[MaintenanceRow, ...]:
    """The service's maintenance windows inside the report window, in time order; all SLOs of a
    service share them, each with the events it excluded."""
    windows: dict[tuple, tuple[Exclusion, list[ExcludedEvents]]] = {}
    for assessed in service.slos:
        for exclusion in assessed.result.exclusions:
            entry = windows.setdefault(_key(exclusion), (exclusion, []))
            entry[1].append(
                ExcludedEvents(
                    assessed.result.slo, exclusion.excluded_total, exclusion.excluded_total - exclusion.excluded_good
                )
            )
    return tuple(
        MaintenanceRow(_window_of(exclusion, meta), tuple(excluded))
        for exclusion, excluded in sorted(windows.values(), key=lambda item: item[0].start)
    )


def maintenance_windows(service: ServiceAssessment, meta: DocumentMeta) -> tuple[MaintenanceWindow, ...]:
    return tuple(row.window for row in maintenance_rows(service, meta))


# --- the service report's Customers section ------------------------------------------------


@dataclass(frozen=True)
class CustomersSection:
    anchor: str
    service: str
    slo: str
    slo_anchor: str
    tiers: tuple[TierSummary, ...]
    troubled: tuple[CustomerResult, ...]
    """Out of their tier's objective, in breach of their SLA or owed a credit; worst first."""
    customers: int
    with_traffic: int
    fine: int
    """Customers with traffic that met their objective and are owed nothing."""
    default_tier: str | None
    """The tier unassigned customers are reported under (None when every customer is assigned)."""
    unassigned: tuple[str, ...]
    without_traffic: tuple[str, ...]
    """Assigned customers with no events: "no data", never "met"."""
    breached: int
    credits: tuple[tuple[str, str, float], ...]
    """(customer, tier, credit percent), largest first."""


def _troubled(c: CustomerResult) -> bool:
    return c.objective_met is False or c.sla_met is False or bool(c.credit_percent)


def customers_section(result: SloResult, service: str, slo_anchor: str) -> CustomersSection | None:
    results: CustomerResults | None = result.customers
    if results is None:
        return None
    troubled = tuple(c for c in results.customers if _troubled(c))
    unassigned = set(results.unassigned)
    default_tier = next((c.tier for c in results.customers if c.customer in unassigned), None)
    credits = sorted(
        ((c.customer, c.tier, c.credit_percent) for c in results.customers if c.credit_percent),
        key=lambda item: (-item[2], item[0]),
    )
    return CustomersSection(
        anchor=f"{slo_anchor}-customers",
        service=service,
        slo=result.slo,
        slo_anchor=slo_anchor,
        tiers=results.tiers,
        troubled=troubled,
        customers=len(results.customers),
        with_traffic=sum(c.total_events > 0 for c in results.customers),
        fine=sum(c.objective_met is True and not _troubled(c) for c in results.customers),
        default_tier=default_tier,
        unassigned=results.unassigned,
        without_traffic=results.without_traffic,
        breached=sum(c.sla_met is False for c in results.customers),
        credits=tuple(credits),
    )


# --- statement file names ------------------------------------------------------------------


def statement_names(customers: Iterable[str]) -> dict[str, str]:
    """Customer → its statement's path in the month folder, ``customers/<stem>.pdf``.

    The stem is ``file_stem(customer)``. Two customers must never share a file (one would get
    the other's statement), so stems that collide, even only by case (``Acme``, ``acme``), get
    a hash of the full name appended; so do stems longer than ``MAX_STEM``.
    """
    names = sorted(set(customers))
    stems = {name: file_stem(name) for name in names}
    for length in (8, 16, 64):  # a longer hash each round: distinct names end distinct
        seen: dict[str, list[str]] = {}
        for name, stem in stems.items():
            seen.setdefault(stem.lower(), []).append(name)
        clashes = [name for group in seen.values() if len(group) > 1 for name in group]
        if not clashes:
            break
        for name in clashes:
            stems[name] = hashed_stem(name, length)
    return {name: f"{STATEMENT_FOLDER}/{stem}.pdf" for name, stem in stems.items()}


def statement_customers(report: MonthReport) -> tuple[str, ...]:
    """Every customer that appears in any SLA-covered SLO's results, sorted."""
    return tuple(
        sorted(
            {
                c.customer
                for service in report.services
                for assessed in service.slos
                if assessed.result.customers is not None
                for c in assessed.result.customers.customers
            }
        )
    )


# --- SLA credits (index and summary) -------------------------------------------------------


@dataclass(frozen=True)
class CreditRow:
    customer: str
    tier: str
    service: str
    slo: str
    sli: float | None
    sla: float | None
    credit_percent: float
    statement: str
    """The customer's statement, relative to the month folder."""


@dataclass(frozen=True)
class Credits:
    has_sla: bool
    """At least one SLO is SLA-covered (customer tiers are configured)."""
    rows: tuple[CreditRow, ...]
    """Largest credit first."""
    customers: int
    """Customers owed at least one credit."""
    statements: tuple[tuple[str, str], ...]
    """(customer, statement path) for every customer statement."""


def credits_of(report: MonthReport) -> Credits:
    names = statement_names(statement_customers(report))
    rows = [
        CreditRow(
            c.customer, c.tier, service.name, assessed.result.slo, c.sli, c.sla, c.credit_percent, names[c.customer]
        )
        for service in report.services
        for assessed in service.slos
        if assessed.result.customers is not None
        for c in assessed.result.customers.customers
        if c.credit_percent
    ]
    rows.sort(key=lambda r: (-r.credit_percent, r.customer, r.service, r.slo))
    has_sla = any(a.result.customers is not None for s in report.services for a in s.slos)
    return Credits(
        has_sla=has_sla, rows=tuple(rows), customers=len({r.customer for r in rows}), statements=tuple(names.items())
    )


# --- the customer statement ----------------------------------------------------------------


@dataclass(frozen=True)
class StatementLine:
    """One SLA-covered SLO as this customer experienced it; nothing service-wide."""

    slo: str
    description: str
    sla: float | None
    """The committed level; None when the customer's plan has no SLA."""
    sli: float | None
    """The customer's own measured level; None: no traffic recorded."""
    sla_met: bool | None
    credit_percent: float | None
    unavailable: bool = False
    """The source could not count this SLO this month: nothing was measured, for anyone."""

    @property
    def has_traffic(self) -> bool:
        return self.sli is not None


@dataclass(frozen=True)
class StatementService:
    name: str
    description: str
    lines: tuple[StatementLine, ...]


@dataclass(frozen=True)
class StatementMaintenance:
    """A maintenance window and the statement's services it covered (often one window covers several)."""

    window: MaintenanceWindow
    services: tuple[str, ...]


@dataclass(frozen=True)
class StatementCorrection:
    """A budget correction (an approved exclusion after the fact) on one of the statement's service
    levels: the customer's figures leave its span out too, so the statement must say so."""

    start: datetime
    end: datetime
    title: str
    service_levels: tuple[str, ...]
    """``service · slo`` (display names) of every line it applied to."""


@dataclass(frozen=True)
class StatementCredit:
    percent: float
    service_levels: tuple[str, ...]
    """``service slo`` of every line owed this credit."""
    amount: str = ""
    """With a fee: the credit as an amount (``EUR 1,200.00``), for every line owed this percentage."""


@dataclass(frozen=True)
class StatementOutage:
    """A period the customer's own requests failed at the outage rate (compute.outages)."""

    service: str
    slo: str
    start: datetime
    end: datetime
    duration_minutes: float
    error_rate: float
    """The customer's own failed / total requests in the period."""
    min_burn_rate: float
    min_minutes: float


def money(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount:,.2f}".strip()


@dataclass(frozen=True)
class CustomerStatement:
    meta: DocumentMeta
    customer: str
    tier: str
    file_name: str
    services: tuple[StatementService, ...]
    maintenance: tuple[StatementMaintenance, ...]
    """In time order."""
    credits: tuple[StatementCredit, ...]
    """Grouped by percentage, largest first."""
    has_sla: bool
    """At least one line carries a committed level."""
    has_traffic: bool
    """At least one line has traffic."""
    breached: int
    """Lines with traffic below the committed level."""
    unavailable: int = 0
    """Lines whose measurement failed this month (a corrected statement follows)."""
    compact: bool = False
    """Tighter type, for a statement that would not fit one page otherwise."""
    outages: tuple[StatementOutage, ...] = ()
    """In time order."""
    corrections: tuple[StatementCorrection, ...] = ()
    """In time order; empty when no correction touched the customer's service levels."""
    fee: str = ""
    """The month's fee as configured (empty without one)."""
    credit_total: str = ""
    """With a fee: the credits' sum as an amount, at most the fee."""
    claim: str = ""
    contact: str = ""
    default_tier: bool = False
    """The customer has no tier assignment: its figures use the default tier's terms."""

    @property
    def lines(self) -> int:
        return sum(len(s.lines) for s in self.services)


def _plan_of(report: MonthReport, customer: str) -> tuple[str | None, float | None]:
    """The customer's tier and that tier's SLA, from whichever SLA SLO measured them."""
    for service in report.services:
        for assessed in service.slos:
            results = assessed.result.customers
            mine = None if results is None else next((c for c in results.customers if c.customer == customer), None)
            if mine is not None:
                return mine.tier, mine.sla
    return None, None


def customer_statement(
    report: MonthReport, customer: str, meta: DocumentMeta, file_name: str, compact: bool = False
) -> CustomerStatement:
    services = []
    windows: dict[tuple, tuple[MaintenanceWindow, list[str]]] = {}
    tier, committed = _plan_of(report, customer)
    terms = report.customer_terms

    def shown(service: str, slo: str | None = None) -> str:
        """The display name customers read."""
        if terms is None:
            return service if slo is None else slo
        return terms.service_names.get(service, service) if slo is None else terms.slo_names.get((service, slo), slo)

    outages = []
    corrected: dict[tuple, list[str]] = {}
    default_tier = False
    for service in report.services:
        lines = []
        for assessed in service.slos:
            results = assessed.result.customers
            if results is None and assessed.result.sla:
                lines.append(
                    StatementLine(
                        slo=shown(service.name, assessed.result.slo),
                        description=assessed.result.description,
                        sla=committed,
                        sli=None,
                        sla_met=None,
                        credit_percent=None,
                        unavailable=True,
                    )
                )
                continue
            mine = None if results is None else next((c for c in results.customers if c.customer == customer), None)
            if mine is None:
                continue
            tier = tier or mine.tier
            default_tier = default_tier or not mine.assigned
            outages += [
                StatementOutage(
                    shown(service.name),
                    shown(service.name, assessed.result.slo),
                    o.start,
                    o.end,
                    o.duration_minutes,
                    o.error_rate,
                    o.min_burn_rate,
                    o.min_minutes,
                )
                for o in assessed.result.customer_outages
                if o.customer == customer
            ]
            for correction in assessed.result.corrections:
                corrected.setdefault((correction.start, correction.end, correction.title), []).append(
                    f"{shown(service.name)} · {shown(service.name, assessed.result.slo)}"
                )
            lines.append(
                StatementLine(
                    slo=shown(service.name, assessed.result.slo),
                    description=assessed.result.description,
                    sla=mine.sla,
                    sli=mine.sli,
                    sla_met=mine.sla_met,
                    credit_percent=mine.credit_percent,
                )
            )
        if not lines:
            continue
        services.append(StatementService(shown(service.name), service.description, tuple(lines)))
        for window in maintenance_windows(service, meta):
            key = (window.start, window.end, window.reason, window.announced)
            windows.setdefault(key, (window, []))[1].append(shown(service.name))
    all_lines = [line for s in services for line in s.lines]
    by_percent: dict[float, list[str]] = {}
    for s in services:
        for line in s.lines:
            if line.credit_percent:
                by_percent.setdefault(line.credit_percent, []).append(f"{s.name} {line.slo}")  # display names
    fee = terms.fee_of(customer, tier or "") if terms is not None else None
    currency = terms.currency if terms is not None else ""
    credits = _credits(by_percent, fee, currency)
    owed = sum((_amount(fee, percent) * len(levels) for percent, levels in by_percent.items()), Decimal(0))
    return CustomerStatement(
        meta=meta,
        customer=customer,
        tier=tier or "",
        file_name=file_name,
        services=tuple(services),
        maintenance=tuple(
            StatementMaintenance(window, tuple(names))
            for window, names in sorted(windows.values(), key=lambda item: (item[0].start, item[0].end))
        ),
        credits=credits,
        has_sla=any(line.sla is not None for line in all_lines),
        has_traffic=any(line.has_traffic for line in all_lines),
        breached=sum(line.sla_met is False for line in all_lines),
        unavailable=sum(line.unavailable for line in all_lines),
        compact=compact,
        outages=tuple(sorted(outages, key=lambda o: (o.start, o.service, o.slo))),
        corrections=tuple(
            StatementCorrection(start, end, title, tuple(levels))
            for (start, end, title), levels in sorted(corrected.items())
        ),
        fee=money(Decimal(repr(fee)), currency) if fee is not None else "",
        credit_total=money(min(owed, Decimal(repr(fee))), currency) if fee is not None and by_percent else "",
        claim=terms.claim if terms is not None else "",
        contact=terms.contact if terms is not None else "",
        default_tier=default_tier,
    )


def _amount(fee: float | None, percent: float) -> Decimal:
    """percent % of the fee, to the cent (half up)."""
    if fee is None:
        return Decimal(0)
    return (Decimal(repr(fee)) * Decimal(repr(percent)) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _credits(by_percent: dict[float, list[str]], fee: float | None, currency: str) -> tuple[StatementCredit, ...]:
    return tuple(
        StatementCredit(
            percent,
            tuple(levels),
            money(_amount(fee, percent) * len(levels), currency) if fee is not None else "",
        )
        for percent, levels in sorted(by_percent.items(), reverse=True)
    )
