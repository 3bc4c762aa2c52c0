#!/usr/bin/env python
"""Benchmark: scoring one check-in with the instrument library (target: <= 1 ms).

    .venv/bin/python benchmarks/outcomes_scoring.py [--runs 10000] [--seed 7]

For every instrument it scores `--runs` check-ins of random complete answers (seeded, generated
before timing), timing each `Instrument.score()` call on its own, and prints p50 and p95 in
microseconds beside the target. PHQ-9 is also timed with the safety check a check-in makes
first (`needs_safety_pathway` + `score`). It never fails on a timing.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hearth.outcomes.instruments import (
    Instrument,
    all_instruments,
    get,
    needs_safety_pathway,
)

TARGET_MS = 1.0


def random_answers(instrument: Instrument, rng: random.Random) -> dict[str, int]:
    values = sorted(instrument.option_values)
    answers = {item_id: rng.choice(values) for item_id in instrument.item_ids}
    if instrument.code == "pc-ptsd-5":
        answers["pcptsd5_exposure"] = 1  # the longer path: all five questions scored
    return answers


def percentile(samples: list[int], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] / 1000  # ns -> µs


def measure(call, inputs: list[dict[str, int]]) -> list[int]:
    for answers in inputs[:200]:  # warm-up
        call(answers)
    samples = []
    clock = time.perf_counter_ns
    for answers in inputs:
        start = clock()
        call(answers)
        samples.append(clock() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    rng = random.Random(options.seed)

    rows = []
    for instrument in all_instruments():
        inputs = [random_answers(instrument, rng) for _ in range(options.runs)]
        rows.append((instrument.short_name, measure(instrument.score, inputs)))

    phq9 = get("phq-9")
    inputs = [random_answers(phq9, rng) for _ in range(options.runs)]

    def check_in(answers: dict[str, int]) -> None:
        needs_safety_pathway(phq9, answers)
        phq9.score(answers)

    rows.append(("PHQ-9 + safety check", measure(check_in, inputs)))

    print(f"Scoring one check-in, {options.runs:,} runs each (Python {sys.version.split()[0]})")
    print(f"{'instrument':<22} {'p50 µs':>8} {'p95 µs':>8} {'mean µs':>8}  target ≤ 1 ms")
    worst = 0.0
    for name, samples in rows:
        p50, p95 = percentile(samples, 0.50), percentile(samples, 0.95)
        worst = max(worst, p95)
        mean = statistics.fmean(samples) / 1000
        verdict = "met" if p95 / 1000 <= TARGET_MS else "NOT met"
        print(f"{name:<22} {p50:>8.1f} {p95:>8.1f} {mean:>8.1f}  {verdict}")
    print(f"slowest p95: {worst:.1f} µs = {worst / 1000:.4f} ms (target {TARGET_MS} ms)")


if __name__ == "__main__":
    main()
