"""Write a month's documents all at once: into a hidden temporary folder beside the
target, then swapped into place, so readers see the old month or the new one, never half
and never neither.

The swap is one system call. On Linux, ``renameat2(RENAME_EXCHANGE)`` exchanges the staged
folder and the month folder atomically; the old month, now under the staged name, is then
deleted. Where the kernel or filesystem cannot exchange (``EINVAL``), the month is a symlink
``YYYY-MM -> .YYYY-MM.v-<id>`` and a new symlink replaces it with ``rename(2)``, which is
atomic too; ``YYYY-MM/report.json`` opens the same way in both layouts.

A kill at any moment leaves the month folder (old or new, whole) and hidden leftovers
(``.YYYY-MM.new-*``, ``.YYYY-MM.v-*``, ``.YYYY-MM.link-*``, ``.YYYY-MM.old-*``) that the next
write in the same output folder deletes.

A month folder also holds the send ledger (``sent.jsonl``): a record of what was done with the
month, not of what it says. Regenerating the month replaces the documents and keeps the
ledger, so a re-run of ``run --send`` never emails again what already went out. The ledger
is copied into the staged folder under the output lock, so no send can append to the old
copy between the copy and the swap.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import ReportError

LEDGER_NAME = "sent.jsonl"
KEPT_ON_REWRITE = (LEDGER_NAME,)
"""Files of the old month folder that survive its regeneration."""

_LEFTOVER = re.compile(r"^\.(?P<month>.+)\.(?:new|old|link|v)-[^/]+$")
"""Hidden names a write uses beside the month folder; any not in use is left over from a kill."""
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


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
    with output_lock(output_dir):
        clean_leftovers(output_dir)
        staging = Path(tempfile.mkdtemp(prefix=f".{month}.new-", dir=output_dir))
        try:
            for name, content in files.items():
                path = staging / name
                path.parent.mkdir(parents=True, exist_ok=True)
                _write(path, content)
            staging.chmod(0o755)
            for name in KEPT_ON_REWRITE:
                if name not in files and (target / name).is_file():
                    shutil.copy2(target / name, staging / name)
            _swap(staging, target)
        except BaseException:
            clean_leftovers(output_dir)
            raise
        clean_leftovers(output_dir)
    return target


def _swap(staging: Path, target: Path) -> None:
    """Put ``staging`` at ``target`` in one atomic step; the old month is left for cleaning."""
    if target.is_symlink():
        _swap_symlink(staging, target)
    elif os.path.lexists(target):
        if not _exchange(staging, target):
            _swap_symlink(staging, target)
    elif _exchange_supported(target.parent, target.name):
        _rename(staging, target)
    else:  # the first write on a filesystem that cannot exchange starts the symlink layout
        _swap_symlink(staging, target)


def _exchange_supported(folder: Path, month: str) -> bool:
    first, second = (Path(tempfile.mkdtemp(prefix=f".{month}.new-", dir=folder)) for _ in range(2))
    try:
        return _exchange(first, second)
    finally:
        first.rmdir()
        second.rmdir()


def _swap_symlink(staging: Path, target: Path) -> None:
    """Without an exchange: the month is a symlink, replaced by rename(2) of a new one."""
    suffix = staging.name.rsplit(".new-", 1)[1]
    version = staging.with_name(f".{target.name}.v-{suffix}")
    _rename(staging, version)
    link = staging.with_name(f".{target.name}.link-{suffix}")
    os.symlink(version.name, link)
    if os.path.lexists(target) and not target.is_symlink():
        # A real folder written where the filesystem could exchange (moved since): the one moment
        # with no month folder; the next write puts the .old- copy back if a kill lands here.
        retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        _rename(target, retired / target.name)
    _rename(link, target)


def clean_leftovers(output_dir: Path) -> None:
    """Delete what killed writes left behind; a month folder a kill took away comes back first."""
    found = sorted((p, match["month"]) for p in output_dir.iterdir() if (match := _LEFTOVER.match(p.name)))
    for path, month in found:
        retired = path / month
        if ".old-" in path.name and not os.path.lexists(output_dir / month) and retired.is_dir():
            _rename(retired, output_dir / month)
    leftovers = [path for path, _ in found]
    for path in leftovers:
        if not _in_use(path):
            _remove(path)


def _in_use(path: Path) -> bool:
    """Whether the month symlink points at ``path`` (the live version in the symlink layout)."""
    match = _LEFTOVER.match(path.name)
    month = path.with_name(match["month"]) if match else None
    return month is not None and month.is_symlink() and os.readlink(month) == path.name


# The steps below are the only ones that change the output folder: tests stop the process
# before or after each of them.


def _write(path: Path, content: bytes) -> None:
    path.write_bytes(content)


def _rename(source: Path, destination: Path) -> None:
    os.replace(source, destination)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    else:
        shutil.rmtree(path)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically; False where the kernel or the filesystem cannot."""
    if _renameat2 is None:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))


def _load_renameat2():
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2  # glibc 2.28 and later
    except (AttributeError, OSError):
        return None
    function.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    function.restype = ctypes.c_int
    return function


_renameat2 = _load_renameat2()
