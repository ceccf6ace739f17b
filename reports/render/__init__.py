"""The render stage: a ``MonthReport`` in, every file of the month's folder out (in memory).

HTML and PDF come from the same templates (print CSS shapes the PDF); see
``environment.py`` for the Jinja setup, ``context.py`` for what each document is given,
``customers.py`` for the customer sections, credits and SLA statements, ``charts.py`` for the
SVG charts and ``pdf.py`` for WeasyPrint.
"""

from __future__ import annotations

from collections.abc import Callable

from ..export import credits_csv, report_json, slos_csv
from ..naming import file_stem
from ..report import MonthReport
from .context import DocumentMeta, document_meta, index_page, service_page, summary_page
from .customers import customer_statement, statement_customers, statement_names
from .environment import render
from .pdf import html_to_pdf, html_to_pdf_pages
from .postmortem import drafts_of

__all__ = [
    "render_documents",
    "render_service_html",
    "render_index_html",
    "render_summary_html",
    "render_statement_html",
    "statement_pdf",
    "statement_names",
]


def render_service_html(report: MonthReport, service_name: str) -> str:
    page = service_page(report, report.service(service_name))
    return render("service.html", page=page, meta=page.meta)


def render_index_html(report: MonthReport) -> str:
    page = index_page(report)
    return render("index.html", page=page, meta=page.meta)


def render_summary_html(report: MonthReport) -> str:
    page = summary_page(report)
    return render("summary.html", page=page, meta=page.meta)


def render_statement_html(report: MonthReport, customer: str) -> str:
    """The customer's one-page SLA statement (HTML; ``render_documents`` makes the PDF)."""
    name = statement_names(statement_customers(report))[customer]
    page = customer_statement(report, customer, document_meta(report), name)
    return render("statement.html", page=page, meta=page.meta)


def statement_pdf(report: MonthReport, customer: str, meta: DocumentMeta, name: str) -> bytes:
    """The statement as one page: one that runs over (many SLA-covered SLOs or maintenance
    windows) is rendered again with tighter type; the others are rendered once."""
    page = customer_statement(report, customer, meta, name)
    data, pages = html_to_pdf_pages(render("statement.html", page=page, meta=meta))
    if pages > 1:
        page = customer_statement(report, customer, meta, name, compact=True)
        data, pages = html_to_pdf_pages(render("statement.html", page=page, meta=meta))
    return data


def render_documents(report: MonthReport, progress: Callable[[str], None] = lambda message: None) -> dict[str, bytes]:
    """Every file of the month's folder, by name relative to the folder."""
    files: dict[str, bytes] = {"index.html": render_index_html(report).encode("utf-8")}
    meta = document_meta(report)
    total = len(report.services)
    for number, service in enumerate(report.services, 1):
        progress(f"rendering {service.name} ({number}/{total})")
        page = service_page(report, service, meta)
        html = render("service.html", page=page, meta=meta)
        stem = file_stem(service.name)
        files[f"{stem}.html"] = html.encode("utf-8")
        files[f"{stem}.pdf"] = html_to_pdf(html)
    drafts = drafts_of(report, meta)
    if drafts:
        progress(f"rendering {len(drafts)} postmortem draft{'' if len(drafts) == 1 else 's'}")
    for draft in drafts:
        html = render("postmortem.html", page=draft, meta=meta)
        files[f"{draft.stem}.html"] = html.encode("utf-8")
        files[f"{draft.stem}.pdf"] = html_to_pdf(html)
    files["summary.pdf"] = html_to_pdf(render_summary_html(report))
    statements = statement_names(statement_customers(report))
    if statements:
        progress(f"rendering {len(statements)} customer statement{'' if len(statements) == 1 else 's'}")
    for customer, name in statements.items():
        files[name] = statement_pdf(report, customer, meta, name)
    files["report.json"] = report_json(report).encode("utf-8")
    files["slos.csv"] = slos_csv(report).encode("utf-8")
    credits = credits_csv(report)
    if credits is not None:
        files["credits.csv"] = credits.encode("utf-8")
    return files
