"""The render stage: a ``MonthReport`` in, every file of the month's folder out (in memory).

HTML and PDF come from the same templates (print CSS shapes the PDF); see
``environment.py`` for the Jinja setup, ``context.py`` for what each document is given,
``customers.py`` for the customer sections, credits and SLA statements, ``charts.py`` for the
SVG charts and ``pdf.py`` for WeasyPrint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..export import credits_csv, report_json, slos_csv
from ..naming import file_stem
from ..report import MonthReport
from .context import DocumentMeta, document_meta, index_page, service_page, summary_page
from .customers import customer_statement, statement_customers, statement_names
from .environment import render
from .pdf import html_to_pdf, html_to_pdf_pages, pdfs
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
    return _statement_pdf(*_statement_html(report, customer, meta, name))


def _statement_html(report: MonthReport, customer: str, meta: DocumentMeta, name: str) -> tuple[str, str]:
    """The statement's HTML, and its compact form for when the first runs over a page."""
    page = customer_statement(report, customer, meta, name)
    compact = customer_statement(report, customer, meta, name, compact=True)
    return render("statement.html", page=page, meta=meta), render("statement.html", page=compact, meta=meta)


def _statement_pdf(html: str, compact_html: str) -> bytes:
    data, pages = html_to_pdf_pages(html)
    if pages > 1:
        data, pages = html_to_pdf_pages(compact_html)
    return data


def render_documents(
    report: MonthReport, progress: Callable[[str], None] = lambda message: None, workers: int | None = None
) -> dict[str, bytes]:
    """Every file of the month's folder, by name relative to the folder.

    The HTML is rendered here; the PDFs, which cost most, on ``workers`` processes (default: one
    per core the process may use). Everything stays in memory: writing is the caller's, all at once."""
    files: dict[str, bytes] = {"index.html": render_index_html(report).encode("utf-8")}
    meta = document_meta(report)
    statements = statement_names(statement_customers(report))
    drafts = drafts_of(report, meta)

    def jobs() -> Iterator[tuple[str, Callable[..., bytes], tuple]]:
        """Each PDF's job as soon as its HTML is ready, so the workers start on the first while the rest is made."""
        for service in report.services:
            page = service_page(report, service, meta)
            html = render("service.html", page=page, meta=meta)
            stem = file_stem(service.name)
            files[f"{stem}.html"] = html.encode("utf-8")
            files[f"{stem}.pdf"] = b""  # keeps the folder's order; filled below
            yield f"{stem}.pdf", html_to_pdf, (html,)
        for draft in drafts:
            html = render("postmortem.html", page=draft, meta=meta)
            files[f"{draft.stem}.html"] = html.encode("utf-8")
            files[f"{draft.stem}.pdf"] = b""
            yield f"{draft.stem}.pdf", html_to_pdf, (html,)
        files["summary.pdf"] = b""
        yield "summary.pdf", html_to_pdf, (render_summary_html(report),)
        for customer, name in statements.items():
            files[name] = b""
            yield name, _statement_pdf, _statement_html(report, customer, meta, name)

    files.update(pdfs(jobs(), len(report.services) + len(drafts) + 1 + len(statements), progress, workers))
    files["report.json"] = report_json(report).encode("utf-8")
    files["slos.csv"] = slos_csv(report).encode("utf-8")
    credits = credits_csv(report)
    if credits is not None:
        files["credits.csv"] = credits.encode("utf-8")
    return files
