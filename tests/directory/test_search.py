import datetime as dt
from decimal import Decimal

import pytest

from hearth.directory import search
from hearth.directory.models import Accessibility, Attribute, CostOption, Language
from hearth.directory.search import SearchError, SearchQuery, search_services
from tests.directory.factories import (
    ScheduleFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
    TaxonomyTermFactory,
    earlier_search_index,
)

pytestmark = pytest.mark.django_db


def found(**kwargs):
    return search_services(SearchQuery(**kwargs))


def names(result):
    from hearth.directory.models import Service

    by_id = dict(Service.objects.filter(pk__in=result.ids).values_list("id", "name"))
    return [by_id[i] for i in result.ids]


def test_words_are_stemmed_in_english_and_spanish():
    ServiceFactory(name="Emergency shelters for families", description="Beds tonight.")
    ServiceFactory(name="Refugio para mujeres", description="Camas y comida caliente.")
    ServiceFactory(name="Tax help", description="Free filing.")
    search.rebuild()

    assert names(found(text="shelter")) == ["Emergency shelters for families"]
    assert names(found(text="refugios")) == ["Refugio para mujeres"]
    assert names(found(text="comidas")) == ["Refugio para mujeres"]


def test_every_word_must_match():
    ServiceFactory(name="Food bank", description="Groceries every week.")
    ServiceFactory(name="Legal aid", description="Lawyers for tenants facing eviction.")
    search.rebuild()

    assert names(found(text="food groceries")) == ["Food bank"]
    assert found(text="food lawyers").total == 0


def test_one_misspelled_word_is_tolerated():
    ServiceFactory(name="Counseling for survivors", description="Talk with someone.")
    search.rebuild()

    assert names(found(text="counsleing")) == ["Counseling for survivors"]
    assert names(found(text="survivers counseling")) == ["Counseling for survivors"]
    assert found(text="cxunslxing").total == 0


def test_stop_words_alone_filter_nothing_out():
    ServiceFactory(name="Food bank")
    search.rebuild()

    assert found(text="the for").total == 1


def test_a_parent_taxonomy_term_includes_its_children():
    parent = TaxonomyTermFactory(name="Housing")
    child = TaxonomyTermFactory(name="Safe Housing", parent=parent, taxonomy=parent.taxonomy)
    other = TaxonomyTermFactory(name="Food", taxonomy=parent.taxonomy)
    safe = ServiceFactory(name="Safe house")
    food = ServiceFactory(name="Pantry")
    Attribute.objects.create(link_id=safe.id, link_entity="service", taxonomy_term=child)
    Attribute.objects.create(link_id=food.id, link_entity="service", taxonomy_term=other)
    search.rebuild()

    assert names(found(taxonomy_term_ids=[parent.id])) == ["Safe house"]
    assert names(found(taxonomy_term_ids=[child.id])) == ["Safe house"]
    assert found(taxonomy_id=parent.taxonomy_id).total == 2


def test_near_a_place_within_a_radius_sorted_by_distance():
    here = (45.5, -122.6)
    for name, lat in [("Far", 45.9), ("Near", 45.51), ("Nearer", 45.501)]:
        ServiceAtLocationFactory(service__name=name, location__latitude=lat)
    search.rebuild()

    result = found(near=here, radius_m=5_000, sort="distance")

    assert names(result) == ["Nearer", "Near"]
    assert result.total == 2
    assert round(result.distances[result.ids[0]]) == 111


def test_a_service_is_as_near_as_its_nearest_location():
    service = ServiceFactory(name="Two sites")
    ServiceAtLocationFactory(service=service, location__latitude=46.0)
    ServiceAtLocationFactory(service=service, location__latitude=45.5001)
    search.rebuild()

    result = found(near=(45.5, -122.6), radius_m=1_000)

    assert names(result) == ["Two sites"]
    assert result.distances[service.id] < 20


def test_open_now_respects_days_hours_and_time_zone():
    weekday = ServiceFactory(name="Weekdays nine to five (UTC-8)")
    ScheduleFactory(service=weekday, timezone=-8)
    night = ServiceFactory(name="Overnight line")
    ScheduleFactory(service=night, byday="", opens_at=dt.time(20), closes_at=dt.time(8))
    search.rebuild()

    # Tuesday 10:00 at UTC-8 is Tuesday 18:00 UTC.
    tuesday_morning_local = dt.datetime(2026, 11, 24, 18, 0, tzinfo=dt.UTC)
    assert names(found(open_at=tuesday_morning_local)) == ["Weekdays nine to five (UTC-8)"]
    # Saturday 03:00 UTC: only the overnight line.
    assert names(found(open_at=dt.datetime(2026, 11, 28, 3, 0, tzinfo=dt.UTC))) == [
        "Overnight line"
    ]


def test_language_free_accepting_accessible_and_age_filters_combine():
    match = ServiceFactory(
        name="Youth drop-in", minimum_age=12, maximum_age=24, capacity_status="capacity"
    )
    Language.objects.create(service=match, code="es", name="Spanish")
    CostOption.objects.create(service=match, amount=Decimal("0"), option="Free")
    sal = ServiceAtLocationFactory(service=match)
    Accessibility.objects.create(location=sal.location, description="Step-free entrance")
    paid = ServiceFactory(name="Paid class", capacity_status="capacity")
    Language.objects.create(service=paid, code="es")
    CostOption.objects.create(service=paid, amount=Decimal("20"))
    search.rebuild()

    query = dict(languages=["es"], free_only=True, accepting_only=True, accessible_only=True)
    assert names(found(**query, age=16)) == ["Youth drop-in"]
    assert found(**query, age=30).total == 0
    assert found(languages=["es"]).total == 2


def test_facet_counts():
    first = ServiceFactory(name="A")
    second = ServiceFactory(name="B")
    Language.objects.create(service=first, code="es")
    Language.objects.create(service=second, code="es")
    Language.objects.create(service=second, code="en")
    search.rebuild()

    facets = found(facets=True).facets

    assert facets["language"] == {"es": 2, "en": 1}
    assert set(facets) == {"language", "flag", "taxonomy"}
    assert found(facets=True, facet_names=("language",)).facets == {"language": {"es": 2, "en": 1}}


def test_pagination_and_total():
    for n in range(25):
        ServiceFactory(name=f"Food pantry {n:02d}")
    search.rebuild()

    first = found(text="pantry", limit=10)
    third = found(text="pantry", limit=10, offset=20)

    assert first.total == 25
    assert len(first.ids) == 10
    assert len(third.ids) == 5
    assert not set(first.ids) & set(third.ids)


def test_updates_replace_the_document():
    service = ServiceFactory(name="Old name")
    search.rebuild()
    service.name = "Community kitchen"
    service.save()

    search.update_services([service.id])

    assert found(text="kitchen").ids == [service.id]
    assert found(text="old").total == 0
    assert search.indexed_count() == 1


def test_distance_sort_needs_a_place():
    with pytest.raises(SearchError) as error:
        found(sort="distance")
    assert error.value.parameter == "sort"


def test_an_index_of_an_earlier_schema_asks_for_a_rebuild_and_the_rebuild_replaces_it():
    earlier_search_index()
    ServiceAtLocationFactory(service__name="Food pantry")
    ServiceAtLocationFactory(service__name="Food bank")

    with pytest.raises(search.IndexOutdated, match="search-index rebuild"):
        found(text="food")
    search.reset()
    assert search.rebuild() == 2
    assert found(text="food").total == 2
    assert search.count_matches(SearchQuery(text="food")) == (2, 2)
