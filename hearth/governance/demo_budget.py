"""Demo participatory budgeting and open books (`hearth demo`), after the demo circles:

- the Riverbend Valley coalition's "Valley community fund" round, closed, with its results by
  equal shares and greedy side by side, and progress on two funded projects;
- the lived-experience advisory board's "Wellbeing micro-grants" round, open for voting, in
  which the community member Jordan Ellis has not voted yet;
- a year of Willow Commons Therapy Cooperative's books: a chart of accounts, a budget, monthly
  fees, rent and wages, and expenses in every status.

Everything goes through the services, so it is audited like any other change. Idempotent."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from hearth.accounts.models import Organization, User

from . import budget_services, ledger_services
from . import demo as circles_demo
from .models import Account, BudgetProject, BudgetRound, Circle, Ledger

FUND_NAME = "Valley community fund 2025"
MICRO_GRANTS_NAME = "Wellbeing micro-grants"
BOOKS_NAME = "Willow Commons Therapy Cooperative"

FUND_PROJECTS = [
    ("Evening peer support drop-in", "6000"),
    ("Interpreters for first appointments", "5000"),
    ("Bus passes for appointments", "3000"),
    ("Community garden beds at Cedar Falls", "4000"),
    ("Youth studio open nights", "5000"),
    ("Legal clinic outreach van", "8000"),
]
# Ballots of the coalition's seven members, by project number (1-based, as listed above).
FUND_BALLOTS = {
    "amara@hearth.example": [1, 2, 3],
    "hyunwoo@hearth.example": [1, 3],
    "naomi@hearth.example": [2, 6],
    "sam@hearth.example": [1, 4, 5],
    "meilin@hearth.example": [2, 3],
    "david@hearth.example": [6],
    "lucia@hearth.example": [4, 5],
}
MICRO_GRANTS = [
    ("Quiet room cushions and lamps", "400"),
    ("Peer-led walking group snacks", "250"),
    ("Childcare during advisory meetings", "900"),
    ("Phone credit for people without data", "600"),
]
MICRO_BALLOTS = {"sam@hearth.example": [3, 4], "meilin@hearth.example": [1, 3]}


def _users(emails) -> dict[str, User]:
    return User.objects.in_bulk(list(emails), field_name="email")


def _fund(circle: Circle, users: dict[str, User]) -> None:
    if BudgetRound.objects.filter(circle=circle, name=FUND_NAME).exists():
        return
    facilitator = users["amara@hearth.example"]
    budget_round = budget_services.round_create(
        actor=facilitator,
        circle=circle,
        name=FUND_NAME,
        description=(
            "Community funding the network holds for the year. Members of the coalition "
            "proposed projects; every member approves the ones they want funded."
        ),
        budget="15000",
        rule=BudgetRound.Rule.EQUAL_SHARES,
        min_projects=1,
        max_projects=3,
    )
    proposers = list(FUND_BALLOTS)
    codes = []
    for index, (name, cost) in enumerate(FUND_PROJECTS):
        project = budget_services.project_propose(
            actor=users[proposers[index % len(proposers)]],
            budget_round=budget_round,
            name=name,
            cost=cost,
        )
        codes.append(project.code)
    budget_services.round_open_voting(actor=facilitator, budget_round=budget_round)
    for email, numbers in FUND_BALLOTS.items():
        budget_services.ballot_cast(
            actor=users[email],
            budget_round=budget_round,
            projects=[codes[number - 1] for number in numbers],
        )
    budget_round = budget_services.round_close(actor=facilitator, budget_round=budget_round)
    funded = list(BudgetProject.objects.filter(round=budget_round, funded=True).order_by("code"))
    progress = [
        (BudgetProject.Accountability.IN_PROGRESS, 60, "The drop-in opens on Tuesday evenings."),
        (BudgetProject.Accountability.DONE, 100, "Passes handed out at three clinics."),
    ]
    for project, (status, percent, body) in zip(funded, progress, strict=False):
        budget_services.project_update_progress(
            actor=facilitator,
            project=project,
            accountability=status,
            progress_percent=percent,
            body=body,
        )


def _micro_grants(circle: Circle, users: dict[str, User]) -> None:
    if BudgetRound.objects.filter(circle=circle, name=MICRO_GRANTS_NAME).exists():
        return
    facilitator = users["sam@hearth.example"]
    budget_round = budget_services.round_create(
        actor=facilitator,
        circle=circle,
        name=MICRO_GRANTS_NAME,
        description=(
            "Small grants the board decides on itself, for things that make services kinder."
        ),
        budget="1200",
        rule=BudgetRound.Rule.EQUAL_SHARES,
        min_projects=1,
        max_projects=2,
    )
    codes = [
        budget_services.project_propose(
            actor=facilitator, budget_round=budget_round, name=name, cost=cost
        ).code
        for name, cost in MICRO_GRANTS
    ]
    budget_services.round_open_voting(actor=facilitator, budget_round=budget_round)
    for email, numbers in MICRO_BALLOTS.items():
        budget_services.ballot_cast(
            actor=users[email],
            budget_round=budget_round,
            projects=[codes[number - 1] for number in numbers],
        )


CHART = [
    ("1000", "Bank account", Account.Kind.ASSET),
    ("3000", "Members' capital", Account.Kind.EQUITY),
    ("4000", "Session fees", Account.Kind.INCOME),
    ("4100", "Grants", Account.Kind.INCOME),
    ("5000", "Wages", Account.Kind.EXPENSE),
    ("5100", "Rent", Account.Kind.EXPENSE),
    ("5200", "Supervision and training", Account.Kind.EXPENSE),
    ("5300", "Supplies", Account.Kind.EXPENSE),
]
BUDGET = {
    "4000": "96000",
    "4100": "12000",
    "5000": "72000",
    "5100": "18000",
    "5200": "6000",
    "5300": "2400",
}


def _books(organization: Organization, users: dict[str, User]) -> None:
    if Ledger.objects.filter(organization=organization, name=BOOKS_NAME).exists():
        return
    admin = users["hyunwoo@hearth.example"]
    member = users["leila@hearth.example"]
    ledger = ledger_services.ledger_create(
        actor=admin,
        name=BOOKS_NAME,
        organization=organization,
        is_public=True,
        second_approval_above=None,
    )
    accounts = {
        code: ledger_services.account_add(
            actor=admin, ledger=ledger, code=code, name=name, kind=kind
        )
        for code, name, kind in CHART
    }
    year = timezone.localdate().year - 1
    for code, amount in BUDGET.items():
        ledger_services.budget_line_set(
            actor=admin, ledger=ledger, account=accounts[code], year=year, amount=amount
        )
    bank = accounts["1000"]
    ledger_services.movement_record(
        actor=admin,
        ledger=ledger,
        on=date(year, 1, 2),
        description="Members' capital paid in",
        lines=[(bank, "20000", 0), (accounts["3000"], 0, "20000")],
    )
    ledger_services.movement_record(
        actor=admin,
        ledger=ledger,
        on=date(year, 3, 15),
        description="Valley foundation grant",
        category="Grants",
        lines=[(bank, "12000", 0), (accounts["4100"], 0, "12000")],
    )
    for month in range(1, 13):
        fees = Decimal("7600") + Decimal(month * 90)
        for description, account, amount, day, income in [
            ("Session fees", accounts["4000"], fees, 28, True),
            ("Wages", accounts["5000"], Decimal("6000"), 25, False),
            ("Rent", accounts["5100"], Decimal("1500"), 1, False),
        ]:
            lines = (
                [(bank, amount, 0), (account, 0, amount)]
                if income
                else [(account, amount, 0), (bank, 0, amount)]
            )
            ledger_services.movement_record(
                actor=admin,
                ledger=ledger,
                on=date(year, month, day),
                description=f"{description}, {date(year, month, 1):%B}",
                category=description,
                lines=lines,
            )

    # Expenses in every status (the submitter never approves their own).
    def expense(description, amount, account, on, *, by=member, **fields):
        return ledger_services.expense_create(
            actor=by,
            ledger=ledger,
            account=accounts[account],
            amount=amount,
            description=description,
            category=fields.pop("category", "Supplies"),
            spent_on=on,
            payment_details=fields.pop("payment_details", "Reimburse to the member's account"),
            **fields,
        )

    paid = expense(
        "Trauma-informed supervision day", "850", "5200", date(year, 4, 9), category="Training"
    )
    ledger_services.expense_approve(actor=admin, expense=paid)
    ledger_services.expense_pay(
        actor=admin, expense=paid, paid_from=bank, paid_on=date(year, 4, 20)
    )
    paid = expense("Art supplies for the group room", "145.60", "5300", date(year, 6, 3))
    ledger_services.expense_approve(actor=admin, expense=paid)
    ledger_services.expense_pay(
        actor=admin, expense=paid, paid_from=bank, paid_on=date(year, 6, 10)
    )
    approved = expense("Sensory kit for the waiting room", "220", "5300", date(year, 11, 14))
    ledger_services.expense_approve(actor=admin, expense=approved)
    expense("Books for the lending shelf", "96.40", "5300", date(year, 12, 2))
    rejected = expense(
        "Taxi after a late session", "38", "5300", date(year, 9, 12), category="Travel"
    )
    ledger_services.expense_reject(
        actor=admin, expense=rejected, reason="Claim it as travel instead."
    )
    cancelled = expense("Printer ink", "64", "5300", date(year, 10, 1))
    ledger_services.expense_cancel(actor=member, expense=cancelled)
    expense(
        "Conference ticket", "310", "5200", date(year, 12, 20), submit=False, category="Training"
    )
    # Hyun-woo's own expense waits for someone else: Leila cannot approve (not an admin).
    expense(
        "Locksmith for the therapy room",
        "180",
        "5300",
        timezone.localdate() - timedelta(days=3),
        by=admin,
        category="Repairs",
    )


@transaction.atomic
def load(*, organizations: dict[str, Organization] | None = None) -> None:
    """Add the demo budgeting rounds and books (once), after the demo circles."""
    circles_demo.load(organizations=organizations)
    if organizations is None:
        organizations = Organization.objects.in_bulk(field_name="slug")
    emails = set(FUND_BALLOTS) | set(MICRO_BALLOTS) | {"leila@hearth.example"}
    users = _users(emails)
    coalition = Circle.objects.get(slug=circles_demo.COALITION_SLUG)
    advisory = Circle.objects.get(slug=circles_demo.ADVISORY_SLUG)
    _fund(coalition, users)
    _micro_grants(advisory, users)
    _books(organizations["willow-commons-therapy"], users)
