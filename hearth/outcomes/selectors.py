"""Reads for outcomes: program reports computed from pseudonymous evaluation scores only, every
figure passed through suppression before anyone sees it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from hearth.core.suppression import Table, is_publishable, suppress

from . import instruments
from .models import EvaluationScore, Program

# First and last score of each pseudonym in the period, for those with at least two, and then
# the counts the report needs — all in the database, in one pass over the period's rows.
REPORT_SQL = """
WITH series AS (
    SELECT
        pseudonym,
        FIRST_VALUE(score) OVER (PARTITION BY pseudonym ORDER BY at, id) AS first_score,
        FIRST_VALUE(score) OVER (PARTITION BY pseudonym ORDER BY at DESC, id DESC) AS last_score,
        COUNT(*) OVER (PARTITION BY pseudonym) AS scores,
        ROW_NUMBER() OVER (PARTITION BY pseudonym ORDER BY at, id) AS position
    FROM {table}
    WHERE program_id = %s AND instrument = %s AND at >= %s AND at < %s
)
SELECT
    COUNT(*),
    AVG(last_score - first_score),
    SUM(CASE WHEN (last_score - first_score) * %s >= %s THEN 1 ELSE 0 END),
    SUM(CASE WHEN (last_score - first_score) * %s <= -%s THEN 1 ELSE 0 END),
    (SELECT COUNT(DISTINCT pseudonym) FROM {table}
     WHERE program_id = %s AND instrument = %s AND at >= %s AND at < %s)
FROM series
WHERE position = 1 AND scores >= 2
"""


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
    params = [
        str(program.pk).replace("-", "") if connection.vendor == "sqlite" else program.pk,
        code,
        since,
        until,
        direction,
        threshold or 1e-9,
        direction,
        threshold or 1e-9,
    ]
    params += params[:4]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        follow_up, mean_change, improved, deteriorated, measured = cursor.fetchone()
    return (
        instrument,
        threshold,
        follow_up or 0,
        mean_change,
        improved or 0,
        deteriorated or 0,
        measured or 0,
    )


def program_report(program: Program, *, since: datetime, until: datetime) -> list[InstrumentReport]:
    """Per instrument used in the program in the period: people measured, people with a
    baseline and a follow-up, mean change, and how many improved or deteriorated by at least the
    instrument's meaningful change — with small counts hidden and their complements."""
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
                people_measured=measured if is_publishable(measured) else None,
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
