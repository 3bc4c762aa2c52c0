"""Permission predicates for the staff pages about people: one question each.

Reading a person's record is never decided here: that is `access.decide()`. These answer only
whether a member may reach a page that is about the organization's people in general."""

from hearth.accounts.rules import is_org_admin

from .access import ROLE_CATEGORIES, _role_in
from .models import Category


def sees_people(user, organization) -> bool:
    """Staff whose role reads names see the people their organization supports (viewers do not)."""
    role = _role_in(user, organization)
    return role is not None and Category.IDENTITY in ROLE_CATEGORIES.get(role, frozenset())


def keeps_records(user, organization) -> bool:
    """Organization admins set retention, erase records and review emergency access."""
    return is_org_admin(user, organization)


def reads_notes(user, organization) -> bool:
    role = _role_in(user, organization)
    return role is not None and Category.NOTES in ROLE_CATEGORIES.get(role, frozenset())
