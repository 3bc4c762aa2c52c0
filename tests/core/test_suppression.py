import itertools

import pytest

from hearth.core.suppression import is_publishable, suppress


def test_small_nonzero_counts_are_hidden_but_zero_is_shown():
    table = suppress(["a", "b", "c"], ["n"], [[0], [4], [30]], limit=11)

    assert table.value(0, 0) == 0
    assert table.value(1, 0) is None
    assert table.value(2, 0) is None  # its complement: the total would give 4 away


def test_one_hidden_cell_beside_a_published_total_takes_a_complement_with_it():
    table = suppress(["a", "b", "c"], ["n"], [[4], [20], [30]], limit=11)

    # 4 is hidden; with the total 54 published, 20 must be hidden too or 4 = 54 - 20 - 30.
    assert [table.value(r, 0) for r in range(3)] == [None, None, 30]
    assert table.grand_total() == 54


def test_a_small_total_is_hidden_with_its_cells():
    table = suppress(["a", "b"], ["n"], [[3], [4]], limit=11)

    assert table.grand_total() is None
    assert [table.value(r, 0) for r in range(2)] == [None, None]


@pytest.mark.parametrize("seed", range(40))
def test_no_hidden_cell_can_be_worked_out_from_a_row_or_column_by_subtraction(seed):
    import random

    generator = random.Random(seed)
    cells = [[generator.choice([0, 1, 3, 7, 12, 15, 40]) for _ in range(4)] for _ in range(3)]

    table = suppress(["r0", "r1", "r2"], ["c0", "c1", "c2", "c3"], cells, limit=11)

    lines = [[(r, c) for c in range(4)] + [(r, -1)] for r in range(3)]
    lines += [[(r, c) for r in range(3)] + [(-1, c)] for c in range(4)]
    lines.append([(r, -1) for r in range(3)] + [(-1, -1)])
    lines.append([(-1, c) for c in range(4)] + [(-1, -1)])
    for line in lines:
        hidden = [position for position in line if position in table.hidden]
        assert len(hidden) != 1, (cells, line, table.hidden)
    for r, c in itertools.product(range(3), range(4)):
        if 0 < cells[r][c] < 11:
            assert (r, c) in table.hidden


def test_figures_from_few_people_are_not_publishable():
    assert is_publishable(0, minimum=11)
    assert not is_publishable(10, minimum=11)
    assert is_publishable(11, minimum=11)
    assert not is_publishable(None)
