"""The pages of the open books (ledger_views.py)."""

from django.urls import path

from . import ledger_views as views

app_name = "books"

LEDGER = "books/<uuid:ledger_id>/"
EXPENSE = "books/expenses/<uuid:expense_id>/"

urlpatterns = [
    path("books/", views.ledgers, name="ledgers"),
    path("books/new/", views.ledger_new, name="ledger-new"),
    path(LEDGER, views.ledger_detail, name="ledger"),
    path(LEDGER + "accounts/", views.accounts, name="accounts"),
    path(LEDGER + "movements/new/", views.movement_new, name="movement-new"),
    path(LEDGER + "expenses/new/", views.expense_new, name="expense-new"),
    path(LEDGER + "books.csv", views.member_csv, name="member-csv"),
    path(EXPENSE, views.expense_detail, name="expense"),
    path(EXPENSE + "edit/", views.expense_edit, name="expense-edit"),
    path(EXPENSE + "attachment/", views.expense_attachment, name="attachment"),
    path("open-books/<uuid:ledger_id>/", views.public_ledger, name="public"),
    path("open-books/<uuid:ledger_id>/books.csv", views.public_csv, name="public-csv"),
]
