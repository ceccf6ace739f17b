"""Write a month's documents all at once: into a hidden temporary folder beside the
target, then renamed into place, so readers see the old month or the new one, never half.

A month folder also holds the send ledger (``sent.jsonl``): a record of what was done with the
month, not of what it says. Regenerating the month replaces the documents and keeps the
ledger, so a re-run of ``run --send`` never emails again what already went out.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import ReportError

LEDGER_NAME = "sent.jsonl"
KEPT_ON_REWRITE = (LEDGER_NAME,)
"""Files of the old month folder that survive its regeneration."""


class OutputBusy(ReportError):
    """Another process is writing or sending from the same output folder."""


@contextmanager
def output_lock(output_dir: Path, wait: bool = True) -> Iterator[None]:
    """An exclusive lock on the output folder itself (no lock file is left behind): a
    regeneration and a send never interleave, so no ledger line is lost in the swap."""
    output_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(output_dir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise OutputBusy(
                f"another slo-report is writing or sending in {output_dir}; try again when it has finished"
            ) from None
        yield
    finally:
        os.close(fd)


def write_month(files: dict[str, bytes], output_dir: Path, month: str) -> Path:
    output_dir.mkdir(parents=True, exist_ok=True)
    target = output_dir / month
    staging = Path(tempfile.mkdtemp(prefix=f".{month}.new-", dir=output_dir))
    try:
        for name, content in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        staging.chmod(0o755)
        with output_lock(output_dir):
            for name in KEPT_ON_REWRITE:
                if name not in files and (target / name).is_file():
                    shutil.copy2(target / name, staging / name)
            if target.exists():
                retired = Path(tempfile.mkdtemp(prefix=f".{month}.old-", dir=output_dir))
                target.rename(retired / month)
                staging.rename(target)
                shutil.rmtree(retired, ignore_errors=True)
            else:
                staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
