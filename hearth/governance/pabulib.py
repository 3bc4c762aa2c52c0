"""Reading and writing participatory budgeting files in the Pabulib `.pb` format.

A `.pb` file has three sections, in this order, each a line with its name and then a header line:

    META                      PROJECTS                  VOTES
    key;value                 project_id;cost;name;…    voter_id;vote;…
    budget;500000             1;120000;Benches          v1;1,3
    vote_type;approval        …                         …

Fields are separated by semicolons (CSV quoting allowed, one record per line); a field reading
`None` is absent; costs and the budget may use a decimal comma. Only approval votes are read
(`vote_type` `approval`, or `choose-1`, an approval ballot of one).

`read()` checks everything and reports every problem with its line and field; if there is any,
it raises one `PabulibError` carrying the whole list, and returns nothing. `write()` produces a
file `read()` gives back unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

from . import budgeting

SECTIONS = ("meta", "projects", "votes")
APPROVAL_TYPES = ("approval", "choose-1")


@dataclass(frozen=True)
class Problem:
    line: int | None  # None: the end of the file (something missing)
    field: str
    message: str

    def __str__(self) -> str:
        where = (
            _("line %(line)d") % {"line": self.line} if self.line is not None else _("end of file")
        )
        if self.field:
            return f"{where}, {self.field}: {self.message}"
        return f"{where}: {self.message}"


class PabulibError(ValueError):
    """The file has problems; `problems` lists each with its line and field."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass(frozen=True)
class Project:
    code: str
    cost: Fraction
    name: str = ""
    fields: dict[str, str] = field(default_factory=dict)  # the other columns, by header


@dataclass(frozen=True)
class PabulibFile:
    meta: dict[str, str]
    budget: Fraction
    projects: tuple[Project, ...]
    votes: tuple[tuple[str, tuple[str, ...]], ...]  # (voter_id, approved project codes)
    vote_fields: tuple[dict[str, str], ...] = ()  # the other columns of each vote, by header

    def election(self) -> budgeting.Election:
        return budgeting.Election.build(
            budget=self.budget,
            costs={project.code: project.cost for project in self.projects},
            ballots=[approved for _, approved in self.votes],
        )


def _number(text: str) -> Fraction | None:
    text = text.strip().replace(",", ".")
    try:
        value = Fraction(Decimal(text))
    except (ArithmeticError, ValueError):
        return None
    return value


def read(text: str) -> PabulibFile:
    """The file's contents, or `PabulibError` listing every problem (nothing is returned then)."""
    problems: list[Problem] = []
    if text.startswith("\ufeff"):
        text = text[1:]
    section = ""
    seen: dict[str, int] = {}
    header: list[str] = []
    header_line = 0
    expecting_header = False
    meta: dict[str, str] = {}
    meta_lines: dict[str, int] = {}
    projects: list[Project] = []
    project_lines: dict[str, int] = {}
    votes: list[tuple[str, tuple[str, ...]]] = []
    vote_fields: list[dict[str, str]] = []
    voter_lines: dict[str, int] = {}
    rows = {"projects": 0, "votes": 0}
    broken_section = ""

    def problem(line: int | None, field_name: str, message) -> None:
        problems.append(Problem(line, field_name, str(message)))

    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = next(csv.reader([line], delimiter=";"))
        except csv.Error as error:
            problem(number, "", _("cannot be read: %(error)s") % {"error": error})
            continue
        first = row[0].strip().lower() if row else ""
        if first in SECTIONS and not any(value.strip() for value in row[1:]):
            if first in seen:
                problem(
                    number,
                    "",
                    _("the %(section)s section appears twice (first on line %(first)d)")
                    % {"section": first.upper(), "first": seen[first]},
                )
            missing = [name for name in SECTIONS[: SECTIONS.index(first)] if name not in seen]
            if first not in seen and missing:
                problem(
                    number,
                    "",
                    _("the %(section)s section must come after %(expected)s")
                    % {"section": first.upper(), "expected": missing[0].upper()},
                )
            seen.setdefault(first, number)
            section = first
            expecting_header = True
            continue
        if not section:
            problem(
                number,
                "",
                _("a .pb file starts with a line reading META; found “%(text)s”")
                % {"text": line.strip()[:40]},
            )
            section = "?"
            continue
        if section == "?":
            continue
        if expecting_header:
            header = [name.strip() for name in row]
            header_line = number
            expecting_header = False
            required = {"meta": ("key", "value"), "projects": ("project_id", "cost")}.get(
                section, ("voter_id", "vote")
            )
            for name in required:
                if name not in header:
                    broken_section = section
                    problem(
                        number,
                        name,
                        _("the %(section)s header has no “%(column)s” column")
                        % {"section": section.upper(), "column": name},
                    )
            if len(set(header)) != len(header):
                broken_section = section
                problem(number, "", _("a column name appears twice in the header"))
            continue
        if section == broken_section:
            continue  # its header is unusable: its rows cannot be read
        if section in rows:
            rows[section] += 1
        if len(row) != len(header):
            problem(
                number,
                "",
                _("%(found)d fields where the header (line %(header)d) has %(expected)d")
                % {"found": len(row), "header": header_line, "expected": len(header)},
            )
            continue
        values = {
            name: value.strip()
            for name, value in zip(header, row, strict=True)
            if value.strip().lower() != "none"
        }
        if section == "meta":
            key = row[0].strip()
            if key in meta_lines:
                problem(
                    number,
                    key,
                    _("already given on line %(first)d") % {"first": meta_lines[key]},
                )
                continue
            meta[key] = row[1].strip() if len(row) > 1 else ""
            meta_lines[key] = number
        elif section == "projects":
            _read_project(number, values, projects, project_lines, problem)
        elif section == "votes":
            _read_vote(number, values, votes, vote_fields, voter_lines, project_lines, problem)

    for name in SECTIONS:
        if name not in seen:
            problem(None, "", _("the %(section)s section is missing") % {"section": name.upper()})
        elif name == section and expecting_header:
            problem(
                None, "", _("the %(section)s section has no header") % {"section": name.upper()}
            )

    budget = _check_meta(meta, meta_lines, rows, "meta" in seen, problem)
    if problems:
        raise PabulibError(sorted(problems, key=lambda p: (p.line is None, p.line or 0)))
    return PabulibFile(
        meta=meta,
        budget=budget,
        projects=tuple(projects),
        votes=tuple(votes),
        vote_fields=tuple(vote_fields),
    )


def _read_project(number, values, projects, project_lines, problem) -> None:
    code = values.get("project_id", "")
    if not code:
        problem(number, "project_id", _("a project needs an id"))
        return
    if code in project_lines:
        problem(
            number,
            "project_id",
            _("project “%(code)s” is already listed on line %(first)d")
            % {"code": code, "first": project_lines[code]},
        )
        return
    project_lines[code] = number
    cost = _number(values.get("cost", ""))
    if cost is None:
        problem(
            number,
            "cost",
            _("“%(value)s” is not a number") % {"value": values.get("cost", "")},
        )
        return
    if cost < 0:
        problem(number, "cost", _("a cost cannot be negative"))
        return
    others = {k: v for k, v in values.items() if k not in ("project_id", "cost", "name")}
    projects.append(Project(code=code, cost=cost, name=values.get("name", ""), fields=others))


def _read_vote(number, values, votes, vote_fields, voter_lines, project_lines, problem) -> None:
    voter = values.get("voter_id", "")
    if not voter:
        problem(number, "voter_id", _("a vote needs a voter id"))
        return
    if voter in voter_lines:
        problem(
            number,
            "voter_id",
            _("voter “%(voter)s” already voted on line %(first)d")
            % {"voter": voter, "first": voter_lines[voter]},
        )
        return
    voter_lines[voter] = number
    codes = [code.strip() for code in values.get("vote", "").split(",") if code.strip()]
    broken = False
    for code in codes:
        if code not in project_lines:
            problem(
                number,
                "vote",
                _("project “%(code)s” is not in the PROJECTS section") % {"code": code},
            )
            broken = True
    if len(set(codes)) != len(codes):
        problem(number, "vote", _("a project is approved twice"))
        broken = True
    if not broken:
        votes.append((voter, tuple(codes)))
        vote_fields.append({k: v for k, v in values.items() if k not in ("voter_id", "vote")})


def _check_meta(meta, meta_lines, rows, has_meta, problem) -> Fraction:
    budget = Fraction(0)
    if not has_meta:
        return budget
    if "budget" not in meta:
        problem(None, "budget", _("META has no budget"))
    else:
        value = _number(meta["budget"])
        if value is None or value < 0:
            problem(
                meta_lines["budget"],
                "budget",
                _("“%(value)s” is not an amount") % {"value": meta["budget"]},
            )
        else:
            budget = value
    vote_type = meta.get("vote_type")
    if vote_type is None:
        problem(None, "vote_type", _("META has no vote_type"))
    elif vote_type not in APPROVAL_TYPES:
        problem(
            meta_lines["vote_type"],
            "vote_type",
            _("only approval votes can be read, not “%(type)s”") % {"type": vote_type},
        )
    for key, found in (("num_projects", rows["projects"]), ("num_votes", rows["votes"])):
        if key in meta:
            stated = meta[key].strip()
            if not stated.isdigit():
                problem(meta_lines[key], key, _("“%(value)s” is not a count") % {"value": stated})
            elif int(stated) != found:
                problem(
                    meta_lines[key],
                    key,
                    _("says %(stated)s but the file has %(found)d")
                    % {"stated": stated, "found": found},
                )
    return budget


def _amount_text(value) -> str:
    amount = budgeting.as_amount(value) if not isinstance(value, Fraction) else value
    decimal = Decimal(amount.numerator) / Decimal(amount.denominator)
    if Fraction(decimal) != amount:
        raise ValueError(f"{amount} has no exact decimal form")
    if amount.denominator == 1:
        return str(amount.numerator)
    return format(decimal.normalize(), "f")


def write(
    *,
    meta: Mapping[str, object],
    budget,
    projects: Iterable[Project | tuple],
    votes: Iterable[tuple],
) -> str:
    """A `.pb` file. `projects`: `Project`s or (code, cost, name) tuples; `votes`: (voter_id,
    approved codes) or (voter_id, approved codes, other fields) tuples. `num_projects`,
    `num_votes`, `budget` and `vote_type` are set from the data; empty meta values are left out."""
    project_list = [
        item
        if isinstance(item, Project)
        else Project(code=str(item[0]), cost=item[1], name=item[2])
        for item in projects
    ]
    vote_list = [
        (str(item[0]), [str(code) for code in item[1]], dict(item[2]) if len(item) > 2 else {})
        for item in votes
    ]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    out.write("META\n")
    writer.writerow(["key", "value"])
    fixed = {
        "num_projects": len(project_list),
        "num_votes": len(vote_list),
        "budget": _amount_text(budget),
        "vote_type": "approval",
    }
    rows = {str(k): v for k, v in meta.items() if v not in (None, "") and k not in fixed}
    for key, value in {**rows, **fixed}.items():
        writer.writerow([key, str(value)])

    extra_project = sorted({name for p in project_list for name in p.fields})
    out.write("PROJECTS\n")
    writer.writerow(["project_id", "cost", "name", *extra_project])
    for project in project_list:
        writer.writerow(
            [
                project.code,
                _amount_text(project.cost),
                project.name or "None",
                *(project.fields.get(name, "None") for name in extra_project),
            ]
        )

    extra_vote = sorted({name for _, _, fields in vote_list for name in fields})
    out.write("VOTES\n")
    writer.writerow(["voter_id", "vote", *extra_vote])
    for voter, approved, fields in vote_list:
        writer.writerow([voter, ",".join(approved), *(fields.get(n, "None") for n in extra_vote)])
    return out.getvalue()
