"""Factories for directory records."""

import datetime as dt

import factory

from hearth.directory import models


class DirectoryOrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organization

    name = factory.Sequence(lambda n: f"Listed organization {n}")
    description = "A community organization."


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Service

    organization = factory.SubFactory(DirectoryOrganizationFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    description = "Support for people in the valley."
    status = "active"


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Location

    location_type = "physical"
    name = factory.Sequence(lambda n: f"Location {n}")
    latitude = 45.5
    longitude = -122.6


class ServiceAtLocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ServiceAtLocation

    service = factory.SubFactory(ServiceFactory)
    location = factory.SubFactory(LocationFactory)


class ScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Schedule

    freq = "WEEKLY"
    byday = "MO,TU,WE,TH,FR"
    opens_at = dt.time(9, 0)
    closes_at = dt.time(17, 0)
    timezone = 0


class TaxonomyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Taxonomy

    name = factory.Sequence(lambda n: f"Taxonomy {n}")
    description = "Terms"


class TaxonomyTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.TaxonomyTerm

    name = factory.Sequence(lambda n: f"Term {n}")
    description = "A term"
    taxonomy = factory.SubFactory(TaxonomyFactory)


def earlier_search_index() -> None:
    """An index on disk as an earlier version of Hearth left it: another schema, one document."""
    import tantivy

    from hearth.directory import search

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True)
    search.index_dir().mkdir(parents=True)
    old = tantivy.Index(builder.build(), path=str(search.index_dir()))
    writer = old.writer()
    writer.add_document(tantivy.Document(id="old"))
    writer.commit()
    writer.wait_merging_threads()
