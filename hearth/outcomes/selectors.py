"""Reads for outcomes: program reports computed from pseudonymous evaluation scores only, every
figure passed through suppression before anyone sees it."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction

from hearth.core.suppression import Table, is_publishable, suppress

from . import instruments
from .models import EvaluationScore, Program

# First and last score of each pseudonym in the period, and then the counts the report needs —
# all in the database, in one pass over the period's rows: one sort (by pseudonym, time) feeds
# every window, and the row where a pseudonym's position equals its number of scores is its
# last score, carrying its first one beside it. Measured on 1,000,000 scores this is several
# times faster than separate windows for first and last plus a second pass for the people
# measured (benchmarks/outcomes.py).
REPORT_SQL = """
SELECT
    COUNT(*),
    SUM(CASE WHEN scores >= 2 THEN 1 ELSE 0 END),
    AVG(CASE WHEN scores >= 2 THEN last_score - first_score END),
    SUM(CASE WHEN scores >= 2 AND (last_score - first_score) * %s >= %s THEN 1 ELSE 0 END),
    SUM(CASE WHEN scores >= 2 AND (last_score - first_score) * %s <= -%s THEN 1 ELSE 0 END)
FROM (
    SELECT
        score AS last_score,
        FIRST_VALUE(score) OVER running AS first_score,
        ROW_NUMBER() OVER running AS position,
        COUNT(*) OVER (PARTITION BY pseudonym) AS scores
    FROM {table}
    WHERE program_id = %s AND instrument = %s AND at >= %s AND at < %s
    WINDOW running AS (PARTITION BY pseudonym ORDER BY at, id)
) AS series
WHERE position = scores
"""

# PostgreSQL's default work_mem (4 MB) sends the sort of a large program's year to disk.
REPORT_WORK_MEM = "64MB"


@dataclass(frozen=True)
class InstrumentReport:
    instrument: str
    name: str
    people_measured: int | None
    people_with_follow_up: int | None
    mean_change: float | None
    changes: Table  # improved / no meaningful change / deteriorated, suppressed
    improved_share: int | None
    deteriorated_share: int | None
    threshold: float


def _figures(program: Program, code: str, since: datetime, until: datetime):
    instrument = instruments.get(code)
    threshold = float(instrument.meaningful_change or 0)
    direction = 1 if instrument.direction == instruments.Direction.HIGHER_IS_BETTER else -1
    sql = REPORT_SQL.format(table=EvaluationScore._meta.db_table)
    cutoff = threshold or 1e-9
    params = [
        direction,
        cutoff,
        direction,
        cutoff,
        str(program.pk).replace("-", "") if connection.vendor == "sqlite" else program.pk,
        code,
        since,
        until,
    ]
    with _report_transaction(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'")
        cursor.execute(sql, params)
        measured, follow_up, mean_change, improved, deteriorated = cursor.fetchone()
    return (
        instrument,
        threshold,
        follow_up or 0,
        mean_change,
        improved or 0,
        deteriorated or 0,
        measured or 0,
    )


def _report_transaction():
    """SET LOCAL needs a transaction on PostgreSQL; on SQLite a transaction would take the write
    lock (Hearth begins them IMMEDIATE), so the report reads outside one."""
    if connection.vendor == "postgresql":
        return transaction.atomic()
    return nullcontext()


def _measured_publishable(measured: int, follow_up: int | None) -> bool:
    """The people measured, unless the published number with a follow-up would give away a
    small number measured only once (measured minus follow-up)."""
    if not is_publishable(measured):
        return False
    return follow_up is None or is_publishable(measured - follow_up)


def program_report(program: Program, *, since: datetime, until: datetime) -> list[InstrumentReport]:
    """Per instrument used in the program in the period: people measured, people with a
    baseline and a follow-up, mean change, and how many improved or deteriorated by at least the
    instrument's meaningful change — with small counts hidden and their complements. The
    people measured are hidden too when subtracting the people with a follow-up from them
    would leave a small count (those measured once)."""
    codes = (
        EvaluationScore.objects.filter(program=program, at__gte=since, at__lt=until)
        .values_list("instrument", flat=True)
        .distinct()
    )
    reports = []
    for code in sorted(codes):
        instrument, threshold, follow_up, mean_change, improved, worse, measured = _figures(
            program, code, since, until
        )
        unchanged = follow_up - improved - worse
        table = suppress(
            ["improved", "unchanged", "deteriorated"],
            ["people"],
            [[improved], [unchanged], [worse]],
        )
        publishable = is_publishable(follow_up)
        reports.append(
            InstrumentReport(
                instrument=code,
                name=str(instrument.name),
                people_measured=(
                    measured if _measured_publishable(measured, table.grand_total()) else None
                ),
                people_with_follow_up=table.grand_total(),
                mean_change=(
                    round(mean_change, 1)
                    if publishable and follow_up and mean_change is not None
                    else None
                ),
                changes=table,
                improved_share=(
                    round(100 * improved / follow_up)
                    if publishable and table.value(0, 0) is not None and follow_up
                    else None
                ),
                deteriorated_share=(
                    round(100 * worse / follow_up)
                    if publishable and table.value(2, 0) is not None and follow_up
                    else None
                ),
                threshold=threshold,
            )
        )
    return reports
