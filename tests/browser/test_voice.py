"""Questions to the panel, hands and the floor in the browser: by keyboard, announced politely, axe-clean."""
import pytest
from playwright.sync_api import expect

from .conftest import (MODERATOR_PASSWORD, MODERATOR_USERNAME, OFFICIAL_PASSWORD, OFFICIAL_USERNAME, STAFF_PASSWORD,
                       STAFF_USERNAME)
from .helpers import assert_no_axe_violations, expect_live, start_workshop, tab_to

pytestmark = pytest.mark.browser


def question_item(page, text: str):
    return page.locator("li.question", has=page.locator(".question-text", has_text=text))


def test_questions_are_asked_upvoted_answered_and_hidden_by_keyboard(people, axe_js):
    facilitator = people("Fatima")
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Town hall")
    facilitator.add_staff(code, OFFICIAL_USERNAME, "official")
    facilitator.add_staff(code, MODERATOR_USERNAME, "moderator")
    an, bo = people("An"), people("Bo")
    an.join(code)
    bo.join(code)
    a, b = an.page, bo.page

    # Ask by keyboard: Tab to the field, type, Enter on the button.
    tab_to(a, "el.id === 'question-text'")
    a.keyboard.type("Who pays for the new square?")
    a.keyboard.press("Tab")
    a.keyboard.press("Enter")
    expect(a.locator("#question-status")).to_have_text("Your question is on the list.")
    b.get_by_label("Your question").fill("When does the work start?")
    b.get_by_role("button", name="Ask").click()

    # Bo upvotes An's question with the keyboard: it goes first, pressed, for both.
    first = question_item(b, "Who pays for the new square?")
    upvote = first.get_by_role("button", name="Upvote")
    expect(upvote).to_have_attribute("aria-pressed", "false")
    upvote.focus()
    b.keyboard.press("Enter")
    expect(upvote).to_have_attribute("aria-pressed", "true")
    expect(b.locator("#live-announcer")).to_contain_text("Upvoted.")
    expect(question_item(a, "Who pays for the new square?").locator(".question-votes")).to_have_text("1 vote")
    expect(a.locator("li.question .question-text").first).to_have_text("Who pays for the new square?")
    assert_no_axe_violations(b, axe_js, "the questions panel of a citizen")
    # A citizen has no way to answer.
    expect(first.get_by_role("button", name="Answer")).to_have_count(0)

    # The official answers from their own participant page.
    official = people("Olga")
    official.log_in(OFFICIAL_USERNAME, OFFICIAL_PASSWORD)
    o = official.page
    o.goto(f"/w/{code}/")
    expect_live(o)
    asked = question_item(o, "Who pays for the new square?")
    asked.get_by_role("button", name="Answer").click()
    expect(asked.get_by_label("Your answer (optional)")).to_be_focused()
    o.keyboard.type("The city, from next year's budget.")
    asked.get_by_role("button", name="Send answer").click()
    answer = question_item(b, "Who pays for the new square?").locator(".question-answer")
    expect(answer).to_contain_text("Answer from official")
    expect(answer).to_contain_text("The city, from next year's budget.")
    assert_no_axe_violations(o, axe_js, "the questions panel of an official")

    # The moderator hides Bo's question; An no longer sees it, Bo sees it hidden with the reason.
    moderator = people("Mo")
    moderator.log_in(MODERATOR_USERNAME, MODERATOR_PASSWORD)
    m = moderator.page
    m.goto(f"/w/{code}/moderate")
    expect_live(m)
    target = question_item(m, "When does the work start?")
    target.get_by_role("button", name="Hide").click()
    m.keyboard.type("Asked twice")
    m.keyboard.press("Enter")
    expect(target).to_contain_text("Hidden by a moderator")
    expect(question_item(a, "When does the work start?")).to_have_count(0)
    expect(question_item(b, "When does the work start?")).to_contain_text("reason: Asked twice")
    assert_no_axe_violations(m, axe_js, "the moderation page with questions")


def test_a_raised_hand_gets_the_floor_and_a_quiet_citizen_a_nudge(people, axe_js):
    facilitator = people("Fatima")
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Harbour front")
    f = facilitator.page
    an, bo = people("An"), people("Bo")
    an.join(code)
    bo.join(code)
    a, b = an.page, bo.page

    tab_to(a, "el.id === 'hand-toggle'")
    a.keyboard.press("Enter")
    hand = a.locator("#hand-toggle")
    expect(hand).to_have_attribute("aria-pressed", "true")
    expect(hand).to_have_text("Lower hand")
    expect(a.locator("#hand-position")).to_have_text("Your hand is up: number 1 in the queue.")
    expect(a.locator("#live-announcer")).to_contain_text("Hand raised.")

    queue = f.locator("#hand-queue li")
    expect(queue).to_have_count(1)
    expect(queue.first).to_contain_text("1. An")
    assert_no_axe_violations(f, axe_js, "the console with a raised hand")
    queue.first.get_by_role("button", name="Give the floor").focus()
    f.keyboard.press("Enter")

    expect(a.locator("#floor-banner")).to_be_visible()
    expect(a.locator("#live-announcer")).to_contain_text("You have the floor.")
    expect(a.locator("#floor-now")).to_contain_text("You have the floor")
    expect(b.locator("#floor-now")).to_contain_text("An has the floor")
    expect(f.locator("#console-floor-now")).to_contain_text("An has the floor")
    expect(queue).to_have_count(0)
    assert_no_axe_violations(a, axe_js, "the participant page with the floor")

    f.get_by_role("button", name="End turn").click()
    expect(b.locator("#floor-now")).to_have_text("Nobody has the floor.")
    expect(a.locator("#floor-banner")).to_be_hidden()

    # Bo has done nothing: marked, and nudged with a message only Bo sees.
    quiet = f.locator("#contrib-list li.quiet", has_text="Bo")
    expect(quiet).to_contain_text("No contributions yet")
    expect(f.locator("#contrib-list li", has_text="An")).to_contain_text("1 turn")
    f.get_by_label("Message with a nudge (optional)").fill("Bo, what do you think?")
    quiet.get_by_role("button", name="Nudge").click()
    expect(b.locator("#nudge-note")).to_have_text("Bo, what do you think?")
    expect(b.locator("#live-announcer")).to_contain_text("Bo, what do you think?")
    expect(a.locator("#nudge-note")).to_be_hidden()
    assert_no_axe_violations(f, axe_js, "the console's hands, floor and contributions")
    assert_no_axe_violations(b, axe_js, "the participant page with a nudge")
