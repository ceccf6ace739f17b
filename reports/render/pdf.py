"""HTML → PDF with WeasyPrint, without ever fetching anything a document names.

A document is self-contained (inline CSS, inline SVG). Names, descriptions and titles come
from the catalogue, so a URL in them must never make the renderer read a local file or call
the network: the fetcher refuses every scheme but ``data:``, and there is no base URL to
resolve relative names against.

What makes a page cost, and what is done once instead of on every document:

- Every document carries the same inline style sheet; parsing it and compiling its selectors
  is a good part of each PDF's cost, so the first ``<style>`` block is parsed once (per
  distinct text) and handed to WeasyPrint as a ready ``CSS`` object. A style sheet that asks
  for any resource is not cached and stays inline, so its fetches go through the caller's
  fetcher.
- Pages that read the same in many documents (the service documents' glossary and policy,
  three of a service's seven pages) sit between ``SHARED_BEGIN`` and ``SHARED_END``. They
  are laid out once per process; each document lays out its own pages plus as many empty
  pages, whose running header and "Page n of m" footer are its own, and takes the shared
  pages' content into them.
- Inline SVG charts are handed to WeasyPrint as ``data:`` images: inline, each of their
  elements would go through the HTML style cascade; as images, WeasyPrint's SVG renderer
  reads them directly. They draw the same.
"""

from __future__ import annotations

import base64
import multiprocessing
import os
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from functools import lru_cache

import weasyprint
from weasyprint.document import Page
from weasyprint.formatting_structure.boxes import MarginBox

from ..progress import Meter

ALLOWED_SCHEMES = frozenset({"data"})
SHARED_BEGIN = "<!-- shared pages -->"
SHARED_END = "<!-- /shared pages -->"


class FetchRefused(ValueError):
    """Raised for every URL that is not a ``data:`` URL; WeasyPrint logs it and leaves the resource out."""


class DataOnlyFetcher(weasyprint.URLFetcher):
    """Fetches ``data:`` URLs only; ``refused`` lists every other URL it was asked for."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=ALLOWED_SCHEMES, allow_redirects=False, timeout=1)
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None):
        scheme = url.split(":", 1)[0].strip().lower() if ":" in url else ""
        if scheme not in ALLOWED_SCHEMES:
            self.refused.append(url)
            raise FetchRefused(f"refused to fetch {url[:200]!r}: documents may only embed data: URLs")
        return super().fetch(url, headers)


_STYLE = re.compile(r"<style>(.*?)</style>", re.S)
_CHART = re.compile(r'<svg class="chart" .*?</svg>', re.S)
_BODY = re.compile(r"<body\b[^>]*>")
_TITLE = re.compile(r"<title>.*?</title>", re.S)  # the document's own: not part of the shared pages
_CLOSING_TAGS = re.compile(r"\s*(</\w+>\s*)*")
# One empty page of a document whose content comes from the shared pages.
_SLOT = '<div style="break-before: page; height: 1px"></div>'


@lru_cache(maxsize=4)
def _parsed(css: str) -> weasyprint.CSS | None:
    """The style sheet parsed for print; None when it asked for any resource."""
    fetcher = DataOnlyFetcher()
    sheet = weasyprint.CSS(string=css, base_url=None, url_fetcher=fetcher, media_type="print")
    return None if fetcher.refused else sheet


def html_to_pdf(html: str, fetcher: DataOnlyFetcher | None = None) -> bytes:
    """Render one HTML document (print CSS applies) to PDF bytes."""
    return html_to_pdf_pages(html, fetcher)[0]


def html_to_pdf_pages(html: str, fetcher: DataOnlyFetcher | None = None) -> tuple[bytes, int]:
    """The PDF bytes and the number of pages."""
    fetcher = fetcher if fetcher is not None else DataOnlyFetcher()
    rendered = _with_shared_pages(html, fetcher) or _render(html, fetcher)
    return rendered.write_pdf(), len(rendered.pages)


def _render(html: str, fetcher: DataOnlyFetcher) -> weasyprint.Document:
    stylesheets = []
    style = _STYLE.search(html)
    if style is not None and "url(" not in style[1] and "@import" not in style[1]:
        sheet = _parsed(style[1])
        if sheet is not None:
            html = html[: style.start()] + html[style.end() :]
            stylesheets.append(sheet)
    html = _CHART.sub(_chart_image, html)
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher, media_type="print")
    return document.render(stylesheets=stylesheets)


def _chart_image(chart: re.Match[str]) -> str:
    data = base64.b64encode(chart[0].encode("utf-8")).decode("ascii")
    return f'<img class="chart" alt="" src="data:image/svg+xml;base64,{data}">'


def _with_shared_pages(html: str, fetcher: DataOnlyFetcher) -> weasyprint.Document | None:
    """The document with its shared pages laid out once per process; None when it has none
    (or they are not its last pages, or asked for anything): then it is rendered whole."""
    begin, end = html.find(SHARED_BEGIN), html.find(SHARED_END)
    body = _BODY.search(html)
    if begin < 0 or end < begin or body is None or body.end() > begin:
        return None
    if not _CLOSING_TAGS.fullmatch(html[end + len(SHARED_END) :]):
        return None
    shared = _shared(_TITLE.sub("", html[: body.end()], count=1) + html[begin:])
    if shared is None:
        return None
    own = _render(html[:begin] + _SLOT * len(shared.pages) + html[end:], fetcher)
    mine = len(own.pages) - len(shared.pages)
    if mine < 1:
        return None
    pages = own.pages[:mine]
    try:  # WeasyPrint's page boxes are not public API: a version that changes them gets whole renders
        for slot, page in zip(own.pages[mine:], shared.pages, strict=True):
            content = [box for box in page._page_box.children if not isinstance(box, MarginBox)]
            margins = [box for box in slot._page_box.children if isinstance(box, MarginBox)]
            pages.append(Page(slot._page_box.copy_with_children(content + margins)))
    except (AttributeError, TypeError):
        return None
    return own.copy(pages)


@lru_cache(maxsize=8)
def _shared(html: str) -> weasyprint.Document | None:
    """The shared pages alone, laid out (their margins are the documents' own); None when they asked for anything."""
    fetcher = DataOnlyFetcher()
    document = _render(html, fetcher)
    return None if fetcher.refused else document


def pdfs(
    jobs: Iterable[tuple[str, Callable[..., bytes], tuple]],
    count: int,
    progress: Callable[[str], None],
    workers: int | None = None,
) -> dict[str, bytes]:
    """Run ``count`` jobs ``(name, function, arguments)``, each making one PDF, on ``workers`` processes
    (default: one per core this process may use); each job is submitted as soon as ``jobs`` yields it.

    Workers are forked from this process, so they start with WeasyPrint loaded. A failure is
    raised here, and then no PDF is returned at all."""
    workers = min(workers or len(os.sched_getaffinity(0)), count)
    meter = Meter("rendering PDFs", count, progress)
    done: dict[str, bytes] = {}
    if workers <= 1:
        for name, function, arguments in jobs:
            done[name] = function(*arguments)
            meter.advance()
        return done
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = {pool.submit(function, *arguments): name for name, function, arguments in jobs}
        for future in as_completed(futures):
            done[futures[future]] = future.result()
            meter.advance()
    return done
