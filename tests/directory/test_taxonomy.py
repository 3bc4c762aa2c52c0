import json

import pytest
from django.core.management import call_command

from hearth.core.models import AuditRecord
from hearth.directory import taxonomy
from hearth.directory.models import Taxonomy, TaxonomyTerm

pytestmark = pytest.mark.django_db

SHARED_COPY = taxonomy.DATA_FILE


def test_loading_creates_the_taxonomy_and_all_289_terms_with_fixed_ids():
    result = taxonomy.load_taxonomy()

    assert (result.created, result.updated, result.unchanged) == (289, 0, 0)
    assert TaxonomyTerm.objects.count() == 289
    record = Taxonomy.objects.get()
    assert record.id == taxonomy.TAXONOMY_ID
    assert (record.name, record.version, record.uri) == (
        "Open Eligibility",
        "a541786",
        "http://openeligibility.org/",
    )
    assert TaxonomyTerm.objects.filter(taxonomy=record, taxonomy_name="Open Eligibility").count()
    assert TaxonomyTerm.objects.filter(parent__isnull=True).count() == 11
    escape = TaxonomyTerm.objects.get(code="1124")
    assert escape.id == taxonomy.term_id("1124")
    assert escape.name == "Help Escape Violence"
    assert escape.parent.code == "1123"
    assert escape.parent.parent.code == "1101"
    assert escape.parent.parent.parent is None
    assert escape.description == "Emergency > Immediate Safety > Help Escape Violence"
    assert escape.language == "en"
    assert TaxonomyTerm.objects.get(code=taxonomy.SAFE_HOUSING).name == "Safe Housing"


def test_every_parent_link_matches_the_shipped_file():
    taxonomy.load_taxonomy()

    rows = json.loads(SHARED_COPY.read_text())
    stored = dict(TaxonomyTerm.objects.values_list("code", "parent__code"))
    assert stored == {
        row["id"]: (None if row["parent_id"] == "0" else row["parent_id"]) for row in rows
    }


def test_loading_twice_changes_and_records_nothing():
    taxonomy.load_taxonomy()
    audit_rows = AuditRecord.objects.count()
    before = sorted(TaxonomyTerm.objects.values_list("id", "code", "name", "parent_id"))

    result = taxonomy.load_taxonomy()

    assert (result.created, result.updated, result.unchanged) == (0, 0, 289)
    assert sorted(TaxonomyTerm.objects.values_list("id", "code", "name", "parent_id")) == before
    assert AuditRecord.objects.count() == audit_rows


def test_a_first_load_is_recorded_once():
    taxonomy.load_taxonomy()

    record = AuditRecord.objects.get(action="hearth.directory.taxonomy.loaded")
    assert record.target_id == str(taxonomy.TAXONOMY_ID)
    assert record.detail == {
        "taxonomy": "Open Eligibility",
        "version": "a541786",
        "terms_created": 289,
        "terms_updated": 0,
        "terms_unchanged": 0,
    }


def test_a_changed_term_is_put_back():
    taxonomy.load_taxonomy()
    TaxonomyTerm.objects.filter(code="1102").update(name="Groceries", parent=None)
    TaxonomyTerm.objects.filter(code="1124").update(parent_id=taxonomy.term_id("1102"))

    result = taxonomy.load_taxonomy()

    assert (result.created, result.updated) == (0, 2)
    assert TaxonomyTerm.objects.get(code="1102").name == "Food"
    assert TaxonomyTerm.objects.get(code="1124").parent.code == "1123"


def test_ensure_loads_only_when_missing_or_incomplete():
    first = taxonomy.ensure_default_taxonomy()
    assert TaxonomyTerm.objects.count() == 289
    TaxonomyTerm.objects.filter(code="1390").delete()

    again = taxonomy.ensure_default_taxonomy()

    assert first.id == again.id == taxonomy.TAXONOMY_ID
    assert TaxonomyTerm.objects.count() == 289
    assert TaxonomyTerm.objects.get(code="1390").id == taxonomy.term_id("1390")


def test_ids_are_the_same_on_every_install():
    # Changing these breaks every export, import and link made with earlier ids.
    assert str(taxonomy.TAXONOMY_ID) == "a8411322-3072-5712-a95b-58ae2b73a31f"
    assert str(taxonomy.term_id("1124")) == "dc0f795e-942a-54fc-919a-c9d7c080d24a"


def test_spanish_names_cover_the_top_level_and_fall_back_to_english():
    taxonomy.load_taxonomy()
    top_level = TaxonomyTerm.objects.filter(parent__isnull=True)

    assert all(term.code in taxonomy.SPANISH_NAMES for term in top_level)
    assert taxonomy.term_name(TaxonomyTerm.objects.get(code="1124"), "es") == (
        "Ayuda para escapar de la violencia"
    )
    assert taxonomy.term_name(TaxonomyTerm.objects.get(code="1124"), "en") == (
        "Help Escape Violence"
    )
    assert taxonomy.term_name(TaxonomyTerm.objects.get(code="1388"), "es") == "Notary"
    assert set(taxonomy.SPANISH_NAMES) <= set(TaxonomyTerm.objects.values_list("code", flat=True))


def test_the_shipped_copy_and_its_licence_travel_together():
    licence = (SHARED_COPY.parent / "OPEN-ELIGIBILITY-LICENSE.md").read_text()

    assert len(json.loads(SHARED_COPY.read_text())) == 289
    assert taxonomy.SOURCE_COMMIT in licence
    assert "Attribution-ShareAlike 3.0 Unported" in licence


def test_the_command_reports_what_it_did(capsys):
    call_command("load-taxonomy")
    call_command("load-taxonomy")

    out = capsys.readouterr().out.splitlines()
    assert out == [
        "Open Eligibility (version a541786): 289 terms; 289 created, 0 updated, 0 unchanged.",
        "Open Eligibility (version a541786): 289 terms; 0 created, 0 updated, 289 unchanged.",
    ]
