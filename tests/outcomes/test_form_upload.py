"""Custom forms: uploading an XLSForm (every error listed by sheet, row and column, nothing
saved), the list of forms, and the preview rendered by the form engine in both languages, with
relevance applied on the server after each submit."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape

from hearth.core.models import AuditRecord
from hearth.outcomes import form_services
from hearth.outcomes.models import CustomForm
from hearth.outcomes.xlsform import MAX_FILE_BYTES, XLSFormErrors, parse_xlsform
from tests.conftest import sign_in
from tests.outcomes.xlsforms.builder import fixture, workbook

pytestmark = pytest.mark.django_db

DASH = "\N{EN DASH}"  # what the page shows for "no sheet", "no row", "no column"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


def broken_workbook() -> bytes:
    """Three mistakes in three places: a misspelled column, an unsupported type, a select with
    no list."""
    return workbook(
        [
            ["type", "name", "label", "relevnt"],
            ["text", "first", "First question"],
            ["geopoint", "where", "Where are you?"],
            ["select_one missing_list", "pick", "Pick one"],
        ],
        [["list_name", "name", "label"], ["other", "a", "A"]],
    )


def problem_rows(response) -> list[list[str]]:
    """The cells of each row of the table of problems (rows of data cells only)."""
    html = response.content.decode()
    rows = re.findall(r'<tr class="govuk-table__row">\s*(<td.*?)</tr>', html, re.S)

    def clean(cell):
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip()

    return [[clean(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows]


def page_body(response) -> str:
    """CSRF tokens differ between responses and the shell echoes the address asked for;
    everything else must be identical."""
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r'name="next" value="[^"]+"', "", body)


def own_forms(organization):
    return CustomForm.objects.filter(organization=organization)


def forms_url(organization):
    return f"/organizations/{organization.slug}/forms/"


def text_of(response) -> str:
    """The page's visible text, tags removed and spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


# --- uploading -------------------------------------------------------------------------------


def test_an_admin_uploads_a_form_and_sees_its_preview(admin_client, organization, admin_user):
    response = admin_client.post(
        forms_url(organization),
        {"file": upload("checkin.xlsx", fixture("checkin_bilingual.xlsx")), "use": "check_in"},
    )

    [saved] = own_forms(organization)
    assert response.status_code == 302
    assert response["Location"] == f"/organizations/{organization.slug}/forms/{saved.pk}/"
    assert (saved.organization, saved.use, saved.title, saved.form_id, saved.version) == (
        organization,
        "check_in",
        "Weekly check-in",
        "weekly_checkin",
        "3",
    )
    assert saved.source_name == "checkin.xlsx" and saved.uploaded_by == admin_user
    assert saved.definition == parse_xlsform(fixture("checkin_bilingual.xlsx")).to_dict()
    [record] = AuditRecord.objects.filter(action="hearth.outcomes.form.uploaded")
    assert record.organization_id == organization.pk and record.target_id == str(saved.pk)
    assert record.detail == {"form_id": "weekly_checkin", "version": "3", "use": "check_in"}

    listing = admin_client.get(forms_url(organization))
    assert "Weekly check-in" in text_of(listing)
    assert f"/organizations/{organization.slug}/forms/{saved.pk}/" in listing.content.decode()


def test_every_error_is_listed_with_sheet_row_and_column_and_nothing_is_saved(
    admin_client, organization, audit_count
):
    with pytest.raises(XLSFormErrors) as expected:
        parse_xlsform(broken_workbook())
    errors = expected.value.errors
    assert len(errors) >= 3
    form_services.self_assessment_form()  # the page offers it: loaded once, audited once
    before = audit_count()

    response = admin_client.post(
        forms_url(organization),
        {"file": upload("broken.xlsx", broken_workbook()), "use": "check_in"},
    )

    assert response.status_code == 400
    assert not own_forms(organization).exists()
    assert audit_count() == before
    page = text_of(response)
    assert f"The form was not saved: there are {len(errors)} problems to fix" in page
    listed = [
        [
            error.sheet or DASH,
            str(error.row or DASH),
            f"{error.column} ({error.header})" if error.header else error.column or DASH,
            escape(error.message),
        ]
        for error in errors
    ]
    cells = problem_rows(response)
    assert cells == listed
    # Each of the three mistakes is among them, where it is.
    located = {(e.sheet, e.row, e.column) for e in errors}
    assert ("survey", 1, "D") in located  # the misspelled column heading
    assert any(e.sheet == "survey" and e.row == 3 for e in errors)  # geopoint
    assert any(e.sheet == "survey" and e.row == 4 for e in errors)  # the missing list


def test_the_service_refuses_with_every_error_and_saves_nothing(organization, admin_user):
    with pytest.raises(XLSFormErrors) as refused:
        form_services.custom_form_upload(
            actor=admin_user,
            organization=organization,
            file=upload("broken.xlsx", broken_workbook()),
        )

    assert all(error.sheet == "survey" for error in refused.value.errors)
    assert not own_forms(organization).exists()
    assert not AuditRecord.objects.filter(action="hearth.outcomes.form.uploaded").exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("answers.csv", b"type,name,label\n", "Upload the form as an Excel workbook"),
        ("big.xlsx", b"x" * (MAX_FILE_BYTES + 1), "The file is larger than 5 MB"),
        ("not-a-workbook.xlsx", b"just some text", None),
    ],
)
def test_files_that_cannot_be_forms_are_refused_plainly(
    admin_client, organization, name, data, message
):
    response = admin_client.post(
        forms_url(organization), {"file": upload(name, data), "use": "check_in"}
    )

    assert response.status_code == 400
    assert not own_forms(organization).exists()
    page = text_of(response)
    assert "The form was not saved: there is 1 problem to fix" in page
    if message:
        assert message in page


def test_no_file_chosen_is_a_field_error(admin_client, organization):
    response = admin_client.post(forms_url(organization), {"use": "check_in"})

    assert response.status_code == 200
    assert "Choose an .xlsx file to upload" in text_of(response)
    assert not own_forms(organization).exists()


def test_the_error_page_is_in_spanish_for_a_spanish_reader(admin_client, organization):
    admin_client.cookies["hearth_language"] = "es"
    response = admin_client.post(
        forms_url(organization), {"file": upload("answers.csv", b"x"), "use": "check_in"}
    )

    assert response.status_code == 400
    assert 'lang="es"' in response.content.decode()


# --- the preview -----------------------------------------------------------------------------


@pytest.fixture
def checkin_form(organization, admin_user):
    return form_services.custom_form_upload(
        actor=admin_user,
        organization=organization,
        file=upload("checkin.xlsx", fixture("checkin_bilingual.xlsx")),
    )


def preview_url(organization, custom_form, language=""):
    url = f"/organizations/{organization.slug}/forms/{custom_form.pk}/"
    return f"{url}?language={language}" if language else url


def test_the_preview_renders_every_kind_of_question_in_english(
    admin_client, organization, checkin_form
):
    response = admin_client.get(preview_url(organization, checkin_form))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<div lang="en">' in html
    # A group is a fieldset with its label as the legend, and its hint.
    assert re.search(r'<fieldset class="govuk-fieldset hearth-form-group" id="q-about"', html)
    assert re.search(r'<h2 class="govuk-fieldset__heading">About you</h2>', html)
    assert '<div id="q-about-hint" class="govuk-hint">Skip anything</div>' in html
    # Inputs by type.
    assert re.search(r'id="q-age" name="age" type="text" inputmode="numeric"', html)
    assert re.search(r'id="q-hours_sleep" name="hours_sleep" type="text" inputmode="decimal"', html)
    assert re.search(r'id="q-last_visit" name="last_visit" type="date"', html)
    assert "Year-month-day, for example 2025-03-31" in html
    # A select_one is radios, a select_multiple checkboxes.
    assert re.search(r'id="q-has_support-1" name="has_support" type="radio" value="yes"', html)
    assert re.search(r'id="q-feelings-4" name="feelings" type="checkbox" value="none"', html)
    assert "None of these" in html
    # Notes are shown; questions not relevant yet are not.
    assert "Welcome" in html
    assert 'name="support_who"' not in html
    assert 'name="feelings_note"' not in html
    # The page lists the questions it showed, for the next submit.
    assert '<input type="hidden" name="hearth:shown" value="age">' in html


def test_the_preview_renders_in_spanish(admin_client, organization, checkin_form):
    response = admin_client.get(preview_url(organization, checkin_form, "es"))

    html = response.content.decode()
    assert '<div lang="es">' in html
    assert '<h2 class="govuk-fieldset__heading">Sobre usted</h2>' in html
    assert "Omita lo que quiera" in html
    assert "¿Tiene con quién hablar?" in html
    assert ">Sí</label>" in html
    assert "About you" not in html


def test_continue_shows_newly_relevant_questions_without_errors_then_checks_them(
    admin_client, organization, checkin_form
):
    shown = ["age", "hours_sleep", "last_visit", "has_support", "feelings", "region", "city"]
    shown += ["email"]
    first = admin_client.post(
        preview_url(organization, checkin_form),
        {"hearth:shown": shown, "has_support": "yes", "age": "200"},
    )

    html = first.content.decode()
    assert 'name="support_who"' in html  # newly relevant
    assert "Tell us who, or go back" not in html  # not seen yet: no error
    assert "Enter an age from 16 to 120" in html  # seen and wrong
    assert 'href="#q-age"' in html  # the error summary links to the question
    assert "These answers would be accepted" not in html

    second = admin_client.post(
        preview_url(organization, checkin_form),
        {"hearth:shown": [*shown, "support_who"], "has_support": "yes", "age": "30"},
    )

    html = second.content.decode()
    # A check-in form is previewed as people meet it: its required question may be skipped.
    assert "Tell us who, or go back" not in html
    assert "These answers would be accepted" in html
    assert "data-required-not-enforced" in html

    third = admin_client.post(
        preview_url(organization, checkin_form),
        {
            "hearth:shown": [*shown, "support_who"],
            "has_support": "yes",
            "age": "30",
            "support_who": "My sister",
            "feelings": ["calm"],
        },
    )

    html = third.content.decode()
    assert "These answers would be accepted" in html
    assert "My sister" in html
    assert own_forms(organization).count() == 1  # a preview saves nothing


def test_a_self_assessment_form_keeps_required_in_its_preview(
    admin_client, organization, admin_user
):
    # Required is only waived for people's check-ins; an organization's own form keeps it.
    custom_form = form_services.custom_form_upload(
        actor=admin_user,
        organization=organization,
        file=upload("checkin.xlsx", fixture("checkin_bilingual.xlsx")),
        use=CustomForm.Use.SELF_ASSESSMENT,
    )
    shown = ["age", "hours_sleep", "last_visit", "has_support", "feelings", "region", "city"]
    shown += ["email", "support_who"]

    response = admin_client.post(
        preview_url(organization, custom_form),
        {"hearth:shown": shown, "has_support": "yes", "age": "30"},
    )

    html = response.content.decode()
    assert "Tell us who, or go back" in html
    assert "These answers would be accepted" not in html
    assert "data-required-not-enforced" not in html


def test_errors_come_in_the_forms_language(admin_client, organization, checkin_form):
    response = admin_client.post(
        preview_url(organization, checkin_form, "es"),
        {"hearth:shown": ["age"], "age": "5"},
    )

    assert "Escriba una edad de 16 a 120" in response.content.decode()


def test_the_shared_self_assessment_can_be_previewed(admin_client, organization):
    shared = form_services.self_assessment_form()

    response = admin_client.get(preview_url(organization, shared))

    assert response.status_code == 200
    assert "1. Safety" in response.content.decode()


def test_the_self_assessment_form_is_loaded_once():
    first = form_services.self_assessment_form()
    second = form_services.self_assessment_form()

    assert first.pk == second.pk
    assert CustomForm.objects.filter(use="self_assessment").count() == 1
    assert first.organization is None and first.form_id == "samhsa_self_assessment"


# --- who may -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["practitioner", "peer_supporter", "viewer"])
def test_only_admins_of_the_organization_see_forms(client, organization, make_member, role):
    user = make_member(organization, role)
    sign_in(client, user)

    listing = client.get(forms_url(organization))
    posted = client.post(
        forms_url(organization),
        {"file": upload("checkin.xlsx", fixture("checkin_bilingual.xlsx")), "use": "check_in"},
    )

    assert listing.status_code == 404 and posted.status_code == 404
    assert not own_forms(organization).exists()


def test_another_organizations_admin_gets_not_found_for_everything(
    client, organization, other_org_admin, checkin_form
):
    sign_in(client, other_org_admin)

    assert client.get(forms_url(organization)).status_code == 404
    missing = client.get(f"/organizations/{organization.slug}-nope/forms/")
    forbidden = client.get(preview_url(organization, checkin_form))
    assert forbidden.status_code == 404 and missing.status_code == 404
    assert page_body(forbidden) == page_body(missing)
    # Their own organization's address does not open our form either.
    other = other_org_admin.memberships.get().organization
    assert client.get(preview_url(other, checkin_form)).status_code == 404
    assert own_forms(organization).count() == 1


def test_signed_out_visitors_are_sent_to_sign_in(client, organization):
    response = client.get(forms_url(organization))

    assert response.status_code == 302 and "/sign-in/" in response["Location"]
