"""Write a month's documents all at once: into a hidden temporary folder beside the
target, then renamed into place, so readers see the old month or the new one, never half."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path


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
