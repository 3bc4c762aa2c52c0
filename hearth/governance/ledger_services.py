"""Every state change of the open books (REFERENCES §8): ledgers, accounts, budget lines,
balanced movements and the expense lifecycle. Keyword-only, one transaction each, audited.

- A movement is a group of journal lines whose debits equal its credits; anything else is
  refused before a line is written.
- Expenses go draft → pending → approved → paid, or rejected / cancelled. The person who
  submitted an expense never approves it: the attempt is refused and the refusal recorded in the
  audit trail (in its own transaction, so it stays when the refusal is raised). Above the
  ledger's `second_approval_above` an expense needs a second approver, different from the
  submitter and the first approver. Editing an approved expense sends it back to pending, its
  approvals cleared. Paying records the journal lines (expense account debited, the paying
  account credited).

Refusals raise `ValidationError`; nothing is written for them except the audit of a refused
approval."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hearth.accounts.models import Membership, Organization, Role, User
from hearth.core import audit
from hearth.core.notifications import notify

from . import rules
from .budget_services import _amount
from .ledger_selectors import can_keep, can_read
from .models import Account, BudgetLine, Circle, CircleMember, Expense, JournalLine, Ledger

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def _scope(ledger: Ledger) -> dict:
    if ledger.organization_id:
        return {"organization": ledger.organization}
    circle = ledger.circle
    return {"organization": circle.organization, "network": circle.network}


def _require_keeper(actor: User, ledger: Ledger) -> None:
    if not can_keep(actor, ledger):
        raise ValidationError(_("Only the people who keep these books can do this."))


def _require_reader(actor: User, ledger: Ledger) -> None:
    if not can_read(actor, ledger):
        raise ValidationError(_("Only members can do this."))


@transaction.atomic
def ledger_create(
    *,
    actor: User,
    name: str,
    organization: Organization | None = None,
    circle: Circle | None = None,
    currency: str = "USD",
    is_public: bool = False,
    second_approval_above=None,
) -> Ledger:
    """Open the books of an organization (its admins) or a circle (its facilitators)."""
    if (organization is None) == (circle is None):
        raise ValidationError(_("Books belong to one organization or one circle."))
    if (
        organization is not None
        and not Membership.objects.filter(
            user_id=actor.pk, organization=organization, role=Role.ADMIN
        ).exists()
    ):
        raise ValidationError(_("Only the organization's admins can open its books."))
    if circle is not None and not rules.is_facilitator(actor, circle):
        raise ValidationError(_("Only the circle's facilitators can open its books."))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter a name for the books.")})
    threshold = (
        None
        if second_approval_above in (None, "")
        else _amount(second_approval_above, "second_approval_above")
    )
    ledger = Ledger.objects.create(
        organization=organization,
        circle=circle,
        name=name[:200],
        currency=(currency or "USD").upper()[:3],
        is_public=is_public,
        second_approval_above=threshold,
    )
    audit.record(
        actor=actor, action="hearth.governance.ledger.created", target=ledger, **_scope(ledger)
    )
    return ledger


@transaction.atomic
def account_add(*, actor: User, ledger: Ledger, code: str, name: str, kind: str) -> Account:
    """A keeper adds an account to the chart of accounts."""
    _require_keeper(actor, ledger)
    code, name = (code or "").strip(), (name or "").strip()
    errors = {}
    if not code:
        errors["code"] = _("Enter a code for the account, like 5100.")
    elif Account.objects.filter(ledger=ledger, code=code).exists():
        errors["code"] = _("Another account already has this code.")
    if not name:
        errors["name"] = _("Enter a name for the account.")
    if kind not in Account.Kind.values:
        errors["kind"] = _("Choose the kind of account.")
    if errors:
        raise ValidationError(errors)
    account = Account.objects.create(ledger=ledger, code=code[:20], name=name[:200], kind=kind)
    audit.record(
        actor=actor,
        action="hearth.governance.account.added",
        target=account,
        detail={"code": account.code, "kind": kind},
        **_scope(ledger),
    )
    return account


@transaction.atomic
def budget_line_set(
    *, actor: User, ledger: Ledger, account: Account, year: int, amount
) -> BudgetLine:
    """A keeper sets what is planned for an account in a year (replacing an earlier figure)."""
    _require_keeper(actor, ledger)
    if account.ledger_id != ledger.pk:
        raise ValidationError({"account": _("Choose an account of these books.")})
    if not 2000 <= int(year) <= 2200:
        raise ValidationError({"year": _("Enter a year, like 2025.")})
    value = _amount(amount, "amount", allow_zero=True)
    line, created = BudgetLine.objects.update_or_create(
        ledger=ledger, account=account, year=int(year), defaults={"amount": value}
    )
    audit.record(
        actor=actor,
        action="hearth.governance.budget_line.set",
        target=account,
        detail={"year": int(year), "amount": str(value), "replaced": not created},
        **_scope(ledger),
    )
    return line


def _validated_lines(ledger: Ledger, lines) -> list[tuple[Account, Decimal, Decimal]]:
    checked = []
    for index, (account, debit, credit) in enumerate(lines, start=1):
        debit = _amount(debit or 0, "lines", allow_zero=True)
        credit = _amount(credit or 0, "lines", allow_zero=True)
        if account is None or account.ledger_id != ledger.pk:
            raise ValidationError(
                {
                    "lines": _("Line %(number)d: choose an account of these books.")
                    % {"number": index}
                }
            )
        if (debit == 0) == (credit == 0):
            raise ValidationError(
                {
                    "lines": _("Line %(number)d: enter either a debit or a credit, not both.")
                    % {"number": index}
                }
            )
        checked.append((account, debit, credit))
    if len(checked) < 2:
        raise ValidationError({"lines": _("A movement needs at least two lines.")})
    debits = sum((debit for _account, debit, _credit in checked), Decimal(0))
    credits = sum((credit for _account, _debit, credit in checked), Decimal(0))
    if debits != credits:
        raise ValidationError(
            {
                "lines": _(
                    "The movement does not balance: debits come to %(debits)s and credits to "
                    "%(credits)s."
                )
                % {"debits": debits, "credits": credits}
            },
            code="unbalanced",
        )
    return checked


def _write_lines(*, actor, ledger, lines, on: date, description: str, category: str) -> uuid.UUID:
    group = uuid.uuid4()
    JournalLine.objects.bulk_create(
        [
            JournalLine(
                ledger=ledger,
                group=group,
                account=account,
                debit=debit,
                credit=credit,
                date=on,
                description=description[:300],
                category=category[:100],
                recorded_by=actor,
            )
            for account, debit, credit in lines
        ]
    )
    return group


@transaction.atomic
def movement_record(
    *,
    actor: User,
    ledger: Ledger,
    on: date,
    description: str,
    lines,
    category: str = "",
) -> uuid.UUID:
    """A keeper records one movement: `lines` as (account, debit, credit), which must balance.
    Returns the group id the lines share."""
    _require_keeper(actor, ledger)
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("Say what the movement was.")})
    checked = _validated_lines(ledger, lines)
    group = _write_lines(
        actor=actor,
        ledger=ledger,
        lines=checked,
        on=on,
        description=description,
        category=(category or "").strip(),
    )
    audit.record(
        actor=actor,
        action="hearth.governance.journal.recorded",
        target=ledger,
        detail={"group": str(group), "lines": len(checked)},
        **_scope(ledger),
    )
    return group


# --- expenses ---------------------------------------------------------------------------------


def expense_url(expense: Expense) -> str:
    return reverse("books:expense", args=[expense.pk])


def _keepers(ledger: Ledger):
    if ledger.organization_id:
        return User.objects.filter(
            memberships__organization_id=ledger.organization_id,
            memberships__role=Role.ADMIN,
            is_active=True,
        )
    return User.objects.filter(
        circle_memberships__circle_id=ledger.circle_id,
        circle_memberships__role=CircleMember.Role.FACILITATOR,
        is_active=True,
    )


def _notify_approvers(expense: Expense, *, exclude: set) -> None:
    approvers = [user for user in _keepers(expense.ledger) if user.pk not in exclude]
    notify(approvers, kind="governance.expense.awaiting", link=expense_url(expense))


def _check_attachment(attachment) -> None:
    if attachment is not None and getattr(attachment, "size", 0) > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"attachment": _("Attach a file of at most 10 MB.")})


def _expense_fields(ledger: Ledger, *, account, amount, description, category, spent_on) -> dict:
    errors = {}
    if account is None or account.ledger_id != ledger.pk:
        errors["account"] = _("Choose an account of these books.")
    elif account.kind != Account.Kind.EXPENSE:
        errors["account"] = _("Choose an expense account.")
    description = (description or "").strip()
    if not description:
        errors["description"] = _("Say what the money was spent on.")
    if spent_on is None:
        errors["spent_on"] = _("Enter the date of the expense.")
    try:
        value = _amount(amount, "amount")
    except ValidationError as error:
        errors.update(error.message_dict)
        value = None
    if errors:
        raise ValidationError(errors)
    return {
        "account": account,
        "amount": value,
        "description": description[:300],
        "category": (category or "").strip()[:100],
        "spent_on": spent_on,
    }


@transaction.atomic
def expense_create(
    *,
    actor: User,
    ledger: Ledger,
    account: Account,
    amount,
    description: str,
    spent_on: date,
    category: str = "",
    payment_details: str = "",
    attachment: UploadedFile | None = None,
    submit: bool = True,
) -> Expense:
    """A member records an expense, as a draft or submitted for approval."""
    _require_reader(actor, ledger)
    fields = _expense_fields(
        ledger,
        account=account,
        amount=amount,
        description=description,
        category=category,
        spent_on=spent_on,
    )
    _check_attachment(attachment)
    expense = Expense(
        ledger=ledger,
        submitted_by=actor,
        payment_details=(payment_details or "").strip(),
        status=Expense.Status.PENDING if submit else Expense.Status.DRAFT,
        **fields,
    )
    if attachment is not None:
        expense.attachment.save(attachment.name, attachment, save=False)
    expense.save()
    if submit:
        _submitted(actor, expense)
    return expense


def _submitted(actor: User, expense: Expense, *, detail: dict | None = None) -> None:
    audit.record(
        actor=actor,
        action="hearth.governance.expense.submitted",
        target=expense,
        detail={"amount": str(expense.amount), **(detail or {})},
        **_scope(expense.ledger),
    )
    _notify_approvers(expense, exclude={expense.submitted_by_id})


def _locked(expense: Expense) -> Expense:
    return Expense.objects.select_for_update().select_related("ledger").get(pk=expense.pk)


@transaction.atomic
def expense_submit(*, actor: User, expense: Expense) -> Expense:
    """The submitter sends a draft for approval."""
    expense = _locked(expense)
    if expense.submitted_by_id != actor.pk:
        raise ValidationError(_("Only the person who recorded the expense can submit it."))
    if expense.status != Expense.Status.DRAFT:
        raise ValidationError(_("Only a draft can be submitted."))
    expense.status = Expense.Status.PENDING
    expense.updated_at = timezone.now()
    expense.save(update_fields=["status", "updated_at"])
    _submitted(actor, expense)
    return expense


EDITABLE_STATUSES = frozenset(
    {Expense.Status.DRAFT, Expense.Status.PENDING, Expense.Status.APPROVED, Expense.Status.REJECTED}
)


@transaction.atomic
def expense_update(
    *,
    actor: User,
    expense: Expense,
    account: Account,
    amount,
    description: str,
    spent_on: date,
    category: str = "",
    payment_details: str = "",
    attachment: UploadedFile | None = None,
) -> Expense:
    """The submitter or a keeper changes an expense. A pending, approved or rejected expense
    goes (back) to pending with its approvals cleared: what was approved is no longer what it
    says. A paid or cancelled expense cannot change."""
    expense = _locked(expense)
    ledger = expense.ledger
    if expense.submitted_by_id != actor.pk and not can_keep(actor, ledger):
        raise ValidationError(
            _("Only the person who recorded the expense, or a keeper, can change it.")
        )
    if expense.status not in EDITABLE_STATUSES:
        raise ValidationError(_("A paid or cancelled expense cannot be changed."))
    fields = _expense_fields(
        ledger,
        account=account,
        amount=amount,
        description=description,
        category=category,
        spent_on=spent_on,
    )
    _check_attachment(attachment)
    previous = expense.status
    for name, value in fields.items():
        setattr(expense, name, value)
    expense.payment_details = (payment_details or "").strip()
    if attachment is not None:
        expense.attachment.save(attachment.name, attachment, save=False)
    if previous != Expense.Status.DRAFT:
        expense.status = Expense.Status.PENDING
        expense.approved_by = None
        expense.second_approved_by = None
    expense.updated_at = timezone.now()
    expense.save()
    if previous != Expense.Status.DRAFT:
        # Changed after submission: it needs (fresh) approval.
        _submitted(actor, expense, detail={"changed_from": previous})
    return expense


def _refuse(actor: User, expense: Expense, reason: str, message: str) -> ValidationError:
    """Record a refused approval in its own transaction (it must survive the refusal)."""
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="hearth.governance.expense.refused",
            target=expense,
            detail={"reason": reason},
            **_scope(expense.ledger),
        )
    return ValidationError(message, code=reason)


def needs_second_approval(expense: Expense) -> bool:
    threshold = expense.ledger.second_approval_above
    return threshold is not None and expense.amount > threshold


def expense_approve(*, actor: User, expense: Expense) -> Expense:
    """A keeper approves a pending expense. The submitter never approves their own (refused and
    audited); above the ledger's threshold a second, different keeper approves as well."""
    refusal = None
    with transaction.atomic():
        expense = _locked(expense)
        _require_keeper(actor, expense.ledger)
        if expense.status != Expense.Status.PENDING:
            raise ValidationError(_("Only an expense waiting for approval can be approved."))
        if expense.submitted_by_id == actor.pk:
            refusal = ("own_expense", _("Nobody can approve an expense they submitted."))
        elif expense.approved_by_id == actor.pk:
            refusal = (
                "same_approver",
                _("This expense needs a second approval from someone else."),
            )
        else:
            if expense.approved_by_id is None:
                expense.approved_by = actor
                second = needs_second_approval(expense)
                if not second:
                    expense.status = Expense.Status.APPROVED
            else:
                expense.second_approved_by = actor
                expense.status = Expense.Status.APPROVED
                second = False
            expense.updated_at = timezone.now()
            expense.save(
                update_fields=["approved_by", "second_approved_by", "status", "updated_at"]
            )
            audit.record(
                actor=actor,
                action="hearth.governance.expense.approved",
                target=expense,
                detail={"approval": 2 if expense.second_approved_by_id else 1},
                **_scope(expense.ledger),
            )
            if second:
                _notify_approvers(expense, exclude={expense.submitted_by_id, actor.pk})
            return expense
    raise _refuse(actor, expense, *refusal)


@transaction.atomic
def expense_reject(*, actor: User, expense: Expense, reason: str = "") -> Expense:
    """A keeper does not approve a pending expense (the submitter may change it and resubmit)."""
    expense = _locked(expense)
    _require_keeper(actor, expense.ledger)
    if expense.status != Expense.Status.PENDING:
        raise ValidationError(_("Only an expense waiting for approval can be turned down."))
    if expense.submitted_by_id == actor.pk:
        raise ValidationError(_("Nobody decides on an expense they submitted."))
    expense.status = Expense.Status.REJECTED
    expense.approved_by = None
    expense.second_approved_by = None
    expense.updated_at = timezone.now()
    expense.save(update_fields=["status", "approved_by", "second_approved_by", "updated_at"])
    audit.record(
        actor=actor,
        action="hearth.governance.expense.rejected",
        target=expense,
        detail={"reason": (reason or "").strip()[:500]},
        **_scope(expense.ledger),
    )
    return expense


@transaction.atomic
def expense_cancel(*, actor: User, expense: Expense) -> Expense:
    """The submitter or a keeper withdraws an expense that has not been paid."""
    expense = _locked(expense)
    if expense.submitted_by_id != actor.pk and not can_keep(actor, expense.ledger):
        raise ValidationError(
            _("Only the person who recorded the expense, or a keeper, can cancel it.")
        )
    if expense.status in {Expense.Status.PAID, Expense.Status.CANCELLED}:
        raise ValidationError(_("A paid or cancelled expense cannot be cancelled."))
    expense.status = Expense.Status.CANCELLED
    expense.updated_at = timezone.now()
    expense.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action="hearth.governance.expense.cancelled",
        target=expense,
        **_scope(expense.ledger),
    )
    return expense


@transaction.atomic
def expense_pay(*, actor: User, expense: Expense, paid_from: Account, paid_on: date) -> Expense:
    """A keeper pays an approved expense: the expense account is debited and the paying account
    (an asset, such as the bank) credited, as one balanced movement."""
    expense = _locked(expense)
    _require_keeper(actor, expense.ledger)
    if expense.status != Expense.Status.APPROVED:
        raise ValidationError(_("Only an approved expense can be paid."))
    if paid_from is None or paid_from.ledger_id != expense.ledger_id:
        raise ValidationError({"paid_from": _("Choose an account of these books.")})
    if paid_from.kind not in {Account.Kind.ASSET, Account.Kind.LIABILITY}:
        raise ValidationError({"paid_from": _("Pay from an asset account, such as the bank.")})
    lines = _validated_lines(
        expense.ledger,
        [(expense.account, expense.amount, 0), (paid_from, 0, expense.amount)],
    )
    group = _write_lines(
        actor=actor,
        ledger=expense.ledger,
        lines=lines,
        on=paid_on,
        description=expense.description,
        category=expense.category,
    )
    expense.status = Expense.Status.PAID
    expense.journal_group = group
    expense.updated_at = timezone.now()
    expense.save(update_fields=["status", "journal_group", "updated_at"])
    audit.record(
        actor=actor,
        action="hearth.governance.expense.paid",
        target=expense,
        detail={"group": str(group)},
        **_scope(expense.ledger),
    )
    return expense
