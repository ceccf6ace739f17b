"""HTML → PDF with WeasyPrint, without ever fetching anything a document names.

A document is self-contained (inline CSS, inline SVG). Names, descriptions and titles come
from the catalogue, so a URL in them must never make the renderer read a local file or call
the network: the fetcher refuses every scheme but ``data:``, and there is no base URL to
resolve relative names against.
"""

from __future__ import annotations

import weasyprint

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


def html_to_pdf(html: str, fetcher: DataOnlyFetcher | None = None) -> bytes:
    """Render one HTML document (print CSS applies) to PDF bytes."""
    fetcher = fetcher if fetcher is not None else DataOnlyFetcher()
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher, media_type="print")
    return document.write_pdf()

