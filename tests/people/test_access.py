from datetime import timedelta
from uuid import uuid4

import pytest
from django.utils import timezone

from hearth.accounts.models import Organization, Role
from hearth.core.models import AuditRecord
from hearth.people import access, services
from hearth.people.models import Category, Purpose
from tests.factories import NetworkMembershipFactory, OrganizationFactory
from tests.people.factories import grant, make_person, staff

pytestmark = pytest.mark.django_db


def audit_rows(action):
    return list(AuditRecord.objects.filter(action=action).order_by("sequence"))


def open_as(user, organization, person_id, purpose=Purpose.CARE, categories=None):
    return access.access_person(
        user=user,
        organization=organization,
        person_id=person_id,
        purpose=purpose,
        categories=categories,
    )


def refusal_message(user, organization, person_id, purpose=Purpose.CARE):
    with pytest.raises(access.PersonNotFound) as refused:
        open_as(user, organization, person_id, purpose)
    return str(refused.value)


class TestHoldingOrganization:
    def test_a_practitioner_opens_every_category_and_the_read_is_audited(self):
        holder = OrganizationFactory()
        worker = staff(holder)
        person = make_person(
            holder,
            by=worker,
            name="Robin",
            strengths={"strengths": "Keeps going", "goals": "A quiet flat"},
        )

        record = open_as(worker, holder, person.id)

        assert record.chosen_name == "Robin"
        assert record.strengths["goals"] == "A quiet flat"
        assert record.categories == access.ALL_CATEGORIES
        [row] = audit_rows("hearth.people.person.read")
        assert (row.target_id, row.purpose, row.organization_id) == (
            str(person.id),
            "care",
            holder.id,
        )
        assert row.detail == {
            "categories": sorted(access.ALL_CATEGORIES),
            "basis": "holder:practitioner",
        }
        assert "Robin" not in str(row.detail)

    def test_a_peer_supporter_reads_everything_but_notes_and_outcomes(self):
        holder = OrganizationFactory()
        person = make_person(holder)

        record = open_as(staff(holder, Role.PEER_SUPPORTER), holder, person.id)

        assert Category.NOTES not in record.categories
        assert Category.OUTCOMES not in record.categories
        assert record.notes() == []
        assert record.identity["chosen_name"] == "Robin"

    def test_a_viewer_gets_the_same_not_found_as_a_missing_record(self):
        holder = OrganizationFactory()
        person = make_person(holder)
        viewer = staff(holder, Role.VIEWER)

        forbidden = refusal_message(viewer, holder, person.id)
        missing = refusal_message(viewer, holder, "00000000-0000-0000-0000-000000000000")

        assert forbidden == missing
        assert audit_rows("hearth.people.person.read") == []
        assert [row.detail["reason"] for row in audit_rows("hearth.people.person.refused")] == [
            "no-role",
            "missing",
        ]

    def test_a_malformed_id_is_not_found_too(self):
        holder = OrganizationFactory()

        assert refusal_message(staff(holder), holder, "not-a-uuid") == refusal_message(
            staff(holder), holder, "00000000-0000-0000-0000-000000000000"
        )


class TestOtherOrganizations:
    def test_no_consent_means_not_found_and_a_logged_refusal(self):
        person = make_person()
        other = OrganizationFactory()
        outsider = staff(other)

        assert refusal_message(outsider, other, person.id, Purpose.REFERRAL) == refusal_message(
            outsider, other, "00000000-0000-0000-0000-000000000000", Purpose.REFERRAL
        )
        refused = audit_rows("hearth.people.person.refused")
        assert refused[0].target_id == str(person.id)
        assert refused[0].detail == {"reason": "no-live-consent"}

    def test_a_live_consent_opens_only_its_categories_for_its_purpose(self):
        person = make_person(contact={"phones": ["555 123 4567"], "safe_channels": ["text"]})
        recipient = OrganizationFactory()
        reader = staff(recipient)
        consent = grant(person, recipient, categories=["identity", "needs"])

        record = open_as(reader, recipient, person.id, Purpose.REFERRAL)

        assert record.categories == {"identity", "needs"}
        assert record.contact is None
        assert record.strengths is None
        assert record.chosen_name == "Robin"
        [row] = audit_rows("hearth.people.person.read")
        assert row.detail == {
            "categories": ["identity", "needs"],
            "basis": "consent",
            "consents": [str(consent.id)],
        }
        with pytest.raises(access.PersonNotFound):
            open_as(reader, recipient, person.id, Purpose.CARE_COORDINATION)

    def test_a_request_for_categories_outside_the_consent_is_refused(self):
        person = make_person()
        recipient = OrganizationFactory()
        grant(person, recipient, categories=["identity"])

        with pytest.raises(access.PersonNotFound):
            open_as(staff(recipient), recipient, person.id, Purpose.REFERRAL, [Category.NOTES])

        assert audit_rows("hearth.people.person.refused")[0].detail == {"reason": "category"}

    def test_revoking_ends_access_at_once(self):
        person = make_person()
        recipient = OrganizationFactory()
        reader = staff(recipient)
        consent = grant(person, recipient)
        open_as(reader, recipient, person.id, Purpose.REFERRAL)

        services.consent_revoke(consent=consent, by_person=True)

        with pytest.raises(access.PersonNotFound):
            open_as(reader, recipient, person.id, Purpose.REFERRAL)

    def test_an_expired_consent_opens_nothing(self, settings):
        person = make_person()
        recipient = OrganizationFactory()
        consent = grant(person, recipient, days=1)

        later = timezone.now() + timedelta(days=2)
        decision = access.decide(
            user=staff(recipient),
            organization=recipient,
            person=person,
            purpose=Purpose.REFERRAL,
            at=later,
        )

        assert not decision.allowed
        assert decision.refusal == "no-live-consent"
        assert consent.is_live() and not consent.is_live(later)

    def test_a_class_consent_covers_organizations_of_that_kind_in_that_network(self):
        person = make_person()
        membership = NetworkMembershipFactory(organization__kind=Organization.Kind.VICTIM_SERVICE)
        shelter, network = membership.organization, membership.network
        elsewhere = OrganizationFactory(kind=Organization.Kind.VICTIM_SERVICE)
        same_network_other_kind = NetworkMembershipFactory(network=network).organization
        services.consent_record(
            actor=staff(person.holder),
            organization=person.holder,
            person_id=person.id,
            recipient_kind=Organization.Kind.VICTIM_SERVICE,
            recipient_network=network,
            categories=["identity"],
            purpose=Purpose.CARE_COORDINATION,
            expires_at=timezone.now() + timedelta(days=10),
            attestation="Agreed on the phone",
        )

        assert open_as(staff(shelter), shelter, person.id, Purpose.CARE_COORDINATION).chosen_name
        for outsider in (elsewhere, same_network_other_kind):
            with pytest.raises(access.PersonNotFound):
                open_as(staff(outsider), outsider, person.id, Purpose.CARE_COORDINATION)

    def test_acting_for_an_organization_you_do_not_belong_to_is_refused(self):
        person = make_person()
        recipient = OrganizationFactory()
        grant(person, recipient)
        somebody_else = staff(OrganizationFactory())

        with pytest.raises(access.PersonNotFound):
            open_as(somebody_else, recipient, person.id, Purpose.REFERRAL)


class TestBreakTheGlass:
    def test_emergency_access_opens_everything_for_a_time_and_is_shown_for_review(self):
        person = make_person()
        recipient = OrganizationFactory()
        reader = staff(recipient)
        consent = grant(person, recipient)
        services.consent_revoke(consent=consent)

        emergency = services.emergency_access_start(
            user=reader,
            organization=recipient,
            person_id=person.id,
            reason="They called in crisis and we need their safety plan",
        )
        record = open_as(reader, recipient, person.id, Purpose.EMERGENCY)

        assert record.categories == access.ALL_CATEGORIES
        [started] = audit_rows("hearth.people.emergency.started")
        assert started.organization_id == person.holder_id  # the holder's admins see it
        assert started.detail["emergency_access"] == str(emergency.id)
        expired = access.decide(
            user=reader,
            organization=recipient,
            person=person,
            purpose=Purpose.EMERGENCY,
            at=emergency.expires_at + timedelta(seconds=1),
        )
        assert not expired.allowed

    def test_an_organization_with_no_tie_to_the_person_cannot_break_the_glass(self):
        person = make_person()
        stranger_org = OrganizationFactory()

        with pytest.raises(access.PersonNotFound):
            services.emergency_access_start(
                user=staff(stranger_org),
                organization=stranger_org,
                person_id=person.id,
                reason="Trying my luck with someone else's record",
            )

        assert person.emergency_accesses.count() == 0
        assert audit_rows("hearth.people.person.refused")[0].detail == {
            "reason": "no-emergency-basis"
        }

    def test_a_reason_is_required(self):
        person = make_person()

        with pytest.raises(Exception, match="Explain the emergency"):
            services.emergency_access_start(
                user=staff(person.holder),
                organization=person.holder,
                person_id=person.id,
                reason="",
            )
        assert person.emergency_accesses.count() == 0


class TestListsAndLookups:
    def test_the_list_shows_names_only_and_audits_each_person_shown(self):
        holder = OrganizationFactory()
        worker = staff(holder)
        for name in ("Ash", "Birch", "Cedar"):
            make_person(holder, by=worker, name=name)
        make_person(name="Elsewhere")

        records, total = access.people_held_by(user=worker, organization=holder)

        assert total == 3
        assert sorted(record.chosen_name for record in records) == ["Ash", "Birch", "Cedar"]
        assert all(record.categories == {"identity"} for record in records)
        assert len(audit_rows("hearth.people.person.listed")) == 3

    def test_the_list_costs_the_same_number_of_queries_for_5_or_50_people(
        self, django_assert_max_num_queries
    ):
        holder = OrganizationFactory()
        worker = staff(holder)
        for n in range(50):
            make_person(holder, by=worker, name=f"Person {n}")

        with django_assert_max_num_queries(10):
            records, _total = access.people_held_by(user=worker, organization=holder, limit=50)
        assert len(records) == 50

    def test_lookup_is_exact_and_stays_inside_the_organization(self):
        holder = OrganizationFactory()
        worker = staff(holder)
        make_person(
            holder,
            by=worker,
            name="Robin Vale",
            contact={"emails": ["Robin@Example.org"], "phones": ["+1 555 010 2030"]},
        )
        make_person(name="Robin Vale")  # held elsewhere

        def names(query):
            return [
                r.chosen_name
                for r in access.find_people(user=worker, organization=holder, query=query)
            ]

        assert names("robin vale") == ["Robin Vale"]
        assert names("robin@example.org") == ["Robin Vale"]
        assert names("(555) 010-2030") == ["Robin Vale"]
        assert names("Robin") == []  # not a partial-match search
        assert (
            access.find_people(
                user=staff(holder, Role.VIEWER), organization=holder, query="robin vale"
            )
            == []
        )

    def test_lookups_follow_a_changed_name(self):
        holder = OrganizationFactory()
        worker = staff(holder)
        person = make_person(holder, by=worker, name="Robin")

        services.person_update(
            actor=worker,
            organization=holder,
            person_id=person.id,
            category="identity",
            data={"chosen_name": "Wren"},
        )

        assert [
            r.chosen_name
            for r in access.find_people(user=worker, organization=holder, query="wren")
        ] == ["Wren"]
        assert access.find_people(user=worker, organization=holder, query="robin") == []


class TestOpenForChange:
    """The holder's staff changing something that also reads the record (making a referral)."""

    def test_the_holders_staff_get_the_row_and_the_record_with_one_read_recorded(self):
        holder = OrganizationFactory()
        worker = staff(holder)
        person = make_person(holder, by=worker, name="Robin")

        row, record = access.open_for_change(
            user=worker, organization=holder, person_id=person.id, purpose=Purpose.REFERRAL
        )

        assert row.pk == record.id == person.id
        assert record.chosen_name == "Robin"
        [read] = audit_rows("hearth.people.person.read")
        assert (read.target_id, read.purpose, read.detail["basis"]) == (
            str(person.id),
            "referral",
            "holder:practitioner",
        )

    def test_a_recipient_under_consent_is_refused_as_not_found_and_the_refusal_recorded(self):
        holder, recipient = OrganizationFactory(), OrganizationFactory()
        person = make_person(holder, name="Robin")
        grant(person, recipient, categories=("identity", "needs"))
        outsider = staff(recipient)
        reads_before = len(audit_rows("hearth.people.person.read"))

        with pytest.raises(access.PersonNotFound) as refused:
            access.open_for_change(
                user=outsider, organization=recipient, person_id=person.id, purpose="referral"
            )

        assert str(refused.value) == refusal_message(outsider, recipient, uuid4())
        assert len(audit_rows("hearth.people.person.read")) == reads_before
        refusals = audit_rows("hearth.people.person.refused")
        assert refusals[0].detail == {"reason": "not-holder"}
        assert refusals[0].target_id == str(person.id)
