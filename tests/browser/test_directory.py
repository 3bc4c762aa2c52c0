"""A person looking for help uses the public directory: no account, keyboard and screen-reader
friendly pages, both languages."""

import pytest

from .helpers import assert_no_problems, check_page, submit

pytestmark = pytest.mark.browser

# In the demo: free, Spanish-speaking, open round the clock, with a public office in RV5 7FG.
WANTED = "24-hour sexual assault helpline and accompaniment"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_person_finds_an_open_free_spanish_speaking_service_near_a_postcode(new_context, lang):
    page = new_context(lang=lang).new_page()
    from .helpers import ConsoleWatcher

    watcher = ConsoleWatcher(page)
    page.goto("/")
    page.locator("a.govuk-button--start[href='/find/']").click()
    page.wait_for_url("**/find/")
    report = {"/find/": check_page(page, watcher, lang=lang)}

    page.locator("#id_near").fill("RV5 7FG")
    page.locator("#id_radius").select_option("10")
    page.locator("#id_language").select_option("es")
    page.locator("#id_free").check()
    page.locator("#id_open_now").check()
    submit(page, "form[role=search] button[type=submit]")
    report["/find/?…"] = check_page(page, watcher, lang=lang)
    assert_no_problems(report)

    result = page.locator(".hearth-results a", has_text=WANTED)
    assert result.count() == 1
    for link in page.locator(".hearth-results h3 a").all():
        assert link.inner_text()  # every result has a name to read out
    result.click()
    page.wait_for_load_state()

    assert page.locator("h1").inner_text() == WANTED
    assert_no_problems({page.url: check_page(page, watcher, lang=lang)})


def test_the_search_works_without_javascript(new_context):
    page = new_context(javascript=False).new_page()
    page.goto("/find/?q=food&near=Millbrook&radius=25")

    assert page.locator("h1").count() == 1
    assert page.locator(".hearth-results li").count() >= 1
    assert page.locator("[data-hearth-quick-exit-button]").get_attribute("href") == "/exit/"


def test_a_confidential_shelter_never_shows_an_address(new_context):
    page = new_context().new_page()
    page.goto("/find/?q=shelter")
    page.locator(".hearth-results a", has_text="Emergency shelter").first.click()
    page.wait_for_load_state()

    assert page.locator("text=Confidential location").count() >= 1
    assert "RV" not in page.locator("main").inner_text().split("Where", 1)[1].split("Checked")[0]
