"""HTML → PDF with WeasyPrint, without ever fetching anything a document names.

A document is self-contained (inline CSS, inline SVG). Names, descriptions and titles come
from the catalogue, so a URL in them must never make the renderer read a local file or call
the network: the fetcher refuses every scheme but ``data:``, and there is no base URL to
resolve relative names against.

Every document carries the same inline style sheet; parsing it and compiling its selectors is
a good part of each PDF's cost, so the first ``<style>`` block is parsed once (per distinct
text) and handed to WeasyPrint as a ready ``CSS`` object. A style sheet that asks for any
resource is not cached and stays inline, so its fetches go through the caller's fetcher.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from functools import lru_cache

import weasyprint

from ..progress import Meter

ALLOWED_SCHEMES = frozenset({"data"})


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
    stylesheets = []
    style = _STYLE.search(html)
    if style is not None and "url(" not in style[1] and "@import" not in style[1]:
        sheet = _parsed(style[1])
        if sheet is not None:
            html = html[: style.start()] + html[style.end() :]
            stylesheets.append(sheet)
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher, media_type="print")
    rendered = document.render(stylesheets=stylesheets)
    return rendered.write_pdf(), len(rendered.pages)


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
