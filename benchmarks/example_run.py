"""Time the example month end to end, stage by stage.

    python benchmarks/example_run.py [--repeat 5]

Prints wall time per stage (fetch + compute, render, write) and the total, best of N runs,
plus peak RSS, then the wall time of one `slo-report run` in a new process. The README's performance section quotes its output.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_SIZE = "3 services, 7 SLOs, 259k rows"
"""What the example catalogue and its data file hold (examples/ml-platform)."""
sys.path.insert(0, str(ROOT))

from reports.config import load_config  # noqa: E402
from reports.output import write_month  # noqa: E402
from reports.pipeline import build_month  # noqa: E402
from reports.render import render_documents  # noqa: E402
from reports.sources import source_for  # noqa: E402
from reports.window import Month  # noqa: E402


def one_run(output: Path) -> dict[str, float]:
    started = time.perf_counter()
    config, _ = load_config(ROOT / "examples/ml-platform/slo-report.yaml")
    report = build_month(config, source_for(config), Month(2026, 10), datetime(2026, 11, 1, 6, tzinfo=UTC))
    computed = time.perf_counter()
    files = render_documents(report)
    rendered = time.perf_counter()
    write_month(files, output, "2026-10")
    written = time.perf_counter()
    return {
        "config + fetch + compute": computed - started,
        "render (HTML + PDF)": rendered - computed,
        "write": written - rendered,
        "total": written - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        runs = [one_run(Path(tmp)) for _ in range(args.repeat)]
    best = min(runs, key=lambda r: r["total"])
    print(f"example month ({EXAMPLE_SIZE}), best of {args.repeat} in-process runs:")
    for stage, seconds in best.items():
        print(f"  {stage:26s} {seconds:6.2f} s")
    print(f"  {'first run total':26s} {runs[0]['total']:6.2f} s")
    print(f"  peak RSS                   {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:6.0f} MiB")
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "reports",
                "run",
                "--config",
                str(ROOT / "examples/ml-platform/slo-report.yaml"),
                "--month",
                "2026-10",
                "--output",
                tmp,
                "--quiet",
            ],
            check=True,
            cwd=ROOT,
            capture_output=True,
        )
        print(
            f"  CLI wall (new process)     {time.perf_counter() - started:6.2f} s  (slo-report run, imports included)"
        )


if __name__ == "__main__":
    main()
