"""PDF text per page, as a reader sees it (spaces collapsed)."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader


def pdf_page_texts(data: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]
