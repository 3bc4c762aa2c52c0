"""The budgeting and books pages: members vote and see explained results, outsiders get 404 and
change nothing, the public views and CSVs never hold payment details, attachments or who
submitted, and list pages do not grow their queries with their rows."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hearth.core.models import AuditRecord
from hearth.governance import budget_services, ledger_services
from hearth.governance.models import ApprovalBallot, BudgetProject, BudgetRound, Expense
from tests.conftest import sign_in
from tests.factories import TOTPDeviceFactory, UserFactory
from tests.governance.test_books import make_books, submit
from tests.governance.test_budget_rounds import COSTS, VOTES, make_round, propose_all

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "private-files")


def login(client, user):
    """Sign in through the pages, with an authenticator for anyone who needs two factors."""
    if not user.totpdevice_set.exists():
        TOTPDeviceFactory(user=user)
    return sign_in(client, user)


def voting_round(**fields):
    budget_round, people = make_round(**fields)
    codes = propose_all(budget_round, people)
    budget_round = budget_services.round_open_voting(actor=people[0], budget_round=budget_round)
    return budget_round, people, codes


def closed_round():
    budget_round, people, codes = voting_round()
    for voter, names in zip(people[1:], VOTES, strict=True):
        budget_services.ballot_cast(
            actor=voter, budget_round=budget_round, projects=[codes[name] for name in names]
        )
    budget_round = budget_services.round_close(actor=people[0], budget_round=budget_round)
    return budget_round, people, codes


class TestBudgetingPages:
    def test_a_member_votes_through_the_page(self, client):
        budget_round, people, codes = voting_round(min_projects=1)
        login(client, people[2])
        page = client.get(f"/budgeting/{budget_round.pk}/")
        assert page.status_code == 200 and b"Save my ballot" in page.content
        response = client.post(
            f"/budgeting/{budget_round.pk}/",
            {"projects": [codes["Warm meals"], codes["Bus passes"]]},
        )
        assert response.status_code == 302
        assert ApprovalBallot.objects.get().projects == sorted(
            [codes["Warm meals"], codes["Bus passes"]]
        )

    def test_a_ballot_breaking_a_rule_shows_the_rule(self, client):
        budget_round, people, _codes = voting_round(min_projects=1)
        login(client, people[2])
        response = client.post(f"/budgeting/{budget_round.pk}/", {})
        assert response.status_code == 200
        assert "Choose at least 1 project." in response.content.decode()
        assert not ApprovalBallot.objects.exists()

    def test_results_page_explains_every_project(self, client):
        budget_round, people, _codes = closed_round()
        login(client, people[1])
        page = client.get(f"/budgeting/{budget_round.pk}/results/").content.decode()
        for name in COSTS:
            assert name in page
        assert page.count("data-hearth-why") == 4
        assert "Funded in round 1 of equal shares" in page
        assert "Not funded: its supporters had" in page

    def test_the_accountability_page_is_public_and_names_nobody(self, client):
        budget_round, people, codes = closed_round()
        project = BudgetProject.objects.get(code=codes["Community garden"])
        budget_services.project_update_progress(
            actor=people[0],
            project=project,
            accountability="in_progress",
            progress_percent=40,
            body="Beds built.",
        )
        page = client.get(f"/budgeting/{budget_round.pk}/funded-projects/").content.decode()
        assert "Community garden" in page and "Beds built." in page
        assert "Warm meals" not in page
        for person in people:
            assert person.email not in page

    def test_outsiders_get_not_found_and_change_nothing(self, client):
        budget_round, _people, codes = voting_round()
        login(client, UserFactory())
        before = AuditRecord.objects.count()
        for address in [
            f"/budgeting/{budget_round.pk}/",
            f"/budgeting/{budget_round.pk}/round.pb",
            f"/budgeting/{budget_round.pk}/projects/new/",
            f"/circles/{budget_round.circle.slug}/budgeting/",
        ]:
            assert client.get(address).status_code == 404
        assert (
            client.post(
                f"/budgeting/{budget_round.pk}/", {"projects": [codes["Warm meals"]]}
            ).status_code
            == 404
        )
        assert client.post(f"/budgeting/{budget_round.pk}/close/").status_code == 404
        assert not ApprovalBallot.objects.exists()
        assert BudgetRound.objects.get().status == BudgetRound.Status.VOTING
        assert AuditRecord.objects.count() == before

    def test_a_member_cannot_close_or_open(self, client):
        budget_round, people, _codes = voting_round()
        login(client, people[1])
        assert client.post(f"/budgeting/{budget_round.pk}/close/").status_code == 404
        assert BudgetRound.objects.get().status == BudgetRound.Status.VOTING

    def test_a_facilitator_creates_and_runs_a_round_through_the_pages(self, client):
        budget_round, people = make_round()
        login(client, people[0])
        response = client.post(
            f"/circles/{budget_round.circle.slug}/budgeting/new/",
            {
                "name": "Autumn",
                "budget": "500",
                "rule": "greedy",
                "min_projects": "0",
                "min_share_percent": "0",
            },
        )
        assert response.status_code == 302
        autumn = BudgetRound.objects.get(name="Autumn")
        response = client.post(
            f"/budgeting/{autumn.pk}/projects/new/", {"name": "Bikes", "cost": "200"}
        )
        assert response.status_code == 302
        assert client.post(f"/budgeting/{autumn.pk}/open/", {"closes_at": ""}).status_code == 302
        assert BudgetRound.objects.get(pk=autumn.pk).status == BudgetRound.Status.VOTING

    def test_import_page_lists_located_errors(self, client):
        budget_round, people = make_round()
        login(client, people[0])
        upload = SimpleUploadedFile("bad.pb", b"META\nkey;value\nbudget;lots\n")
        response = client.post(
            f"/circles/{budget_round.circle.slug}/budgeting/import/", {"file": upload}
        )
        assert response.status_code == 200
        assert "line 3, budget:" in response.content.decode()
        assert BudgetRound.objects.count() == 1

    def test_the_rounds_list_queries_do_not_grow_with_rounds(self, client):
        budget_round, people = make_round()
        login(client, people[0])
        address = f"/circles/{budget_round.circle.slug}/budgeting/"
        client.get(address)
        with CaptureQueriesContext(connection) as few:
            client.get(address)
        for number in range(5):
            budget_services.round_create(
                actor=people[0], circle=budget_round.circle, name=f"R{number}", budget="10"
            )
        with CaptureQueriesContext(connection) as many:
            client.get(address)
        assert len(many) == len(few)

    def test_the_results_page_queries_do_not_grow_with_projects(self, client):
        budget_round, people, _codes = closed_round()
        login(client, people[1])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/budgeting/{budget_round.pk}/results/").status_code == 200
        assert len(queries) <= 12


def paid_and_pending_books():
    ledger, accounts, people = make_books()
    attachment = SimpleUploadedFile("receipt.pdf", b"%PDF secret receipt", "application/pdf")
    paid = submit(
        ledger,
        accounts,
        people["member"],
        attachment=attachment,
        payment_details="Pay Jo Bloggs, account 12345678",
    )
    ledger_services.expense_approve(actor=people["admin"], expense=paid)
    ledger_services.expense_pay(
        actor=people["admin"], expense=paid, paid_from=accounts["bank"], paid_on=date(2025, 3, 9)
    )
    submit(ledger, accounts, people["member"], description="Still pending")
    return ledger, accounts, people, paid


class TestBooksPages:
    def test_public_view_and_csv_hold_only_public_fields(self, client):
        ledger, _accounts, people, paid = paid_and_pending_books()
        page = client.get(f"/open-books/{ledger.pk}/").content.decode()
        exported = client.get(f"/open-books/{ledger.pk}/books.csv").content.decode()
        for text in (page, exported):
            assert "Art supplies for the group" in text
            assert "Still pending" not in text
            assert "12345678" not in text and "Jo Bloggs" not in text
            assert "receipt.pdf" not in text and "/attachment/" not in text
            assert people["member"].email not in text
            assert (people["member"].full_name or "@@") not in text
            assert str(paid.pk) not in text
        rows = list(csv.reader(io.StringIO(exported)))
        assert rows == [
            ["date", "description", "category", "account", "amount", "status"],
            [
                "2025-03-04",
                "Art supplies for the group",
                "Group work",
                "Supplies",
                "120.00",
                "paid",
            ],
        ]

    def test_a_private_ledger_has_no_public_view(self, client):
        ledger, _accounts, _people = make_books(is_public=False)
        assert client.get(f"/open-books/{ledger.pk}/").status_code == 404
        assert client.get(f"/open-books/{ledger.pk}/books.csv").status_code == 404

    def test_members_see_everything_including_the_attachment(self, client):
        ledger, _accounts, people, paid = paid_and_pending_books()
        login(client, people["member"])
        page = client.get(f"/books/expenses/{paid.pk}/").content.decode()
        assert "Pay Jo Bloggs, account 12345678" in page
        attachment = client.get(f"/books/expenses/{paid.pk}/attachment/")
        assert attachment.status_code == 200
        assert b"".join(attachment.streaming_content) == b"%PDF secret receipt"
        rows = list(
            csv.reader(io.StringIO(client.get(f"/books/{ledger.pk}/books.csv").content.decode()))
        )
        assert rows[0][-5:] == [
            "submitted_by",
            "approved_by",
            "second_approved_by",
            "payment_details",
            "attachment",
        ]
        assert [row[9] for row in rows[1:] if row[5] == "paid"] == [
            "Pay Jo Bloggs, account 12345678"
        ]

    def test_viewers_and_outsiders_get_not_found(self, client):
        ledger, _accounts, people, paid = paid_and_pending_books()
        pending = Expense.objects.get(status=Expense.Status.PENDING)
        for user in (people["viewer"], UserFactory()):
            client.logout()
            login(client, user)
            for address in [
                f"/books/{ledger.pk}/",
                f"/books/{ledger.pk}/books.csv",
                f"/books/expenses/{paid.pk}/",
                f"/books/expenses/{paid.pk}/attachment/",
                f"/books/{ledger.pk}/accounts/",
            ]:
                assert client.get(address).status_code == 404, address
            before = AuditRecord.objects.count()
            response = client.post(f"/books/expenses/{pending.pk}/", {"action": "approve"})
            assert response.status_code == 404
            assert Expense.objects.get(pk=pending.pk).status == Expense.Status.PENDING
            assert AuditRecord.objects.count() == before

    def test_self_approval_through_the_page_is_refused_and_audited(self, client):
        ledger, accounts, people = make_books()
        expense = submit(ledger, accounts, people["admin"])
        login(client, people["admin"])
        response = client.post(f"/books/expenses/{expense.pk}/", {"action": "approve"}, follow=True)
        assert "Nobody can approve an expense they submitted." in response.content.decode()
        assert Expense.objects.get().status == Expense.Status.PENDING
        assert AuditRecord.objects.filter(action="hearth.governance.expense.refused").count() == 1

    def test_an_unbalanced_movement_through_the_page(self, client):
        ledger, accounts, people = make_books()
        login(client, people["admin"])
        response = client.post(
            f"/books/{ledger.pk}/movements/new/",
            {
                "on": "2025-01-31",
                "description": "Fees",
                "account_1": accounts["bank"].pk,
                "debit_1": "100",
                "account_2": accounts["fees"].pk,
                "credit_2": "90",
            },
        )
        assert response.status_code == 200
        assert "debits come to 100.00 and credits to 90.00" in response.content.decode()

    def test_the_ledger_page_queries_do_not_grow_with_expenses(self, client):
        ledger, accounts, people = make_books()
        login(client, people["admin"])
        submit(ledger, accounts, people["member"])
        client.get(f"/books/{ledger.pk}/")
        with CaptureQueriesContext(connection) as few:
            client.get(f"/books/{ledger.pk}/")
        for _ in range(5):
            expense = submit(ledger, accounts, people["member"])
            ledger_services.expense_approve(actor=people["admin"], expense=expense)
            ledger_services.expense_pay(
                actor=people["admin"],
                expense=expense,
                paid_from=accounts["bank"],
                paid_on=date.today(),
            )
        with CaptureQueriesContext(connection) as many:
            client.get(f"/books/{ledger.pk}/")
        assert len(many) == len(few)
