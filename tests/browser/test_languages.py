"""Issue 16 point 11 on real pages: French elides "de"/"que" before a vowel, and a mute in the Dutch
moderation log is worded in Dutch, length included."""
import pytest
from playwright.sync_api import expect

from .conftest import STAFF_PASSWORD, STAFF_USERNAME
from .helpers import expect_live
from .scripted import Member

pytestmark = pytest.mark.browser


def test_french_pages_elide_before_a_vowel(people, server, facilitator):
    status, created = facilitator.http.post("/api/workshops", {"title": "Place de la gare", "language": "fr"})
    assert status == 201, created
    code = created["code"]
    anna = people("Anna", locale="fr-FR")
    anna.page.goto(f"/w/{code}/")
    anna.page.locator("#join-name").fill("Anna")
    anna.page.locator("#join-submit").click()
    expect_live(anna.page)
    expect(anna.page.locator("html")).to_have_attribute("lang", "fr")
    expect(anna.page.locator("#me-line")).to_have_text("Vous participez en tant qu’Anna.")
    bram = people("Bram", locale="fr-FR")
    bram.page.goto(f"/w/{code}/")
    bram.page.locator("#join-name").fill("Bram")
    bram.page.locator("#join-submit").click()
    expect_live(bram.page)
    expect(bram.page.locator("#me-line")).to_have_text("Vous participez en tant que Bram.")


def test_a_mute_in_the_dutch_moderation_log_is_all_dutch(people, server, facilitator):
    status, created = facilitator.http.post("/api/workshops", {"title": "Stationsplein", "language": "nl"})
    assert status == 201, created
    code = created["code"]
    fac = facilitator.open(code)
    fac.command("workshop.start")
    an = Member(server, "Anna")
    anna = an.join(code)
    fac.command("participant.mute", participant=anna, minutes=10)
    fac.command("participant.mute", participant=anna, minutes=0)
    mod = people("Fatima")
    mod.log_in(STAFF_USERNAME, STAFF_PASSWORD)
    mod.page.goto(f"/w/{code}/moderate")
    expect_live(mod.page)
    mod.page.get_by_role("button", name="Nederlands").click()
    expect_live(mod.page)
    expect(mod.page.locator("html")).to_have_attribute("lang", "nl")
    rows = mod.page.locator("#log-rows tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("hief de demping op van")
    expect(rows.nth(1)).to_contain_text("dempte")
    expect(rows.nth(1)).to_contain_text("10 minuten")
    expect(mod.page.locator("#log-rows")).not_to_contain_text("minutes")
    fac.close()
