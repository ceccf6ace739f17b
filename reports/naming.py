"""Safe file names for services and customers, whatever characters their names hold."""

import re

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def file_stem(name: str) -> str:
    """``model-api`` stays as it is; ``<script>`` becomes ``script``; never empty, never hidden."""
    stem = _UNSAFE.sub("-", name).strip("-.")
    return stem or "unnamed"
