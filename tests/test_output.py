"""Gather first, write last: a month folder is replaced whole or not at all."""

import itertools
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from reports import output
from reports.output import LEDGER_NAME, write_month


def test_writes_every_file_and_replaces_an_earlier_run(tmp_path: Path):
    write_month({"a.txt": b"old", "stale.txt": b"x"}, tmp_path, "2026-10")
    folder = write_month({"a.txt": b"new", "sub/b.txt": b"b"}, tmp_path, "2026-10")
    assert folder == tmp_path / "2026-10"
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) == ["a.txt", "sub/b.txt"]
    assert (folder / "a.txt").read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-10"]  # no staging folder left behind


def test_a_failed_write_leaves_the_previous_month_untouched(tmp_path: Path):
    write_month({"a.txt": b"old"}, tmp_path, "2026-10")
    with pytest.raises(OSError):
        write_month({"a.txt": b"new", "a.txt/nested": b"cannot exist"}, tmp_path, "2026-10")
    assert (tmp_path / "2026-10" / "a.txt").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-10"]


# --- a kill at any moment (issue 15) -----------------------------------------------------------
# Every change to the output folder goes through output._write, _rename, _exchange or _remove.
# A forked child runs write_month and dies with os._exit (no cleanup, no finally) before or after
# the n-th of those steps; at every step it first checks that the month is whole. The parent then
# checks the same, and that the next write cleans up and keeps the send ledger.

MONTH = "2026-10"
OLD = {"report.json": b"old", "sub/a.txt": b"a"}
NEW = {"report.json": b"new", "sub/a.txt": b"b", "c.txt": b"c"}
LEDGER = b'{"recipient": "a@example.com", "attachment": "summary.pdf"}\n'
STEPS = ("_write", "_rename", "_exchange", "_remove")
KILLED, BROKEN = 9, 3


def month_is_whole(folder: Path) -> bool:
    """The month folder is there, holds the old month or the new one, and the ledger."""
    month = folder / MONTH
    try:
        report = (month / "report.json").read_bytes()
        return report in (b"old", b"new") and (month / LEDGER_NAME).read_bytes() == LEDGER
    except OSError:
        return False


def seed(folder: Path, exchange: bool, monkeypatch) -> None:
    if not exchange:
        monkeypatch.setattr(output, "_exchange", lambda first, second: False)
    write_month(OLD, folder, MONTH)
    (folder / MONTH / LEDGER_NAME).write_bytes(LEDGER)


def killed_write(folder: Path, die_at: int) -> int:
    """Exit code of a child that writes NEW and dies at moment ``die_at`` (0: it finished)."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        moment = 0

        def checkpoint():
            nonlocal moment
            if not month_is_whole(folder):
                os._exit(BROKEN)
            if moment == die_at:
                os._exit(KILLED)
            moment += 1

        def stepped(step):
            def run(*args):
                checkpoint()
                result = step(*args)
                checkpoint()
                return result

            return run

        try:
            for name in STEPS:
                setattr(output, name, stepped(getattr(output, name)))
            write_month(NEW, folder, MONTH)
            os._exit(0)
        except BaseException:
            os._exit(1)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def leftovers(folder: Path) -> list[str]:
    live = os.readlink(folder / MONTH) if (folder / MONTH).is_symlink() else None
    return sorted(p.name for p in folder.iterdir() if p.name not in (MONTH, live))


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2-exchange", "symlink-fallback"])
def test_a_kill_at_any_step_leaves_a_whole_month_and_the_next_write_cleans_up(tmp_path: Path, exchange, monkeypatch):
    for die_at in itertools.count():
        folder = tmp_path / f"kill-{die_at}"
        seed(folder, exchange, monkeypatch)
        code = killed_write(folder, die_at)
        if code == 0:  # the write ended before that moment: every moment was visited
            break
        assert code == KILLED, f"the month was not whole at some step before moment {die_at}"
        assert month_is_whole(folder), f"killed at moment {die_at}"
        write_month({"report.json": b"newer"}, folder, MONTH)
        assert (folder / MONTH / "report.json").read_bytes() == b"newer"
        assert (folder / MONTH / LEDGER_NAME).read_bytes() == LEDGER
        assert leftovers(folder) == [], f"killed at moment {die_at}"
    assert die_at >= 8


def test_the_symlink_layout_serves_the_month_through_its_name(tmp_path: Path, monkeypatch):
    seed(tmp_path, False, monkeypatch)
    write_month(NEW, tmp_path, MONTH)
    assert (tmp_path / MONTH).is_symlink() and os.readlink(tmp_path / MONTH).startswith(f".{MONTH}.v-")
    assert (tmp_path / MONTH / "report.json").read_bytes() == b"new"
    assert (tmp_path / MONTH / LEDGER_NAME).read_bytes() == LEDGER
    assert len(list(tmp_path.iterdir())) == 2  # the link and the one version it points at


def test_a_month_an_older_version_left_in_old_is_put_back_with_its_ledger(tmp_path: Path):
    # Killed between the two renames of the old swap: no month folder, the ledger inside .old-*.
    retired = tmp_path / f".{MONTH}.old-x1y2" / MONTH
    retired.mkdir(parents=True)
    (retired / "report.json").write_bytes(b"old")
    (retired / LEDGER_NAME).write_bytes(LEDGER)
    (tmp_path / f".{MONTH}.new-z3").mkdir()
    write_month(NEW, tmp_path, MONTH)
    assert (tmp_path / MONTH / LEDGER_NAME).read_bytes() == LEDGER
    assert sorted(p.name for p in tmp_path.iterdir()) == [MONTH]


SLOW_WRITE = """
import os, sys, time
from pathlib import Path
from reports import output

folder, pause_in, pause_at = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
step, calls = getattr(output, pause_in), 0

def paused(*args):
    global calls
    if calls == pause_at:
        print("paused", flush=True)
        time.sleep(60)
    calls += 1
    return step(*args)

setattr(output, pause_in, paused)
output.write_month({f"page-{i}.html": b"new" for i in range(200)} | {"report.json": b"new"}, folder, "2026-10")
"""


@pytest.mark.parametrize("pause_in, pause_at", [("_write", 0), ("_write", 150), ("_exchange", 0), ("_remove", 0)])
def test_kill_9_during_a_real_write(tmp_path: Path, monkeypatch, pause_in, pause_at):
    seed(tmp_path, True, monkeypatch)
    root = Path(__file__).resolve().parents[1]
    child = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITE, str(tmp_path), pause_in, str(pause_at)],
        stdout=subprocess.PIPE,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    assert child.stdout.readline() == b"paused\n"
    child.send_signal(signal.SIGKILL)
    assert child.wait() == -signal.SIGKILL
    assert month_is_whole(tmp_path)
    assert leftovers(tmp_path)  # the kill did leave something behind
    write_month({"report.json": b"newer"}, tmp_path, MONTH)
    assert (tmp_path / MONTH / LEDGER_NAME).read_bytes() == LEDGER and leftovers(tmp_path) == []


STRACED_WRITE = """
from pathlib import Path
from reports.output import write_month
write_month({"report.json": b"new", "sub/a.txt": b"b", "c.txt": b"c"}, Path(%r), "2026-10")
"""
FOLDER_CALLS = "rename,renameat,renameat2,unlinkat,rmdir"


@pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace (apt-get install strace)")
@pytest.mark.parametrize("nth", range(1, 5))
def test_sigkill_injected_at_each_rename_and_delete(tmp_path: Path, monkeypatch, nth):
    """strace kills the process as it enters its n-th rename or delete: whatever the code calls."""
    seed(tmp_path, True, monkeypatch)
    root = Path(__file__).resolve().parents[1]
    inject = f"inject={FOLDER_CALLS}:signal=SIGKILL:when={nth}"
    traced = subprocess.run(
        ["strace", "-f", "-qq", "-o", "/dev/null", "-e", f"trace={FOLDER_CALLS}", "-e", inject, sys.executable]
        + ["-c", STRACED_WRITE % str(tmp_path)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert traced.returncode in (-signal.SIGKILL, 128 + signal.SIGKILL)
    assert month_is_whole(tmp_path)
    write_month({"report.json": b"newer"}, tmp_path, MONTH)
    assert (tmp_path / MONTH / LEDGER_NAME).read_bytes() == LEDGER and leftovers(tmp_path) == []
