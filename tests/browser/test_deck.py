"""One idea at a time on the participant page: the next idea, reacted to with the keys a, d and p."""
import pytest
from playwright.sync_api import expect

from .conftest import STAFF_PASSWORD, STAFF_USERNAME
from .helpers import assert_no_axe_violations, idea_item, start_workshop, tab_to

pytestmark = pytest.mark.browser


def test_one_idea_at_a_time_by_keyboard(people, axe_js):
    code = start_workshop(people("Fatima"), STAFF_USERNAME, STAFF_PASSWORD, "Harbour front")
    bo = people("Bo")
    bo.join(code)
    for text in ("Shade trees on the quay", "A ferry to the island", "Benches facing the water"):
        bo.post_idea(text)
    an = people("An")
    an.join(code)
    page = an.page
    expect(idea_item(page, "Benches facing the water")).to_be_visible()

    tab_to(page, "el.id === 'deck-toggle'")
    page.keyboard.press("Enter")
    expect(page.locator("#deck-toggle")).to_have_attribute("aria-pressed", "true")
    text = page.locator("#deck-text")
    expect(text).to_have_text("Benches facing the water")  # none has reactions: newest first
    expect(page.locator("#live-announcer")).to_contain_text("Next idea, by Bo: Benches facing the water")
    assert_no_axe_violations(page, axe_js, "one idea at a time")

    announcer = page.locator("#live-announcer")
    page.keyboard.press("a")
    expect(text).to_have_text("A ferry to the island")
    expect(announcer).to_contain_text("Next idea, by Bo: A ferry to the island")
    agree = idea_item(page, "Benches facing the water").locator("button.react-agree").first
    expect(agree).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("d")
    expect(text).to_have_text("Shade trees on the quay")
    expect(announcer).to_contain_text("Next idea, by Bo: Shade trees on the quay")
    expect(idea_item(page, "A ferry to the island").locator("button.react-disagree").first).to_have_attribute(
        "aria-pressed", "true")

    # Typing in a field does not react.
    page.get_by_label("Your idea").fill("pad")
    expect(text).to_have_text("Shade trees on the quay")
    page.get_by_label("Your idea").fill("")
    page.locator("#deck-toggle").focus()
    page.keyboard.press("p")
    expect(page.locator("#deck-empty")).to_be_visible()
    expect(page.locator("#deck-empty")).to_have_text("No ideas left. Thank you!")
    expect(announcer).to_contain_text("No ideas left.")
    expect(idea_item(page, "Shade trees on the quay").locator("button.react-pass").first).to_have_attribute(
        "aria-pressed", "true")
    assert_no_axe_violations(page, axe_js, "one idea at a time, none left")
