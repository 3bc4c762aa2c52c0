"""The pages of the open books. Thin: parse, ask a selector or call a service, render.

The public pages and the public CSV show amount, description, category and date only: they are
built from `ledger_selectors.public_expenses`, which does not even load the private fields."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from hearth.accounts.models import Organization, Role
from hearth.core.forms import add_service_errors, posted

from . import ledger_forms as forms
from . import ledger_selectors as selectors
from . import ledger_services as services
from .models import Account, Circle, CircleMember, Expense

STATUS_TAGS = {
    Expense.Status.DRAFT: "govuk-tag--grey",
    Expense.Status.PENDING: "govuk-tag--yellow",
    Expense.Status.APPROVED: "govuk-tag--blue",
    Expense.Status.PAID: "govuk-tag--green",
    Expense.Status.REJECTED: "govuk-tag--red",
    Expense.Status.CANCELLED: "govuk-tag--grey",
}


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    return year if 2000 <= year <= 2200 else timezone.localdate().year


def _places(user) -> list[tuple[str, str, object]]:
    places = [
        (f"org:{organization.pk}", organization.name, organization)
        for organization in Organization.objects.filter(
            memberships__user_id=user.pk, memberships__role=Role.ADMIN
        ).order_by("name")
    ]
    places += [
        (f"circle:{circle.pk}", circle.name, circle)
        for circle in Circle.objects.filter(
            members__user_id=user.pk, members__role=CircleMember.Role.FACILITATOR
        ).order_by("name")
    ]
    return places


@login_required
def ledgers(request):
    return render(
        request,
        "governance/books/ledgers.html",
        {"ledgers": selectors.ledgers_of(request.user), "can_open": bool(_places(request.user))},
    )


@login_required
def ledger_new(request):
    places = _places(request.user)
    if not places:
        raise Http404
    form = forms.LedgerForm(posted(request), places=places)
    if form.is_valid():
        place = form.chosen_place()
        try:
            ledger = services.ledger_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                organization=place if isinstance(place, Organization) else None,
                circle=place if isinstance(place, Circle) else None,
                currency=form.cleaned_data["currency"],
                is_public=form.cleaned_data["is_public"],
                second_approval_above=form.cleaned_data["second_approval_above"] or None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The books are open. Add their accounts next."))
            return redirect("books:accounts", ledger_id=ledger.pk)
    return render(request, "governance/books/ledger_form.html", {"form": form})


@login_required
def ledger_detail(request, ledger_id):
    ledger = selectors.ledger_for_reader(request.user, ledger_id)
    year = _year(request)
    can_keep = selectors.can_keep(request.user, ledger)
    return render(
        request,
        "governance/books/ledger.html",
        {
            "ledger": ledger,
            "year": year,
            "years": selectors.ledger_years(ledger),
            "rows": selectors.budget_vs_actual(ledger, year),
            "expenses": selectors.member_expenses(ledger),
            "awaiting": selectors.awaiting_approval(request.user, ledger) if can_keep else [],
            "lines": selectors.journal(ledger, year=year),
            "can_keep": can_keep,
            "status_tags": STATUS_TAGS,
        },
    )


@login_required
def accounts(request, ledger_id):
    ledger = selectors.ledger_for_keeper(request.user, ledger_id)
    chart = selectors.ledger_accounts(ledger)
    account_form = forms.AccountForm(posted(request) if "code" in request.POST else None)
    budget_form = forms.BudgetLineForm(
        posted(request) if "budget-amount" in request.POST else None, accounts=chart
    )
    if account_form.is_valid():
        try:
            services.account_add(actor=request.user, ledger=ledger, **account_form.cleaned_data)
        except ValidationError as error:
            add_service_errors(account_form, error)
        else:
            messages.success(request, _("The account is added."))
            return redirect("books:accounts", ledger_id=ledger.pk)
    if budget_form.is_valid():
        try:
            services.budget_line_set(actor=request.user, ledger=ledger, **budget_form.cleaned_data)
        except ValidationError as error:
            add_service_errors(budget_form, error)
        else:
            messages.success(request, _("The budget is set."))
            return redirect("books:accounts", ledger_id=ledger.pk)
    return render(
        request,
        "governance/books/accounts.html",
        {
            "ledger": ledger,
            "accounts": chart,
            "account_form": account_form,
            "budget_form": budget_form,
        },
    )


@login_required
def movement_new(request, ledger_id):
    ledger = selectors.ledger_for_keeper(request.user, ledger_id)
    form = forms.MovementForm(posted(request), accounts=selectors.ledger_accounts(ledger))
    if form.is_valid():
        try:
            services.movement_record(
                actor=request.user,
                ledger=ledger,
                on=form.cleaned_data["on"],
                description=form.cleaned_data["description"],
                category=form.cleaned_data["category"],
                lines=form.lines(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The movement is recorded."))
            return redirect("books:ledger", ledger_id=ledger.pk)
    return render(request, "governance/books/movement_form.html", {"ledger": ledger, "form": form})


def _expense_accounts(ledger):
    return selectors.ledger_accounts(ledger).filter(kind=Account.Kind.EXPENSE)


@login_required
def expense_new(request, ledger_id):
    ledger = selectors.ledger_for_reader(request.user, ledger_id)
    form = forms.ExpenseForm(
        posted(request), request.FILES or None, accounts=_expense_accounts(ledger)
    )
    if form.is_valid():
        try:
            expense = services.expense_create(
                actor=request.user,
                ledger=ledger,
                submit="save_draft" not in request.POST,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The expense is saved as a draft.")
                if expense.status == Expense.Status.DRAFT
                else _("The expense is waiting for approval."),
            )
            return redirect("books:expense", expense_id=expense.pk)
    return render(request, "governance/books/expense_form.html", {"ledger": ledger, "form": form})


@login_required
def expense_edit(request, expense_id):
    expense = selectors.expense_for_reader(request.user, expense_id)
    ledger = expense.ledger
    if expense.status not in services.EDITABLE_STATUSES or not (
        expense.submitted_by_id == request.user.pk or selectors.can_keep(request.user, ledger)
    ):
        raise Http404
    initial = {
        "account": expense.account,
        "amount": expense.amount,
        "description": expense.description,
        "category": expense.category,
        "spent_on": expense.spent_on,
        "payment_details": expense.payment_details,
    }
    form = forms.ExpenseForm(
        posted(request), request.FILES or None, accounts=_expense_accounts(ledger), initial=initial
    )
    if form.is_valid():
        try:
            services.expense_update(actor=request.user, expense=expense, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The expense is changed."))
            return redirect("books:expense", expense_id=expense.pk)
    return render(
        request,
        "governance/books/expense_form.html",
        {"ledger": ledger, "form": form, "expense": expense},
    )


ACTIONS = ("submit", "approve", "reject", "cancel", "pay")


@login_required
def expense_detail(request, expense_id):
    expense = selectors.expense_for_reader(request.user, expense_id)
    ledger = expense.ledger
    can_keep = selectors.can_keep(request.user, ledger)
    pay_form = (
        forms.PayForm(
            posted(request) if request.POST.get("action") == "pay" else None,
            accounts=selectors.ledger_accounts(ledger).filter(
                kind__in=[Account.Kind.ASSET, Account.Kind.LIABILITY]
            ),
        )
        if can_keep and expense.status == Expense.Status.APPROVED
        else None
    )
    reject_form = forms.RejectForm(
        posted(request) if request.POST.get("action") == "reject" else None
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ACTIONS:
            raise Http404
        try:
            if action == "submit":
                services.expense_submit(actor=request.user, expense=expense)
            elif action == "approve":
                services.expense_approve(actor=request.user, expense=expense)
            elif action == "cancel":
                services.expense_cancel(actor=request.user, expense=expense)
            elif action == "reject":
                reason = reject_form.cleaned_data["reason"] if reject_form.is_valid() else ""
                services.expense_reject(actor=request.user, expense=expense, reason=reason)
            elif pay_form is not None and pay_form.is_valid():
                services.expense_pay(
                    actor=request.user,
                    expense=expense,
                    paid_from=pay_form.cleaned_data["paid_from"],
                    paid_on=pay_form.cleaned_data["paid_on"],
                )
            else:
                raise ValidationError(_("Choose the account it was paid from and the date."))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Done."))
        return redirect("books:expense", expense_id=expense.pk)
    is_submitter = expense.submitted_by_id == request.user.pk
    return render(
        request,
        "governance/books/expense.html",
        {
            "expense": expense,
            "ledger": ledger,
            "can_keep": can_keep,
            "is_submitter": is_submitter,
            "needs_second": services.needs_second_approval(expense),
            "can_approve": can_keep
            and expense.status == Expense.Status.PENDING
            and not is_submitter
            and expense.approved_by_id != request.user.pk,
            "can_edit": expense.status in services.EDITABLE_STATUSES and (is_submitter or can_keep),
            "can_cancel": expense.status not in {Expense.Status.PAID, Expense.Status.CANCELLED}
            and (is_submitter or can_keep),
            "pay_form": pay_form,
            "reject_form": reject_form,
            "status_tag": STATUS_TAGS[expense.status],
        },
    )


@login_required
def expense_attachment(request, expense_id):
    expense = selectors.expense_for_reader(request.user, expense_id)
    if not expense.attachment:
        raise Http404
    name = expense.attachment.name.rsplit("/", 1)[-1]
    response = FileResponse(expense.attachment.open("rb"), as_attachment=True, filename=name)
    response["Cache-Control"] = "no-store"
    return response


def public_ledger(request, ledger_id):
    ledger = selectors.public_ledger(ledger_id)
    year = _year(request)
    return render(
        request,
        "governance/books/public.html",
        {
            "ledger": ledger,
            "year": year,
            "years": selectors.ledger_years(ledger),
            "rows": selectors.budget_vs_actual(ledger, year),
            "expenses": selectors.public_expenses(ledger),
        },
    )


def _csv_response(filename: str) -> tuple[HttpResponse, csv.writer]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response, csv.writer(response)


def _safe(value) -> str:
    """Spreadsheet programs run cells starting with = + - @ as formulas; quote them."""
    text = str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


PUBLIC_COLUMNS = ["date", "description", "category", "account", "amount", "status"]
MEMBER_COLUMNS = [
    *PUBLIC_COLUMNS,
    "submitted_by",
    "approved_by",
    "second_approved_by",
    "payment_details",
    "attachment",
]


def public_csv(request, ledger_id):
    ledger = selectors.public_ledger(ledger_id)
    response, writer = _csv_response("open-books.csv")
    writer.writerow(PUBLIC_COLUMNS)
    for expense in selectors.public_expenses(ledger):
        writer.writerow(
            [
                expense.spent_on.isoformat(),
                _safe(expense.description),
                _safe(expense.category),
                _safe(expense.account.name),
                expense.amount,
                expense.status,
            ]
        )
    return response


@login_required
def member_csv(request, ledger_id):
    ledger = selectors.ledger_for_reader(request.user, ledger_id)
    response, writer = _csv_response("books.csv")
    writer.writerow(MEMBER_COLUMNS)
    for expense in selectors.member_expenses(ledger):
        writer.writerow(
            [
                expense.spent_on.isoformat(),
                _safe(expense.description),
                _safe(expense.category),
                _safe(expense.account.name),
                expense.amount,
                expense.status,
                _safe(expense.submitted_by.email),
                _safe(expense.approved_by.email if expense.approved_by else ""),
                _safe(expense.second_approved_by.email if expense.second_approved_by else ""),
                _safe(expense.payment_details),
                expense.attachment.name.rsplit("/", 1)[-1] if expense.attachment else "",
            ]
        )
    return response
