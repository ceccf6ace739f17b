"""Safe file names for services and customers, whatever characters their names hold."""

import hashlib
import re

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_STEM = 80
"""Characters of a name kept in a file name: with a hash and an extension, far below the 255
bytes a file name may have on any common filesystem."""


def file_stem(name: str) -> str:
    """``model-api`` stays as it is; ``<script>`` becomes ``script``; never empty, never hidden,
    never longer than ``MAX_STEM`` plus a hash of the whole name."""
    stem = _UNSAFE.sub("-", name).strip("-.") or "unnamed"
    return hashed_stem(name) if len(stem) > MAX_STEM else stem


def hashed_stem(name: str, length: int = 8) -> str:
    """The name's first ``MAX_STEM`` safe characters and ``length`` hex digits of its SHA-256:
    distinct names stay distinct even where their stems collide or are cut short."""
    stem = (_UNSAFE.sub("-", name).strip("-.") or "unnamed")[:MAX_STEM].rstrip("-.")
    return f"{stem}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:length]}"
