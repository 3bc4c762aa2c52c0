"""The details of a listing that search filters on: the languages a service is offered in, what
it costs (and so whether it is free of cost), who it is for, and the access at its locations.
Each is changed only by the people who keep the listing, with history, audit and search kept in
step."""

import uuid
from decimal import Decimal

import pytest

from hearth.core.models import AuditRecord
from hearth.directory import search
from hearth.directory.models import Accessibility, CostOption, Language, Metadata, Service
from tests.conftest import sign_in
from tests.directory.factories import LocationFactory, ServiceAtLocationFactory
from tests.directory.pages import page_body

pytestmark = pytest.mark.django_db


def found(**query):
    return search.search_services(search.SearchQuery(**query)).ids


@pytest.fixture
def keeper(client, organization, make_member):
    user = make_member(organization, "admin")
    sign_in(client, user)
    return user


# ---------------------------------------------------------------------------------------------
# Languages


def test_the_languages_page_lists_the_languages(client, keeper, kept_listing):
    Language.objects.create(service=kept_listing.service, code="vi", name="Vietnamese")

    response = client.get(f"/listings/services/{kept_listing.service_id}/languages/")

    body = response.content.decode()
    assert response.status_code == 200
    assert '<dt class="govuk-summary-list__key">Vietnamese</dt>' in body
    assert '<option value="so">Somali</option>' in body
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">' in body


def test_a_common_language_is_added_and_search_finds_it(
    client, keeper, kept_listing, django_capture_on_commit_callbacks
):
    service = kept_listing.service

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/listings/services/{service.id}/languages/", {"language": "es"})

    assert response.status_code == 302
    language = Language.objects.get(service=service)
    assert (language.code, language.name) == ("es", "Spanish")
    assert Metadata.objects.get(resource_id=language.id, field_name="code").replacement_value == (
        "es"
    )
    record = AuditRecord.objects.get(action="hearth.directory.language.added")
    assert record.detail == {"service": str(service.id), "code": "es"}
    assert found(languages=["es"]) == [service.id]


def test_another_language_is_added_by_its_code(client, keeper, kept_listing):
    response = client.post(
        f"/listings/services/{kept_listing.service_id}/languages/",
        {"language": "other", "other_code": " PRS ", "other_name": "Dari"},
    )

    assert response.status_code == 302
    assert list(Language.objects.values_list("code", "name")) == [("prs", "Dari")]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "language", "Select a language, or “Another language”"),
        ({"language": "xx"}, "language", "Select a valid choice."),
        (
            {"language": "other", "other_code": "123", "other_name": "Numbers"},
            "other_code",
            "Enter a language code of 2 or 3 letters, like so for Somali or prs for Dari",
        ),
        ({"language": "other", "other_code": "prs"}, "other_name", "Enter the name of the"),
        ({"language": "es"}, "language", "Spanish is already listed."),
    ],
)
def test_a_wrong_language_names_the_problem_and_saves_nothing(
    client, keeper, kept_listing, directory_snapshot, data, field, message
):
    Language.objects.create(service=kept_listing.service, code="es", name="Spanish")
    before = directory_snapshot()

    response = client.post(f"/listings/services/{kept_listing.service_id}/languages/", data)

    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert f'<a href="#id_{field}">{message}' in body
    assert directory_snapshot() == before


def test_a_language_is_removed_after_asking(
    client, keeper, kept_listing, django_capture_on_commit_callbacks
):
    service = kept_listing.service
    language = Language.objects.create(service=service, code="es", name="Spanish")
    search.update_services([service.id])

    assert (
        "Remove Spanish?"
        in client.get(f"/listings/languages/{language.id}/remove/").content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/listings/languages/{language.id}/remove/")

    assert not Language.objects.exists()
    assert AuditRecord.objects.filter(action="hearth.directory.language.removed").count() == 1
    assert found(languages=["es"]) == []


# ---------------------------------------------------------------------------------------------
# Costs, and what "free of cost" means


def test_a_free_cost_makes_the_service_free_of_cost_everywhere(
    client, keeper, kept_listing, django_capture_on_commit_callbacks
):
    service = kept_listing.service
    assert (
        "does not count as free of cost"
        in client.get(f"/listings/services/{service.id}/costs/").content.decode()
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/listings/services/{service.id}/costs/add/",
            {"option": "Free", "amount_description": "Nobody pays."},
        )

    assert response.status_code == 302
    option = CostOption.objects.get(service=service)
    assert (option.option, option.amount, option.currency) == ("Free", None, "")
    assert option.is_free
    assert found(free_only=True) == [service.id]
    assert (
        "In search, this service counts as free of cost."
        in client.get(f"/listings/services/{service.id}/costs/").content.decode()
    )
    public = client.get(f"/find/services/{service.id}/").content.decode()
    assert 'Cost</dt><dd class="govuk-summary-list__value">Free</dd>' in public
    assert AuditRecord.objects.filter(action="hearth.directory.cost_option.created").count() == 1


def test_a_cost_with_an_amount_is_changed_then_removed(
    client, keeper, kept_listing, django_capture_on_commit_callbacks
):
    service = kept_listing.service
    client.post(
        f"/listings/services/{service.id}/costs/add/",
        {"option": "Per session", "amount": "12.50", "currency": "usd"},
    )
    option = CostOption.objects.get()
    assert (option.amount, option.currency) == (Decimal("12.50"), "USD")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/listings/cost-options/{option.id}/edit/",
            {"option": "Per session", "amount": "0", "currency": "USD"},
        )

    option.refresh_from_db()
    assert option.amount == Decimal("0")
    change = Metadata.objects.get(
        resource_id=option.id, field_name="amount", last_action_type="update"
    )
    assert (change.previous_value, change.replacement_value) == ("12.50", "0")
    assert found(free_only=True) == [service.id]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/listings/cost-options/{option.id}/remove/")

    assert not CostOption.objects.exists()
    assert found(free_only=True) == []
    assert list(
        AuditRecord.objects.filter(action__startswith="hearth.directory.cost_option.")
        .order_by("sequence")
        .values_list("action", flat=True)
    ) == [
        "hearth.directory.cost_option.created",
        "hearth.directory.cost_option.updated",
        "hearth.directory.cost_option.deleted",
    ]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "option", "Say what the cost is: describe it, give an amount, or both"),
        ({"amount": "12.50"}, "currency", "Enter the currency of the amount, like USD"),
        (
            {"amount": "5", "currency": "ABC"},
            "currency",
            "“ABC” is not a currency code. Use three letters, like USD, EUR or GBP",
        ),
        ({"amount": "-3", "currency": "USD"}, "amount", "The amount must be 0 or more"),
        ({"amount": "a lot", "currency": "USD"}, "amount", "Enter the amount as a number"),
        ({"amount": "1.555", "currency": "USD"}, "amount", "no more than 2 decimal places"),
        ({"option": "Per night", "currency": "DOLLARS"}, "currency", "three letters, like USD"),
    ],
)
def test_a_wrong_cost_names_the_problem_and_saves_nothing(
    client, keeper, kept_listing, directory_snapshot, data, field, message
):
    before = directory_snapshot()

    response = client.post(f"/listings/services/{kept_listing.service_id}/costs/add/", data)

    body = response.content.decode()
    assert "There is a problem" in body
    assert f'<a href="#id_{field}">' in body
    assert message in body
    assert directory_snapshot() == before


# ---------------------------------------------------------------------------------------------
# Who the service is for


def test_eligibility_and_ages_are_edited_and_searchable(
    client, keeper, kept_listing, django_capture_on_commit_callbacks
):
    service = kept_listing.service

    body = client.get(f"/listings/services/{service.id}/edit/").content.decode()
    assert "Who it is for</legend>" in body
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/listings/services/{service.id}/edit/",
            {
                "name": "Food pantry",
                "status": "active",
                "description": service.description,
                "eligibility_description": "Young people leaving care",
                "minimum_age": "16",
                "maximum_age": "25",
            },
        )

    assert response.status_code == 302
    service.refresh_from_db()
    assert (service.eligibility_description, service.minimum_age, service.maximum_age) == (
        "Young people leaving care",
        16,
        25,
    )
    assert sorted(
        Metadata.objects.filter(resource_id=service.id).values_list("field_name", flat=True)
    ) == ["eligibility_description", "maximum_age", "minimum_age"]
    assert found(age=18) == [service.id]
    assert found(age=30) == []


@pytest.mark.parametrize(
    ("ages", "field", "message"),
    [
        ({"minimum_age": "-1"}, "minimum_age", "The youngest age must be 0 or more"),
        ({"maximum_age": "-4"}, "maximum_age", "The oldest age must be 0 or more"),
        ({"minimum_age": "ten"}, "minimum_age", "Enter the youngest age as a whole number"),
        (
            {"minimum_age": "30", "maximum_age": "12"},
            "maximum_age",
            "The oldest age must be the same as or more than the youngest.",
        ),
    ],
)
def test_wrong_ages_name_the_problem_and_save_nothing(
    client, keeper, kept_listing, directory_snapshot, ages, field, message
):
    before = directory_snapshot()

    response = client.post(
        f"/listings/services/{kept_listing.service_id}/edit/",
        {"name": "Food pantry", "status": "active", **ages},
    )

    body = response.content.decode()
    assert "There is a problem" in body
    assert f'<a href="#id_{field}">{message}' in body
    assert directory_snapshot() == before


# ---------------------------------------------------------------------------------------------
# Access at a location


def test_access_is_added_changed_and_removed(
    client, keeper, kept_listing, django_capture_on_commit_callbacks
):
    location, service = kept_listing.location, kept_listing.service
    assert (
        "No access information yet."
        in client.get(f"/listings/locations/{location.id}/accessibility/").content.decode()
    )

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/listings/locations/{location.id}/accessibility/add/",
            {"description": "Step-free entrance", "url": "example.org/access"},
        )

    item = Accessibility.objects.get(location=location)
    assert (item.description, item.url) == ("Step-free entrance", "https://example.org/access")
    assert found(accessible_only=True) == [service.id]
    assert "Step-free entrance" in client.get(f"/find/services/{service.id}/").content.decode()

    client.post(
        f"/listings/accessibility/{item.id}/edit/",
        {"description": "Step-free entrance at the back", "details": "Ring the bell."},
    )
    item.refresh_from_db()
    assert (item.description, item.details, item.url) == (
        "Step-free entrance at the back",
        "Ring the bell.",
        "",
    )

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/listings/accessibility/{item.id}/remove/")

    assert not Accessibility.objects.exists()
    assert found(accessible_only=True) == []
    assert list(
        AuditRecord.objects.filter(action__startswith="hearth.directory.accessibility.")
        .order_by("sequence")
        .values_list("action", flat=True)
    ) == [
        "hearth.directory.accessibility.created",
        "hearth.directory.accessibility.updated",
        "hearth.directory.accessibility.deleted",
    ]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "description", "Describe the access, like “Step-free entrance”"),
        ({"description": "Ramp", "url": "not a web address"}, "url", "Enter a valid URL."),
    ],
)
def test_wrong_access_information_names_the_problem_and_saves_nothing(
    client, keeper, kept_listing, directory_snapshot, data, field, message
):
    before = directory_snapshot()

    response = client.post(
        f"/listings/locations/{kept_listing.location_id}/accessibility/add/", data
    )

    body = response.content.decode()
    assert "There is a problem" in body
    assert f'<a href="#id_{field}">{message}' in body
    assert directory_snapshot() == before


# ---------------------------------------------------------------------------------------------
# Only keepers


def detail_requests(kept_listing, language, option, item):
    service_id, location_id = kept_listing.service_id, kept_listing.location_id
    return [
        ("get", f"/listings/services/{service_id}/languages/", None),
        ("post", f"/listings/services/{service_id}/languages/", {"language": "so"}),
        ("get", f"/listings/languages/{language.id}/remove/", None),
        ("post", f"/listings/languages/{language.id}/remove/", {}),
        ("get", f"/listings/services/{service_id}/costs/", None),
        ("get", f"/listings/services/{service_id}/costs/add/", None),
        ("post", f"/listings/services/{service_id}/costs/add/", {"option": "Free"}),
        ("get", f"/listings/cost-options/{option.id}/edit/", None),
        ("post", f"/listings/cost-options/{option.id}/edit/", {"option": "Free"}),
        ("post", f"/listings/cost-options/{option.id}/remove/", {}),
        ("get", f"/listings/locations/{location_id}/accessibility/", None),
        ("post", f"/listings/locations/{location_id}/accessibility/add/", {"description": "X"}),
        ("get", f"/listings/accessibility/{item.id}/edit/", None),
        ("post", f"/listings/accessibility/{item.id}/edit/", {"description": "X"}),
        ("post", f"/listings/accessibility/{item.id}/remove/", {}),
        ("post", f"/listings/services/{service_id}/edit/", {"name": "X", "status": "active"}),
    ]


@pytest.mark.parametrize("who", ["viewer", "peer_supporter", "other_org_admin", "anonymous"])
def test_people_who_do_not_keep_the_listing_get_not_found_and_change_nothing(
    client, organization, other_organization, make_member, kept_listing, directory_snapshot, who
):
    language = Language.objects.create(service=kept_listing.service, code="es", name="Spanish")
    option = CostOption.objects.create(service=kept_listing.service, option="Per night")
    item = Accessibility.objects.create(location=kept_listing.location, description="Ramp")
    if who == "other_org_admin":
        sign_in(client, make_member(other_organization, "admin"))
    elif who != "anonymous":
        sign_in(client, make_member(organization, who))
    missing = client.get(f"/listings/cost-options/{uuid.uuid4()}/edit/")
    before = directory_snapshot()

    responses = [
        client.get(url) if method == "get" else client.post(url, data)
        for method, url, data in detail_requests(kept_listing, language, option, item)
    ]

    if who == "anonymous":
        assert {r.status_code for r in responses} == {302}
    else:
        assert missing.status_code == 404
        assert [r.status_code for r in responses] == [404] * len(responses)
        assert {page_body(r) for r in responses} == {page_body(missing)}
    assert directory_snapshot() == before


def test_a_coordinator_keeps_the_details_of_listings_in_their_network(
    client, coordinator, network, kept_listing
):
    sign_in(client, coordinator)

    client.post(f"/listings/services/{kept_listing.service_id}/languages/", {"language": "so"})
    client.post(f"/listings/services/{kept_listing.service_id}/costs/add/", {"option": "Free"})
    client.post(
        f"/listings/locations/{kept_listing.location_id}/accessibility/add/",
        {"description": "Ramp"},
    )

    assert list(Language.objects.values_list("code", flat=True)) == ["so"]
    assert list(CostOption.objects.values_list("option", flat=True)) == ["Free"]
    assert list(Accessibility.objects.values_list("description", flat=True)) == ["Ramp"]


# ---------------------------------------------------------------------------------------------
# Lists read a constant number of times


@pytest.mark.parametrize("page", ["languages", "costs", "accessibility"])
def test_detail_lists_read_a_constant_number_of_times(
    client, keeper, kept_listing, django_assert_max_num_queries, page
):
    service, location = kept_listing.service, kept_listing.location
    url = {
        "languages": f"/listings/services/{service.id}/languages/",
        "costs": f"/listings/services/{service.id}/costs/",
        "accessibility": f"/listings/locations/{location.id}/accessibility/",
    }[page]

    def add(n):
        for i in range(n):
            Language.objects.create(service=service, code=f"q{n}{i:02d}")
            CostOption.objects.create(service=service, option=f"Option {i}", amount=i)
            Accessibility.objects.create(location=location, description=f"Access {i}")

    add(2)
    with django_assert_max_num_queries(40) as few:
        assert client.get(url).status_code == 200
    add(8)
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200


def test_free_of_cost_has_one_meaning(kept_listing):
    service = Service.objects.prefetch_related("cost_options").get(pk=kept_listing.service_id)
    assert not search.is_free_of_cost(service)
    for option, amount, free in [
        ("Per session", Decimal("10"), False),
        ("Gratis", None, True),
        ("", Decimal("0"), True),
    ]:
        assert CostOption(option=option, amount=amount).is_free is free
    other = ServiceAtLocationFactory(location=LocationFactory()).service
    other.fees = "None"
    assert search.is_free_of_cost(other)
