"""`hearth search-index ensure`: what `make run` does after an upgrade — rebuild the index only
when it is missing or was built by an earlier version of Hearth."""

import pytest
from django.core.management import call_command

from hearth.directory import search
from hearth.directory.search import SearchQuery
from tests.directory.factories import ServiceAtLocationFactory, earlier_search_index

pytestmark = pytest.mark.django_db


def ensure(capsys) -> str:
    call_command("search-index", "ensure")
    return capsys.readouterr().out


def test_an_index_of_an_earlier_schema_is_rebuilt(capsys):
    earlier_search_index()
    ServiceAtLocationFactory(service__name="Food pantry")
    search.reset()

    assert "Indexed 1 services" in ensure(capsys)
    assert search.count_matches(SearchQuery(text="food"))[0] == 1


def test_a_missing_index_of_a_directory_with_services_is_built(capsys, settings, tmp_path):
    ServiceAtLocationFactory(service__name="Food pantry")
    settings.HEARTH_SEARCH_INDEX_DIR = str(tmp_path / "elsewhere")
    search.reset()

    assert "Indexed 1 services" in ensure(capsys)
    assert search.indexed_count() == 1


def test_a_current_index_is_left_alone(capsys):
    ServiceAtLocationFactory(service__name="Food pantry")
    search.rebuild()
    before = sorted(path.name for path in search.index_dir().iterdir())

    assert "is current" in ensure(capsys)
    assert sorted(path.name for path in search.index_dir().iterdir()) == before
