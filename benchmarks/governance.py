#!/usr/bin/env python
"""Benchmark of Hearth's counting rules against the references the issue names.

    .venv/bin/python benchmarks/governance.py [--projects 100] [--voters 50000]
        [--candidates 10] [--ranked-ballots 100000] [--seats 3] [--seed 7] [--repeat 3]
        [--skip-reference] [--json [PATH]]

It generates, from the seed, a participatory budgeting instance (projects with costs from 1,000
to 40,000, a budget of 20-35 % of their total, approval ballots of 1 to ~20 projects chosen with
unequal popularity) and ranked ballots (each a random length, candidates ordered by noisy
popularity). Then it times, on the same data:

- greedy by approvals: `budgeting.greedy_by_approvals` vs pabutools
  `greedy_utilitarian_welfare(sat_class=Cost_Sat)`;
- the Method of Equal Shares once (`equal_shares(increment=None, complete=False)` vs
  `method_of_equal_shares(sat_class=Cost_Sat)`);
- the Method of Equal Shares with the completion of REFERENCES §7 (`equal_shares()` vs
  `completion_by_rule_combination` over MES with `voter_budget_increment=1` and greedy);
- instant runoff (`counting.instant_runoff` vs pyrankvote `instant_runoff_voting`) and
  single transferable vote (`single_transferable_vote`, both).

Ours are timed `--repeat` times (the median is shown), the references once. Building the
inputs (our `Election`, pabutools' profile, pyrankvote's ballot objects) is not timed: each side
is handed its own ready-made input, and our ranked counts include grouping the raw ballots.
Results are compared exactly (funded projects in funding order; winners and every round's
figures). It prints a table with the targets marked met or not met and never fails on a timing.
Progress goes to stderr; the table (and with --json the JSON document) to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hearth.governance import budgeting, counting  # noqa: E402

TARGET_MES_SPEEDUP = 5.0
TARGET_IRV_SECONDS = 1.0


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- data ---------------------------------------------------------------------------------------


def approval_instance(seed: int, projects: int, voters: int):
    rng = random.Random(seed)
    names = [f"p{index:03d}" for index in range(1, projects + 1)]
    costs = {name: rng.randint(10, 400) * 100 for name in names}
    budget = int(sum(costs.values()) * rng.uniform(0.2, 0.35)) // 100 * 100
    popularity = [rng.lognormvariate(0, 1) for _ in names]
    ballots = []
    for _ in range(voters):
        size = min(projects, int(rng.expovariate(1 / 5)) + 1)
        chosen: set[str] = set()
        while len(chosen) < size:
            chosen.update(rng.choices(names, popularity, k=size - len(chosen)))
        ballots.append(sorted(chosen))
    return costs, budget, ballots


def ranked_ballots(seed: int, candidates: int, count: int):
    rng = random.Random(seed + 1)
    names = [f"Candidate {index + 1}" for index in range(candidates)]
    popularity = {name: rng.lognormvariate(0, 0.5) for name in names}
    ballots = []
    for _ in range(count):
        order = sorted(names, key=lambda name: -popularity[name] * rng.random())
        ballots.append(order[: rng.randint(1, candidates)])
    return names, ballots


# --- timing -------------------------------------------------------------------------------------


def timed(function, repeat: int):
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return result, statistics.median(times)


def other_benchmarks() -> list[str]:
    try:
        found = subprocess.run(
            ["pgrep", "-af", "benchmarks/"], capture_output=True, text=True, check=False
        ).stdout
    except OSError:
        return []
    return [
        line
        for line in found.splitlines()
        if line and "benchmarks/governance.py" not in line and "pgrep" not in line
    ]


# --- the benchmark ------------------------------------------------------------------------------


def budgeting_rows(args) -> list[dict]:
    progress(
        f"generating {args.projects} projects x {args.voters} approval ballots (seed {args.seed})"
    )
    costs, budget, ballots = approval_instance(args.seed, args.projects, args.voters)
    start = time.perf_counter()
    election = budgeting.Election.build(budget=budget, costs=costs, ballots=ballots)
    build_ours = time.perf_counter() - start

    tasks = [
        ("greedy by approvals", lambda: budgeting.greedy_by_approvals(election), "greedy"),
        (
            "equal shares, once",
            lambda: budgeting.equal_shares(election, increment=None, complete=False),
            "mes",
        ),
        ("equal shares + completion", lambda: budgeting.equal_shares(election), "completed"),
    ]
    ours = {}
    for label, function, key in tasks:
        progress(f"ours: {label}")
        result, seconds = timed(function, args.repeat)
        ours[key] = (list(result.funded), seconds, result)

    reference: dict[str, tuple[list[str], float]] = {}
    build_reference = None
    if not args.skip_reference:
        from pabutools.election import (
            ApprovalBallot,
            ApprovalProfile,
            Cost_Sat,
            Instance,
            Project,
        )
        from pabutools.rules import (
            completion_by_rule_combination,
            greedy_utilitarian_welfare,
            method_of_equal_shares,
        )

        start = time.perf_counter()
        projects = {name: Project(name, cost) for name, cost in costs.items()}
        instance = Instance(projects.values(), budget_limit=budget)
        profile = ApprovalProfile([ApprovalBallot([projects[p] for p in b]) for b in ballots])
        build_reference = time.perf_counter() - start
        reference_tasks = {
            "greedy": lambda: greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat),
            "mes": lambda: method_of_equal_shares(instance, profile, sat_class=Cost_Sat),
            "completed": lambda: completion_by_rule_combination(
                instance,
                profile,
                [method_of_equal_shares, greedy_utilitarian_welfare],
                [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}],
            ),
        }
        for label, _function, key in tasks:
            progress(f"pabutools: {label} (one run; the completion takes minutes)")
            result, seconds = timed(reference_tasks[key], 1)
            reference[key] = ([project.name for project in result], seconds)

    rows = []
    for label, _function, key in tasks:
        funded, seconds, result = ours[key]
        row = {
            "task": label,
            "size": f"{args.projects} projects x {args.voters:,} ballots",
            "ours_s": seconds,
            "funded": len(funded),
            "spent": str(result.spent),
        }
        if key == "completed":
            row["runs"] = result.runs
            row["share"] = f"{float(result.voter_share):.4f}"
        if key in reference:
            row["reference"] = "pabutools"
            row["reference_s"] = reference[key][1]
            row["speedup"] = reference[key][1] / seconds if seconds else None
            row["identical"] = reference[key][0] == funded
        if key == "completed":
            row["target"] = f"identical; ≥ {TARGET_MES_SPEEDUP:g}x faster"
            if "speedup" in row:
                row["met"] = row["identical"] and row["speedup"] >= TARGET_MES_SPEEDUP
        else:
            row["target"] = "identical"
            if "identical" in row:
                row["met"] = row["identical"]
        rows.append(row)
    rows.append(
        {
            "task": "building the inputs (not in the times above)",
            "size": "",
            "ours_s": build_ours,
            "reference_s": build_reference,
            "reference": "pabutools" if build_reference is not None else None,
        }
    )
    return rows


def ranked_rows(args) -> list[dict]:
    progress(f"generating {args.ranked_ballots:,} ranked ballots over {args.candidates} candidates")
    names, ballots = ranked_ballots(args.seed, args.candidates, args.ranked_ballots)
    tasks = [
        ("instant runoff", 1),
        (f"single transferable vote, {args.seats} seats", args.seats),
    ]
    rows = []
    paper = None
    if not args.skip_reference:
        import pyrankvote
        from pyrankvote import Ballot, Candidate

        candidate_objects = {name: Candidate(name) for name in names}
        paper = [Ballot([candidate_objects[name] for name in ballot]) for ballot in ballots]
    for label, seats in tasks:
        progress(f"ours: {label}")
        if seats == 1:
            result, seconds = timed(lambda: counting.instant_runoff(names, ballots), args.repeat)
        else:
            result, seconds = timed(
                lambda seats=seats: counting.single_transferable_vote(names, ballots, seats),
                args.repeat,
            )
        row = {
            "task": label,
            "size": f"{args.candidates} candidates x {args.ranked_ballots:,} ballots",
            "ours_s": seconds,
            "winners": ", ".join(result.winners),
            "rounds": len(result.rounds),
        }
        if paper is not None:
            progress(f"pyrankvote: {label}")
            if seats == 1:
                reference, reference_seconds = timed(
                    lambda: pyrankvote.instant_runoff_voting(
                        list(candidate_objects.values()), paper
                    ),
                    1,
                )
            else:
                reference, reference_seconds = timed(
                    lambda seats=seats: pyrankvote.single_transferable_vote(
                        list(candidate_objects.values()), paper, seats
                    ),
                    1,
                )
            expected_rounds = [
                [
                    (r.candidate.name, r.number_of_votes, str(r.status).lower())
                    for r in rnd.candidate_results
                ]
                for rnd in reference.rounds
            ]
            our_rounds = [list(rnd.results) for rnd in result.rounds]
            row["reference"] = "pyrankvote"
            row["reference_s"] = reference_seconds
            row["speedup"] = reference_seconds / seconds if seconds else None
            row["identical"] = tuple(
                c.name for c in reference.get_winners()
            ) == result.winners and same_rounds(expected_rounds, our_rounds)
        if seats == 1:
            row["target"] = f"identical; ≤ {TARGET_IRV_SECONDS:g} s"
            row["met"] = seconds <= TARGET_IRV_SECONDS and row.get("identical", True)
        else:
            row["target"] = "identical"
            if "identical" in row:
                row["met"] = row["identical"]
        rows.append(row)
    return rows


def same_rounds(expected, ours) -> bool:
    """Same candidates in the same order with the same status in every round, and the same votes
    to 1e-9 of their size: STV's fractional votes are floats summed in a different order (the
    ballots travel in groups here), which moves the last digits and nothing else."""
    if len(expected) != len(ours):
        return False
    for expected_round, our_round in zip(expected, ours, strict=True):
        if len(expected_round) != len(our_round):
            return False
        for (name, votes, status), (our_name, our_votes, our_status) in zip(
            expected_round, our_round, strict=True
        ):
            if (name, status) != (our_name, our_status):
                return False
            if abs(votes - our_votes) > 1e-9 * max(1.0, abs(votes)):
                return False
    return True


def print_table(rows: list[dict], context: dict) -> None:
    def seconds(value):
        return "—" if value is None else f"{value:.3f}"

    header = ["task", "size", "ours s", "reference", "ref s", "x", "identical", "target", "met"]
    lines = []
    for row in rows:
        lines.append(
            [
                row["task"],
                row.get("size", ""),
                seconds(row.get("ours_s")),
                row.get("reference") or "—",
                seconds(row.get("reference_s")),
                f"{row['speedup']:.1f}" if row.get("speedup") else "—",
                {True: "yes", False: "NO"}.get(row.get("identical"), "—"),
                row.get("target", ""),
                {True: "met", False: "NOT MET"}.get(row.get("met"), "—"),
            ]
        )
    widths = [max(len(str(x)) for x in column) for column in zip(header, *lines, strict=True)]
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for line in lines:
        print(" | ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=True)))
    print()
    for row in rows:
        extra = {
            k: row[k] for k in ("funded", "spent", "runs", "share", "winners", "rounds") if k in row
        }
        if extra:
            print(f"{row['task']}: " + ", ".join(f"{k} {v}" for k, v in extra.items()))
    print(
        f"\nmachine: {context['cpus']} cores, Python {context['python']}; "
        f"load average at the start {context['load_start']}, at the end {context['load_end']}"
    )
    if context["other_benchmarks"]:
        print(
            "NOTE: other benchmarks were running on this machine meanwhile; the times are noisy "
            "(both sides equally exposed, one after the other):"
        )
        for line in context["other_benchmarks"]:
            print(f"  {line[:150]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--voters", type=int, default=50_000)
    parser.add_argument("--candidates", type=int, default=10)
    parser.add_argument("--ranked-ballots", type=int, default=100_000)
    parser.add_argument("--seats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="runs of ours (median shown)")
    parser.add_argument(
        "--skip-reference", action="store_true", help="time ours only (no pabutools, pyrankvote)"
    )
    parser.add_argument("--json", nargs="?", const="-", metavar="PATH")
    args = parser.parse_args()

    context = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "other_benchmarks": other_benchmarks(),
        "seed": args.seed,
    }
    if context["other_benchmarks"]:
        progress("other benchmarks are running: figures may be noisy")
    rows = budgeting_rows(args) + ranked_rows(args)
    context["load_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print_table(rows, context)
    if args.json:
        document = json.dumps({"context": context, "rows": rows}, indent=2, default=str)
        if args.json == "-":
            print(document)
        else:
            Path(args.json).write_text(document + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
