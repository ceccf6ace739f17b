"""Write catalogues of a given size for timing ``slo-report validate`` on them.

    python benchmarks/huge_config.py 50 /tmp/huge-50mb.yaml    # over the limit: refused unread
    python benchmarks/huge_config.py 4.9 /tmp/big-4.9mb.yaml   # under it: parsed by the C loader
    farm-bench -n 3 -- .venv/bin/slo-report validate --config /tmp/big-4.9mb.yaml

Each file is a valid catalogue of many small services (the data file it names need not exist:
``validate`` reads no data), so the time is spent reading YAML and checking the schema.
"""

from __future__ import annotations

import sys
from pathlib import Path

SERVICE = """  - name: service-{n}
    description: Service number {n}.
    slos:
      - {{name: availability, objective: 0.999}}
      - {{name: latency, objective: 0.99}}
"""


def write(megabytes: float, path: Path) -> None:
    size = int(megabytes * 1024 * 1024)
    with path.open("w", encoding="utf-8") as handle:
        written = handle.write("title: Huge\nsource: {type: file, path: events.csv}\nservices:\n")
        n = 0
        while written < size:
            written += handle.write(SERVICE.format(n=n))
            n += 1
    print(f"{path}: {path.stat().st_size / 1024 / 1024:.1f} MB, {n} services")


if __name__ == "__main__":
    write(float(sys.argv[1]), Path(sys.argv[2]))
