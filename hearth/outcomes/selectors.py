"""Reads for outcomes: program reports computed from pseudonymous evaluation scores only, every
figure passed through suppression before anyone sees it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from hearth.core.suppression import Table, is_publishable, suppress

from . import instruments
from .models import CustomForm, EvaluationScore, Program

# The first and last score of each pseudonym in the period (by time, then by score for two
# scores in the same microsecond), and then the counts the report needs, all in the database.
# Both read one program's scores on one instrument straight from `evaluation_report_idx`
# (program, instrument, pseudonym, at, score), which holds them in order of pseudonym and time:
# no table row is read and nothing is sorted. On 1,000,000 scores this is several times faster
# than windows over the table (benchmarks/outcomes.py).

# PostgreSQL: one window pass in index order; the last row of each pseudonym (it has no next
# score) carries the first score and its position, which is the pseudonym's number of scores.
POSTGRESQL_REPORT_SQL = """
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
        ROW_NUMBER() OVER running AS scores,
        LEAD(score) OVER running AS next_score
    FROM {table}
    WHERE program_id = %s AND instrument = %s AND at >= %s AND at < %s
    WINDOW running AS (PARTITION BY pseudonym ORDER BY at, score)
) AS series
WHERE next_score IS NULL
"""

# SQLite runs window functions several times slower than this: count each pseudonym's scores
# in one grouped pass over the index, and look its first and last score up in the same index
# (two short index searches per pseudonym).
SQLITE_REPORT_SQL = """
SELECT
    COUNT(*),
    SUM(CASE WHEN scores >= 2 THEN 1 ELSE 0 END),
    AVG(CASE WHEN scores >= 2 THEN last_score - first_score END),
    SUM(CASE WHEN scores >= 2 AND (last_score - first_score) * %s >= %s THEN 1 ELSE 0 END),
    SUM(CASE WHEN scores >= 2 AND (last_score - first_score) * %s <= -%s THEN 1 ELSE 0 END)
FROM (
    SELECT
        COUNT(*) AS scores,
        (
            SELECT one.score FROM {table} AS one
            WHERE one.program_id = %s AND one.instrument = %s AND one.at >= %s AND one.at < %s
                AND one.pseudonym = person.pseudonym
            ORDER BY one.at, one.score
            LIMIT 1
        ) AS first_score,
        (
            SELECT one.score FROM {table} AS one
            WHERE one.program_id = %s AND one.instrument = %s AND one.at >= %s AND one.at < %s
                AND one.pseudonym = person.pseudonym
            ORDER BY one.at DESC, one.score DESC
            LIMIT 1
        ) AS last_score
    FROM {table} AS person
    WHERE person.program_id = %s AND person.instrument = %s
        AND person.at >= %s AND person.at < %s
    GROUP BY person.pseudonym
) AS series
"""


def check_in_forms(organization) -> list[CustomForm]:
    """The organization's own uploaded forms that check-ins may use (active, for check-ins),
    by title: what staff may offer and a person may start, beside the instruments."""
    return list(
        CustomForm.objects.filter(
            organization=organization, use=CustomForm.Use.CHECK_IN, is_active=True
        ).order_by("title", "uploaded_at")
    )


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
    table = EvaluationScore._meta.db_table
    cutoff = threshold or 1e-9
    # Raw SQL: values as the ORM would write them (on SQLite, UTC text without an offset).
    adapt = connection.ops.adapt_datetimefield_value
    where = [
        str(program.pk).replace("-", "") if connection.vendor == "sqlite" else program.pk,
        code,
        adapt(since),
        adapt(until),
    ]
    params = [direction, cutoff, direction, cutoff, *where]
    if connection.vendor == "sqlite":
        sql = SQLITE_REPORT_SQL.format(table=table)
        params += where + where
    else:
        sql = POSTGRESQL_REPORT_SQL.format(table=table)
    with connection.cursor() as cursor:
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
    reports = []
    # Asking each instrument of the library is a few index look-ups; finding which ones the
    # program used would read every score of the program.
    for code in sorted(item.code for item in instruments.all_instruments()):
        instrument, threshold, follow_up, mean_change, improved, worse, measured = _figures(
            program, code, since, until
        )
        if not measured:
            continue
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
