"""What the governance app registers at start-up (GovernanceConfig.ready): every notification
kind its code sends has words, and the circle invitation kind is known to the accounts app."""

import re
from pathlib import Path

from hearth.accounts import services as accounts_services
from hearth.core.notifications import describe_kind
from hearth.governance import services
from hearth.governance.apps import NOTIFICATION_KINDS

SOURCE = Path(__file__).resolve().parents[2] / "hearth" / "governance"


def test_every_notification_kind_sent_is_registered_with_words():
    sent = set()
    for path in SOURCE.rglob("*.py"):
        sent |= set(re.findall(r'kind="(governance\.[a-z_.]+)"', path.read_text()))
    assert sent == set(NOTIFICATION_KINDS)
    assert len(sent) == 9
    assert {kind: describe_kind(kind) for kind in sent} == {
        kind: str(label) for kind, label in NOTIFICATION_KINDS.items()
    }
    assert all(describe_kind(kind) != kind for kind in sent)


def test_no_services_module_registers_anything_at_import():
    for name in ("services.py", "budget_services.py", "ledger_services.py"):
        assert "register_kinds(" not in (SOURCE / name).read_text()


def test_the_circle_invitation_kind_is_registered_with_the_accounts_app():
    registered = accounts_services._invitation_kinds[services.CIRCLE_INVITATION_KIND]
    assert registered is services.CIRCLE_INVITATION
    assert registered.accept is services.circle_invitation_accept
