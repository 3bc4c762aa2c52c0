"""What every benchmark script shares: progress lines, percentiles, the machine's busy time, a
psql call and which code was measured. Imported by the scripts beside it (each runs as
`python benchmarks/<name>.py`, so this folder is on the import path)."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def log(message: str) -> None:
    stamp = datetime.now().strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", file=sys.stderr, flush=True)


def percentile(samples: list[float], q: float) -> float | None:
    """Linear interpolation between the closest ranks; None for no samples."""
    if not samples:
        return None
    ordered = sorted(samples)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def busy_ticks() -> int:
    """Clock ticks the whole machine has spent busy (not idle or waiting for I/O), from /proc."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return user + nice + system + irq + softirq + steal


def psql(sql: str) -> None:
    """Run one statement as `postgres` on the local server (creating and dropping databases)."""
    subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-q",
            "-c",
            sql,
        ],
        check=True,
        capture_output=True,
        text=True,
    )


def git(*args: str) -> str:
    """Read-only: which code was measured."""
    try:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    except OSError:
        return ""
    return done.stdout.rstrip("\n")
