"""The render stage: a ``MonthReport`` in, every file of the month's folder out (in memory).

HTML and PDF come from the same templates (print CSS shapes the PDF); see
``environment.py`` for the Jinja setup, ``context.py`` for what each document is given,
``charts.py`` for the SVG charts and ``pdf.py`` for WeasyPrint.
"""

from __future__ import annotations

from collections.abc import Callable

from ..export import credits_csv, report_json, slos_csv
from ..naming import file_stem
from ..report import MonthReport
from .context import document_meta, index_page, service_page, summary_page
from .environment import render
from .pdf import html_to_pdf

__all__ = ["render_documents", "render_service_html", "render_index_html", "render_summary_html"]


def render_service_html(report: MonthReport, service_name: str) -> str:
    page = service_page(report, report.service(service_name))
    return render("service.html", page=page, meta=page.meta)


def render_index_html(report: MonthReport) -> str:
    page = index_page(report)
    return render("index.html", page=page, meta=page.meta)


def render_summary_html(report: MonthReport) -> str:
    page = summary_page(report)
    return render("summary.html", page=page, meta=page.meta)


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
    files["summary.pdf"] = html_to_pdf(render_summary_html(report))
    files["report.json"] = report_json(report).encode("utf-8")
    files["slos.csv"] = slos_csv(report).encode("utf-8")
    credits = credits_csv(report)
    if credits is not None:
        files["credits.csv"] = credits.encode("utf-8")
    return files
