"""Publishing counts without re-identifying anyone: small-cell suppression with complementary
suppression (REFERENCES §9).

A table is rows of counts with row and column totals. Any non-zero count below the threshold
(default 11, `HEARTH_SUPPRESSION_THRESHOLD`) is hidden; then, wherever a row or column holds
exactly one hidden cell beside a published total, the next smallest non-zero cell in it is hidden
too, so no hidden value can be recovered by subtraction. Totals below the threshold are hidden
as well.
Anything derived from a hidden count (a rate, a mean, a median) is hidden with it: callers ask
`is_publishable(n)`."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


def threshold() -> int:
    return settings.HEARTH_SUPPRESSION_THRESHOLD


def is_publishable(count: int | None, *, minimum: int | None = None) -> bool:
    """Can a figure based on `count` people be shown? Zero is a fact, not a person."""
    if count is None:
        return False
    return count == 0 or count >= (minimum or threshold())


@dataclass
class Table:
    """Counts with margins; `hidden` holds (row, column) of suppressed cells, with column -1
    for a row total, row -1 for a column total and (-1, -1) for the grand total."""

    rows: list[str]
    columns: list[str]
    cells: list[list[int]]
    hidden: set[tuple[int, int]]

    def value(self, row: int, column: int) -> int | None:
        return None if (row, column) in self.hidden else self.cells[row][column]

    def row_total(self, row: int) -> int | None:
        return None if (row, -1) in self.hidden else sum(self.cells[row])

    def column_total(self, column: int) -> int | None:
        if (-1, column) in self.hidden:
            return None
        return sum(row[column] for row in self.cells)

    def grand_total(self) -> int | None:
        return None if (-1, -1) in self.hidden else sum(map(sum, self.cells))

    def as_rows(self) -> list[dict]:
        return [
            {
                "label": label,
                "values": [self.value(r, c) for c in range(len(self.columns))],
                "total": self.row_total(r),
            }
            for r, label in enumerate(self.rows)
        ]


def _small(value: int, limit: int) -> bool:
    return 0 < value < limit


def suppress(
    rows: list[str], columns: list[str], cells: list[list[int]], *, limit: int | None = None
) -> Table:
    limit = limit or threshold()
    hidden: set[tuple[int, int]] = {
        (r, c) for r, row in enumerate(cells) for c, value in enumerate(row) if _small(value, limit)
    }
    for r, row in enumerate(cells):
        if _small(sum(row), limit):
            hidden.add((r, -1))
    for c in range(len(columns)):
        if _small(sum(row[c] for row in cells), limit):
            hidden.add((-1, c))
    if _small(sum(map(sum, cells)), limit):
        hidden.add((-1, -1))

    def lines():
        # Every line of cells that sums to a margin: rows (with their total), columns (with
        # theirs), the row totals (with the grand total) and the column totals (with it too).
        for r in range(len(cells)):
            yield [(r, c) for c in range(len(columns))], (r, -1)
        for c in range(len(columns)):
            yield [(r, c) for r in range(len(cells))], (-1, c)
        yield [(r, -1) for r in range(len(cells))], (-1, -1)
        yield [(-1, c) for c in range(len(columns))], (-1, -1)

    def worth(position):
        r, c = position
        if r == -1 and c == -1:
            return sum(map(sum, cells))
        if c == -1:
            return sum(cells[r])
        if r == -1:
            return sum(row[c] for row in cells)
        return cells[r][c]

    changed = True
    while changed:
        changed = False
        for members, total in lines():
            if total in hidden or len(members) < 2:
                continue
            hidden_members = [m for m in members if m in hidden]
            if len(hidden_members) != 1:
                continue
            # The smallest non-zero cell: hiding a zero protects little when zeros are known.
            candidates = sorted(
                (m for m in members if m not in hidden), key=lambda m: (worth(m) == 0, worth(m))
            )
            if candidates:
                hidden.add(candidates[0])
            else:  # pragma: no cover - a line of one cell is skipped above
                hidden.add(total)
            changed = True
    return Table(rows=rows, columns=columns, cells=cells, hidden=hidden)
