"""Reads of the open books, with who may see what (REFERENCES §8).

- The keepers of a ledger are the admins of its organization, or the facilitators of its circle.
  They record movements and approve, reject and pay expenses.
- Its readers (the member view: everything, attachments and payment details included) are the
  organization's members with a staff role (not viewers), or every member of the circle. Readers
  may submit expenses.
- Anyone may read the public view of a public ledger: amount, description, category and date of
  each approved or paid expense and of each movement, and budget against actual. Never an
  attachment, payment details or who submitted.

Every `*_for_reader` / `*_for_keeper` lookup raises `Http404` alike for a missing ledger and for
one the user may not see."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.http import Http404

from hearth.accounts.models import Membership, Role, User

from .models import Account, BudgetLine, Circle, CircleMember, Expense, JournalLine, Ledger

READER_ROLES = frozenset({Role.ADMIN, Role.PRACTITIONER, Role.PEER_SUPPORTER})
PUBLIC_EXPENSE_STATUSES = (Expense.Status.APPROVED, Expense.Status.PAID)


def _keeper_filter(user: User) -> Q:
    return Q(
        organization__memberships__user_id=user.pk,
        organization__memberships__role=Role.ADMIN,
    ) | Q(circle__members__user_id=user.pk, circle__members__role=CircleMember.Role.FACILITATOR)


def _reader_filter(user: User) -> Q:
    return Q(
        organization__memberships__user_id=user.pk,
        organization__memberships__role__in=READER_ROLES,
    ) | Q(circle__members__user_id=user.pk)


def can_keep(user: User, ledger: Ledger) -> bool:
    if not user.is_authenticated:
        return False
    if ledger.organization_id:
        return Membership.objects.filter(
            user_id=user.pk, organization_id=ledger.organization_id, role=Role.ADMIN
        ).exists()
    return CircleMember.objects.filter(
        user_id=user.pk, circle_id=ledger.circle_id, role=CircleMember.Role.FACILITATOR
    ).exists()


def can_read(user: User, ledger: Ledger) -> bool:
    if not user.is_authenticated:
        return False
    if ledger.organization_id:
        return Membership.objects.filter(
            user_id=user.pk, organization_id=ledger.organization_id, role__in=READER_ROLES
        ).exists()
    return CircleMember.objects.filter(user_id=user.pk, circle_id=ledger.circle_id).exists()


def ledgers_of(user: User) -> QuerySet[Ledger]:
    """The ledgers whose member view the user may read."""
    if not user.is_authenticated:
        return Ledger.objects.none()
    return (
        Ledger.objects.filter(_reader_filter(user))
        .select_related("organization", "circle")
        .distinct()
        .order_by("name")
    )


def circle_ledgers(circle: Circle) -> QuerySet[Ledger]:
    """The books of a circle (every member of the circle may read them)."""
    return Ledger.objects.filter(circle=circle).order_by("name")


def ledger_for_reader(user: User, ledger_id) -> Ledger:
    ledger = (
        Ledger.objects.filter(pk=ledger_id)
        .filter(_reader_filter(user))
        .select_related("organization", "circle")
        .first()
        if user.is_authenticated
        else None
    )
    if ledger is None:
        raise Http404
    return ledger


def ledger_for_keeper(user: User, ledger_id) -> Ledger:
    ledger = (
        Ledger.objects.filter(pk=ledger_id)
        .filter(_keeper_filter(user))
        .select_related("organization", "circle")
        .first()
        if user.is_authenticated
        else None
    )
    if ledger is None:
        raise Http404
    return ledger


def public_ledger(ledger_id) -> Ledger:
    ledger = (
        Ledger.objects.filter(pk=ledger_id, is_public=True)
        .select_related("organization", "circle")
        .first()
    )
    if ledger is None:
        raise Http404
    return ledger


def expense_for_reader(user: User, expense_id) -> Expense:
    expense = (
        Expense.objects.filter(pk=expense_id)
        .select_related("ledger", "account", "submitted_by", "approved_by", "second_approved_by")
        .first()
    )
    if expense is None or not can_read(user, expense.ledger):
        raise Http404
    return expense


def ledger_accounts(ledger: Ledger) -> QuerySet[Account]:
    return Account.objects.filter(ledger=ledger).order_by("code")


def member_expenses(ledger: Ledger) -> QuerySet[Expense]:
    return (
        Expense.objects.filter(ledger=ledger)
        .select_related("account", "submitted_by", "approved_by", "second_approved_by")
        .order_by("-spent_on", "-created_at")
    )


def public_expenses(ledger: Ledger) -> QuerySet[Expense]:
    """Approved and paid expenses, with the public fields only."""
    return (
        Expense.objects.filter(ledger=ledger, status__in=PUBLIC_EXPENSE_STATUSES)
        .select_related("account")
        .only("id", "amount", "description", "category", "spent_on", "status", "account__name")
        .order_by("-spent_on", "-created_at")
    )


def awaiting_approval(user: User, ledger: Ledger) -> QuerySet[Expense]:
    """Pending expenses this keeper may approve: never their own, nor one they approved first."""
    return (
        member_expenses(ledger)
        .filter(status=Expense.Status.PENDING)
        .exclude(submitted_by_id=user.pk)
        .exclude(approved_by_id=user.pk)
    )


def journal(ledger: Ledger, *, year: int | None = None) -> QuerySet[JournalLine]:
    lines = JournalLine.objects.filter(ledger=ledger).select_related("account")
    if year is not None:
        lines = lines.filter(date__year=year)
    return lines.order_by("-date", "group", "-debit")


def ledger_years(ledger: Ledger) -> list[int]:
    years = set(
        JournalLine.objects.filter(ledger=ledger)
        .annotate(year=ExtractYear("date"))
        .values_list("year", flat=True)
        .distinct()
    )
    years |= set(BudgetLine.objects.filter(ledger=ledger).values_list("year", flat=True))
    return sorted(years, reverse=True)


@dataclass(frozen=True)
class BudgetRow:
    account: Account
    budget: Decimal | None
    actual: Decimal

    @property
    def difference(self) -> Decimal | None:
        return None if self.budget is None else self.budget - self.actual

    @property
    def used_percent(self) -> int | None:
        if not self.budget:
            return None
        return int((self.actual * 100 / self.budget).quantize(Decimal("1")))


# Accounts whose balance grows with debits; the others grow with credits.
DEBIT_NORMAL = frozenset({Account.Kind.ASSET, Account.Kind.EXPENSE})


def budget_vs_actual(ledger: Ledger, year: int) -> list[BudgetRow]:
    """Per account, what was planned for the year and what the books hold for it, in two
    queries. Actual is the account's movement in the year on its normal side (debits less
    credits for assets and expenses, credits less debits for the rest)."""
    totals = {
        row["account_id"]: (row["debits"] or Decimal(0), row["credits"] or Decimal(0))
        for row in JournalLine.objects.filter(ledger=ledger, date__year=year)
        .values("account_id")
        .annotate(debits=Sum("debit"), credits=Sum("credit"))
    }
    budgets = dict(
        BudgetLine.objects.filter(ledger=ledger, year=year).values_list("account_id", "amount")
    )
    rows = []
    for account in ledger_accounts(ledger):
        debits, credits = totals.get(account.pk, (Decimal(0), Decimal(0)))
        actual = debits - credits if account.kind in DEBIT_NORMAL else credits - debits
        if account.pk in budgets or account.pk in totals:
            rows.append(BudgetRow(account=account, budget=budgets.get(account.pk), actual=actual))
    return rows
