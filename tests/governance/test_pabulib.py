"""Pabulib `.pb` files: reading, writing, and every problem located."""

from fractions import Fraction

import pytest
from django.utils import translation
from pabutools.election import Cost_Sat
from pabutools.election.pabulib import parse_pabulib_from_string
from pabutools.rules import (
    completion_by_rule_combination,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
)

from hearth.governance import pabulib
from hearth.governance.budgeting import equal_shares

GOOD = """META
key;value
description;Riverside 2026
country;Nowhere
unit;Riverside
instance;2026
num_projects;3
num_votes;4
budget;1000,50
vote_type;approval
rule;equalshares
PROJECTS
project_id;cost;name;category
1;600;Community garden;environment
2;400.25;Benches;None
10;250;Reading room;culture,education
VOTES
voter_id;vote;age
v1;1,2;34
v2;1;None
v3;10,2;71

v4;;None
"""


def test_a_good_file_is_read():
    parsed = pabulib.read(GOOD)
    assert parsed.budget == Fraction(2001, 2)
    assert parsed.meta["description"] == "Riverside 2026"
    assert [(p.code, p.cost, p.name) for p in parsed.projects] == [
        ("1", 600, "Community garden"),
        ("2", Fraction(1601, 4), "Benches"),
        ("10", 250, "Reading room"),
    ]
    assert parsed.projects[2].fields == {"category": "culture,education"}
    assert parsed.projects[1].fields == {}  # "None" is an absent value
    assert parsed.votes == (("v1", ("1", "2")), ("v2", ("1",)), ("v3", ("10", "2")), ("v4", ()))
    assert parsed.vote_fields == ({"age": "34"}, {}, {"age": "71"}, {})


def test_it_reads_as_pabutools_does():
    parsed = pabulib.read(GOOD)
    instance, profile = parse_pabulib_from_string(GOOD)
    assert parsed.budget == instance.budget_limit
    assert {p.code: p.cost for p in parsed.projects} == {p.name: p.cost for p in instance}
    assert [set(approved) for _, approved in parsed.votes] == [
        {p.name for p in ballot} for ballot in profile
    ]
    reference = completion_by_rule_combination(
        instance,
        profile,
        [method_of_equal_shares, greedy_utilitarian_welfare],
        [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}],
    )
    assert list(equal_shares(parsed.election()).funded) == [p.name for p in reference]


def test_round_trip():
    # Given a file read, written and read again
    parsed = pabulib.read(GOOD)
    written = pabulib.write(
        meta=parsed.meta,
        budget=parsed.budget,
        projects=parsed.projects,
        votes=[(v, a, f) for (v, a), f in zip(parsed.votes, parsed.vote_fields, strict=True)],
    )

    # Then nothing changed but the budget's spelling, and writing again gives the same text
    again = pabulib.read(written)
    assert again.meta == {**parsed.meta, "budget": "1000.5"}
    assert (again.budget, again.projects, again.votes, again.vote_fields) == (
        parsed.budget,
        parsed.projects,
        parsed.votes,
        parsed.vote_fields,
    )
    assert (
        pabulib.write(
            meta=again.meta,
            budget=again.budget,
            projects=again.projects,
            votes=[(v, a, f) for (v, a), f in zip(again.votes, again.vote_fields, strict=True)],
        )
        == written
    )


def test_writing_from_plain_tuples():
    text = pabulib.write(
        meta={"description": "A; B", "max_length": None},
        budget=Fraction(1001, 2),
        projects=[("a", 300, "Benches"), ("b", "200.5", "")],
        votes=[(1, ["a"]), (2, ["a", "b"])],
    )
    assert text == (
        "META\nkey;value\n"
        'description;"A; B"\nnum_projects;2\nnum_votes;2\nbudget;500.5\nvote_type;approval\n'
        "PROJECTS\nproject_id;cost;name\na;300;Benches\nb;200.5;None\n"
        "VOTES\nvoter_id;vote\n1;a\n2;a,b\n"
    )
    assert pabulib.read(text).votes == (("1", ("a",)), ("2", ("a", "b")))


def problems_of(text):
    with translation.override("en"), pytest.raises(pabulib.PabulibError) as error:
        pabulib.read(text)
    return [str(problem) for problem in error.value.problems]


def test_a_file_that_does_not_start_with_meta():
    assert problems_of("PROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote\n") == [
        "line 1: the PROJECTS section must come after META",
        "line 4: the VOTES section must come after META",
        "end of file: the META section is missing",
    ]
    assert (
        problems_of("title;x\n")[0]
        == "line 1: a .pb file starts with a line reading META; found “title;x”"
    )


def test_a_missing_section_and_a_bad_header():
    text = "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nid;price\n1;5\n"
    assert problems_of(text) == [
        "line 6, project_id: the PROJECTS header has no “project_id” column",
        "line 6, cost: the PROJECTS header has no “cost” column",
        "end of file: the VOTES section is missing",
    ]


def test_every_problem_is_listed_with_its_line_and_nothing_is_returned():
    text = (
        "META\n"  # 1
        "key;value\n"  # 2
        "budget;lots\n"  # 3
        "vote_type;approval\n"  # 4
        "num_votes;3\n"  # 5
        "PROJECTS\n"  # 6
        "project_id;cost;name\n"  # 7
        "1;12x;Garden\n"  # 8
        "2;5;Benches\n"  # 9
        "2;6;Benches again\n"  # 10
        "3;-4;Refund\n"  # 11
        "VOTES\n"  # 12
        "voter_id;vote\n"  # 13
        "v1;1,9\n"  # 14
        "v1;2\n"  # 15
        "v2;2,2\n"  # 16
        "v3;2;extra\n"  # 17
    )
    assert problems_of(text) == [
        "line 3, budget: “lots” is not an amount",
        "line 5, num_votes: says 3 but the file has 4",
        "line 8, cost: “12x” is not a number",
        "line 10, project_id: project “2” is already listed on line 9",
        "line 11, cost: a cost cannot be negative",
        "line 14, vote: project “9” is not in the PROJECTS section",
        "line 15, voter_id: voter “v1” already voted on line 14",
        "line 16, vote: a project is approved twice",
        "line 17: 3 fields where the header (line 13) has 2",
    ]


def test_a_vote_for_an_unknown_project_and_a_non_approval_file():
    text = (
        "META\nkey;value\nbudget;100\nvote_type;ordinal\n"
        "PROJECTS\nproject_id;cost\nA;50\n"
        "VOTES\nvoter_id;vote\n1;A,B\n"
    )
    assert problems_of(text) == [
        "line 4, vote_type: only approval votes can be read, not “ordinal”",
        "line 10, vote: project “B” is not in the PROJECTS section",
    ]


def test_meta_without_a_budget():
    text = "META\nkey;value\nvote_type;approval\nPROJECTS\nproject_id;cost\nVOTES\nvoter_id;vote\n"
    assert problems_of(text) == ["end of file, budget: META has no budget"]
