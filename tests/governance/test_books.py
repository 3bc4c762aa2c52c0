"""Open books: balanced movements only, the expense lifecycle (self-approval refused and audited,
the second approver, edits after approval), budget against actual, and what the public sees."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from hearth.accounts.models import Role
from hearth.core.models import AuditRecord, Notification
from hearth.governance import ledger_selectors, ledger_services
from hearth.governance.models import Account, Expense, JournalLine
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "private-files")


def make_books(*, second_approval_above=None, is_public=True):
    """A cooperative's books kept by two admins, with a practitioner member and a viewer."""
    organization = OrganizationFactory()
    admin = MembershipFactory(organization=organization, role=Role.ADMIN).user
    other_admin = MembershipFactory(organization=organization, role=Role.ADMIN).user
    third_admin = MembershipFactory(organization=organization, role=Role.ADMIN).user
    member = MembershipFactory(organization=organization, role=Role.PRACTITIONER).user
    viewer = MembershipFactory(organization=organization, role=Role.VIEWER).user
    ledger = ledger_services.ledger_create(
        actor=admin,
        name="Willow Therapy Cooperative",
        organization=organization,
        is_public=is_public,
        second_approval_above=second_approval_above,
    )
    accounts = {
        key: ledger_services.account_add(
            actor=admin, ledger=ledger, code=code, name=name, kind=kind
        )
        for key, code, name, kind in [
            ("bank", "1000", "Bank", Account.Kind.ASSET),
            ("equity", "3000", "Members' capital", Account.Kind.EQUITY),
            ("fees", "4000", "Session fees", Account.Kind.INCOME),
            ("rent", "5100", "Rent", Account.Kind.EXPENSE),
            ("supplies", "5200", "Supplies", Account.Kind.EXPENSE),
        ]
    }
    people = {
        "admin": admin,
        "other_admin": other_admin,
        "third_admin": third_admin,
        "member": member,
        "viewer": viewer,
    }
    return ledger, accounts, people


def submit(ledger, accounts, by, amount="120.00", **fields):
    values = {
        "account": accounts["supplies"],
        "amount": amount,
        "description": "Art supplies for the group",
        "category": "Group work",
        "spent_on": date(2025, 3, 4),
        "payment_details": "IBAN GB33BUKB20201555555555",
        **fields,
    }
    return ledger_services.expense_create(actor=by, ledger=ledger, **values)


def state():
    return (
        list(Expense.objects.values_list("status", "approved_by", "second_approved_by")),
        JournalLine.objects.count(),
    )


class TestMovements:
    def test_a_balanced_movement_is_recorded_as_one_group(self):
        ledger, accounts, people = make_books()
        group = ledger_services.movement_record(
            actor=people["admin"],
            ledger=ledger,
            on=date(2025, 1, 31),
            description="January session fees",
            lines=[(accounts["bank"], "2500", 0), (accounts["fees"], 0, "2500")],
        )
        lines = JournalLine.objects.filter(group=group)
        assert sorted((line.account.code, line.debit, line.credit) for line in lines) == [
            ("1000", Decimal("2500.00"), Decimal("0.00")),
            ("4000", Decimal("0.00"), Decimal("2500.00")),
        ]

    @pytest.mark.parametrize(
        "lines",
        [
            [("bank", "100", 0), ("fees", 0, "99.99")],
            [("bank", "100", 0)],
            [("bank", "100", "100"), ("fees", 0, "100")],
            [("bank", "-100", 0), ("fees", 0, "-100")],
        ],
    )
    def test_an_unbalanced_or_malformed_movement_is_refused_and_nothing_written(self, lines):
        ledger, accounts, people = make_books()
        before = AuditRecord.objects.count()
        with pytest.raises(ValidationError) as error:
            ledger_services.movement_record(
                actor=people["admin"],
                ledger=ledger,
                on=date(2025, 1, 31),
                description="Fees",
                lines=[(accounts[key], debit, credit) for key, debit, credit in lines],
            )
        assert "lines" in error.value.message_dict
        assert JournalLine.objects.count() == 0 and AuditRecord.objects.count() == before

    def test_the_unbalanced_message_names_both_totals(self):
        ledger, accounts, people = make_books()
        with pytest.raises(ValidationError) as error:
            ledger_services.movement_record(
                actor=people["admin"],
                ledger=ledger,
                on=date(2025, 1, 31),
                description="Fees",
                lines=[(accounts["bank"], "100", 0), (accounts["fees"], 0, "99.99")],
            )
        assert error.value.message_dict["lines"] == [
            "The movement does not balance: debits come to 100.00 and credits to 99.99."
        ]

    def test_a_member_who_does_not_keep_the_books_cannot_record(self):
        ledger, accounts, people = make_books()
        with pytest.raises(ValidationError):
            ledger_services.movement_record(
                actor=people["member"],
                ledger=ledger,
                on=date(2025, 1, 31),
                description="Fees",
                lines=[(accounts["bank"], "1", 0), (accounts["fees"], 0, "1")],
            )
        assert JournalLine.objects.count() == 0


class TestExpenseLifecycle:
    def test_submit_approve_pay_records_the_journal_lines(self):
        ledger, accounts, people = make_books()
        expense = submit(ledger, accounts, people["member"])
        assert expense.status == Expense.Status.PENDING
        # The keepers are told (never the submitter)
        notified = set(
            Notification.objects.filter(kind="governance.expense.awaiting").values_list(
                "user_id", flat=True
            )
        )
        assert notified == {people["admin"].pk, people["other_admin"].pk, people["third_admin"].pk}
        expense = ledger_services.expense_approve(actor=people["admin"], expense=expense)
        assert expense.status == Expense.Status.APPROVED and expense.approved_by == people["admin"]
        expense = ledger_services.expense_pay(
            actor=people["other_admin"],
            expense=expense,
            paid_from=accounts["bank"],
            paid_on=date(2025, 3, 10),
        )
        assert expense.status == Expense.Status.PAID
        lines = JournalLine.objects.filter(group=expense.journal_group)
        assert sorted(
            (line.account.code, line.debit, line.credit, line.date) for line in lines
        ) == [
            ("1000", Decimal("0.00"), Decimal("120.00"), date(2025, 3, 10)),
            ("5200", Decimal("120.00"), Decimal("0.00"), date(2025, 3, 10)),
        ]

    def test_the_submitter_cannot_approve_their_own_refused_and_audited(self):
        ledger, accounts, people = make_books()
        expense = submit(ledger, accounts, people["admin"])
        before = state()
        with pytest.raises(ValidationError) as error:
            ledger_services.expense_approve(actor=people["admin"], expense=expense)
        assert error.value.code == "own_expense"
        assert state() == before
        refused = AuditRecord.objects.get(action="hearth.governance.expense.refused")
        assert refused.detail == {"reason": "own_expense"}
        assert refused.target_id == str(expense.pk)

    def test_a_draft_is_not_approvable_until_submitted(self):
        ledger, accounts, people = make_books()
        expense = submit(ledger, accounts, people["member"], submit=False)
        assert expense.status == Expense.Status.DRAFT
        with pytest.raises(ValidationError):
            ledger_services.expense_approve(actor=people["admin"], expense=expense)
        ledger_services.expense_submit(actor=people["member"], expense=expense)
        assert Expense.objects.get().status == Expense.Status.PENDING

    def test_above_the_threshold_a_second_different_approver_is_needed(self):
        ledger, accounts, people = make_books(second_approval_above="500")
        expense = submit(ledger, accounts, people["member"], amount="800")
        expense = ledger_services.expense_approve(actor=people["admin"], expense=expense)
        assert expense.status == Expense.Status.PENDING and expense.approved_by == people["admin"]
        # The first approver cannot give the second approval
        with pytest.raises(ValidationError) as error:
            ledger_services.expense_approve(actor=people["admin"], expense=expense)
        assert error.value.code == "same_approver"
        assert Expense.objects.get().status == Expense.Status.PENDING
        expense = ledger_services.expense_approve(actor=people["other_admin"], expense=expense)
        assert expense.status == Expense.Status.APPROVED
        assert expense.second_approved_by == people["other_admin"]

    def test_the_submitter_cannot_be_the_second_approver(self):
        ledger, accounts, people = make_books(second_approval_above="500")
        expense = submit(ledger, accounts, people["other_admin"], amount="800")
        ledger_services.expense_approve(actor=people["admin"], expense=expense)
        with pytest.raises(ValidationError) as error:
            ledger_services.expense_approve(actor=people["other_admin"], expense=expense)
        assert error.value.code == "own_expense"
        assert Expense.objects.get().second_approved_by is None

    def test_at_the_threshold_one_approval_is_enough(self):
        ledger, accounts, people = make_books(second_approval_above="500")
        expense = submit(ledger, accounts, people["member"], amount="500")
        expense = ledger_services.expense_approve(actor=people["admin"], expense=expense)
        assert expense.status == Expense.Status.APPROVED

    def test_editing_an_approved_expense_sends_it_back_to_pending(self):
        ledger, accounts, people = make_books()
        expense = submit(ledger, accounts, people["member"])
        ledger_services.expense_approve(actor=people["admin"], expense=expense)
        expense = ledger_services.expense_update(
            actor=people["member"],
            expense=expense,
            account=accounts["supplies"],
            amount="180",
            description="Art supplies for two groups",
            spent_on=date(2025, 3, 4),
        )
        assert expense.status == Expense.Status.PENDING
        assert expense.approved_by is None and expense.amount == Decimal("180.00")

    def test_a_paid_expense_cannot_be_edited_or_cancelled(self):
        ledger, accounts, people = make_books()
        expense = submit(ledger, accounts, people["member"])
        ledger_services.expense_approve(actor=people["admin"], expense=expense)
        ledger_services.expense_pay(
            actor=people["admin"],
            expense=expense,
            paid_from=accounts["bank"],
            paid_on=date(2025, 3, 5),
        )
        before = state()
        with pytest.raises(ValidationError):
            ledger_services.expense_update(
                actor=people["member"],
                expense=expense,
                account=accounts["supplies"],
                amount="1",
                description="x",
                spent_on=date(2025, 3, 4),
            )
        with pytest.raises(ValidationError):
            ledger_services.expense_cancel(actor=people["member"], expense=expense)
        assert state() == before

    def test_only_an_approved_expense_is_paid_and_reject_and_cancel(self):
        ledger, accounts, people = make_books()
        expense = submit(ledger, accounts, people["member"])
        with pytest.raises(ValidationError):
            ledger_services.expense_pay(
                actor=people["admin"],
                expense=expense,
                paid_from=accounts["bank"],
                paid_on=date(2025, 3, 5),
            )
        assert JournalLine.objects.count() == 0
        ledger_services.expense_reject(actor=people["admin"], expense=expense, reason="No receipt")
        assert Expense.objects.get().status == Expense.Status.REJECTED
        ledger_services.expense_cancel(actor=people["member"], expense=expense)
        assert Expense.objects.get().status == Expense.Status.CANCELLED

    def test_a_viewer_cannot_submit(self):
        ledger, accounts, people = make_books()
        with pytest.raises(ValidationError):
            submit(ledger, accounts, people["viewer"])
        assert not Expense.objects.exists()


class TestAuditTrail:
    def test_each_change_to_the_books_has_its_own_action_code(self):
        # Given new books with five accounts
        ledger, accounts, people = make_books()
        admin = people["admin"]
        # When a budget line is set, then changed
        for amount in ("12000", "12500"):
            ledger_services.budget_line_set(
                actor=admin, ledger=ledger, account=accounts["rent"], year=2025, amount=amount
            )
        # Then opening, adding accounts and budgeting are told apart in the audit trail
        records = AuditRecord.objects.filter(action__startswith="hearth.governance.").order_by(
            "sequence"
        )
        assert [record.action for record in records] == [
            "hearth.governance.ledger.created",
            *["hearth.governance.account.added"] * 5,
            "hearth.governance.budget_line.set",
            "hearth.governance.budget_line.set",
        ]
        assert [record.detail for record in records][1] == {"code": "1000", "kind": "asset"}
        assert [record.detail for record in records][-2:] == [
            {"year": 2025, "amount": "12000.00", "replaced": False},
            {"year": 2025, "amount": "12500.00", "replaced": True},
        ]
        assert {record.target_id for record in records[1:]} == {
            str(account.pk) for account in accounts.values()
        }


class TestBudgetAgainstActual:
    def test_figures_are_exact(self):
        ledger, accounts, people = make_books()
        admin = people["admin"]
        ledger_services.budget_line_set(
            actor=admin, ledger=ledger, account=accounts["rent"], year=2025, amount="12000"
        )
        ledger_services.budget_line_set(
            actor=admin, ledger=ledger, account=accounts["fees"], year=2025, amount="30000"
        )
        for month in (1, 2, 3):
            ledger_services.movement_record(
                actor=admin,
                ledger=ledger,
                on=date(2025, month, 1),
                description="Rent",
                lines=[(accounts["rent"], "1000.10", 0), (accounts["bank"], 0, "1000.10")],
            )
            ledger_services.movement_record(
                actor=admin,
                ledger=ledger,
                on=date(2025, month, 28),
                description="Fees",
                lines=[(accounts["bank"], "2500", 0), (accounts["fees"], 0, "2500")],
            )
        # A movement in another year does not count
        ledger_services.movement_record(
            actor=admin,
            ledger=ledger,
            on=date(2024, 12, 1),
            description="Rent",
            lines=[(accounts["rent"], "900", 0), (accounts["bank"], 0, "900")],
        )
        rows = {row.account.code: row for row in ledger_selectors.budget_vs_actual(ledger, 2025)}
        assert (rows["5100"].budget, rows["5100"].actual, rows["5100"].difference) == (
            Decimal("12000.00"),
            Decimal("3000.30"),
            Decimal("8999.70"),
        )
        assert (rows["4000"].budget, rows["4000"].actual) == (
            Decimal("30000.00"),
            Decimal("7500.00"),
        )
        assert rows["1000"].budget is None and rows["1000"].actual == Decimal("4499.70")
        assert rows["5100"].used_percent == 25
        assert set(rows) == {"1000", "4000", "5100"}


class TestPublicView:
    def test_public_expenses_hold_only_approved_and_paid_without_private_fields(self):
        ledger, accounts, people = make_books()
        attachment = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 secret", "application/pdf")
        approved = submit(ledger, accounts, people["member"], attachment=attachment)
        ledger_services.expense_approve(actor=people["admin"], expense=approved)
        submit(ledger, accounts, people["member"], description="Pending thing")
        public = list(ledger_selectors.public_expenses(ledger))
        assert [expense.pk for expense in public] == [approved.pk]
        assert public[0].get_deferred_fields() >= {
            "payment_details",
            "attachment",
            "submitted_by_id",
            "approved_by_id",
        }

    def test_permissions(self):
        ledger, _accounts, people = make_books()
        outsider = MembershipFactory(role=Role.ADMIN).user
        assert ledger_selectors.can_read(people["member"], ledger)
        assert not ledger_selectors.can_read(people["viewer"], ledger)
        assert not ledger_selectors.can_read(outsider, ledger)
        assert ledger_selectors.can_keep(people["admin"], ledger)
        assert not ledger_selectors.can_keep(people["member"], ledger)
