from datetime import timedelta

import pytest
from django.utils import timezone

from hearth.referrals import selectors, services
from tests.factories import NetworkFactory, NetworkMembershipFactory
from tests.referrals.factories import pair, refer

pytestmark = pytest.mark.django_db


def move(p, referral, *statuses, reason=""):
    for status in statuses:
        services.referral_transition(
            actor=p.receiver_staff,
            organization=p.receiver,
            referral_id=referral.pk,
            to_status=status,
            reason=reason if status in {"rejected", "failed", "on-hold", "cancelled"} else "",
        )


def test_the_network_sees_aggregates_with_small_counts_hidden(settings):
    settings.HEARTH_SUPPRESSION_THRESHOLD = 3
    p = pair()
    network = NetworkFactory()
    NetworkMembershipFactory(network=network, organization=p.receiver)
    for _ in range(4):
        move(p, refer(p), "accepted", "in-progress", "completed")
    move(p, refer(p), "rejected", reason="no-capacity")
    refer(p)  # still waiting
    since, until = timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=1)

    figures = selectors.network_referral_figures(network, since=since, until=until)

    by_status = {row["label"]: row["values"][0] for row in figures["by_status"].as_rows()}
    assert by_status["Completed"] == 4
    assert by_status["Declined"] is None  # 1 referral: hidden
    assert by_status["Sent, waiting for an answer"] is None  # its complement
    assert by_status["Accepted"] == 0
    assert figures["total"] == 6
    assert figures["acceptance_rate"] == 80  # 4 of the 5 answered
    assert figures["median_days_to_completion"] == 0.0
    assert figures["services_at_capacity"] == []  # one rejection for capacity: too few to show
    assert figures["unmet_needs"].grand_total() is None


def test_a_network_with_no_referrals_shows_zeros():
    network = NetworkFactory()
    figures = selectors.network_referral_figures(
        network, since=timezone.now() - timedelta(days=30), until=timezone.now()
    )

    assert figures["total"] == 0
    assert figures["acceptance_rate"] is None
    assert figures["median_days_to_acceptance"] is None
