"""Moderation in the browser: citizens flag and appeal, a moderator decides from the queue with the keyboard."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import MODERATOR_PASSWORD, MODERATOR_USERNAME, STAFF_PASSWORD, STAFF_USERNAME
from .helpers import assert_no_axe_violations, expect_live, idea_item, screenshot, start_workshop

pytestmark = pytest.mark.browser

SPAM = "Cheap watches at example dot com, best prices"
GOOD = "More bike racks at the station"
REPLY = "Yes, and covered ones please"


def open_moderation(person, code: str) -> None:
    page = person.page
    page.goto(f"/w/{code}/moderate")
    expect_live(page)
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()


def queue_item(page, text: str):
    return page.locator("li.queue-item", has=page.locator(".queue-text", has_text=text))


def test_moderator_hides_an_idea_the_author_appeals_and_it_comes_back(people, axe_js, artifacts):
    facilitator, moderator = people("Fatima"), people("Mo")
    an, bo = people("An", phone=True), people("Bo")
    f, m, a, b = facilitator.page, moderator.page, an.page, bo.page
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Station area")
    facilitator.add_staff(code, MODERATOR_USERNAME, "moderator")
    expect(f.get_by_role("link", name="Open the moderation page")).to_have_attribute("href", f"/w/{code}/moderate")
    moderator.log_in(MODERATOR_USERNAME, MODERATOR_PASSWORD)
    expect(m.locator("#mine li", has_text="Station area").get_by_role("link", name="Moderate Station area")).to_be_visible()

    # The empty queue, its shortcuts documented, is accessible.
    open_moderation(moderator, code)
    expect(m.locator("#queue-count")).to_have_text("0 items need a decision")
    expect(m.locator(".shortcut-list")).to_contain_text("hide, with a reason")
    expect(m.locator("#log-empty")).to_be_visible()
    assert_no_axe_violations(m, axe_js, "the moderation page, empty")
    screenshot(m, artifacts, "moderate-empty")

    an.join(code)
    bo.join(code)
    an.post_idea(SPAM)
    an.post_idea(GOOD)
    bo.build_on(idea_item(b, SPAM), "An", REPLY)

    # Bo flags An's idea in two clicks: "Flag", then a reason; the optional note comes first, and has focus.
    spam_b = idea_item(b, SPAM)
    spam_b.locator(":scope > article").get_by_role("button", name="Flag idea by An").click()
    note = spam_b.get_by_label("Note for the moderator (optional, before you choose)")
    expect(note).to_be_focused()
    note_box, first_reason = note.bounding_box(), spam_b.get_by_role("button", name="Spam or advertising").bounding_box()
    assert note_box["y"] + note_box["height"] <= first_reason["y"], "the note must come before the reasons"
    assert_no_axe_violations(b, axe_js, "the participant page with the flag form open")
    screenshot(b, artifacts, "participant-flag-form")
    spam_b.get_by_role("button", name="Spam or advertising").click()
    expect(spam_b.locator(":scope > article .flagged-note")).to_be_visible()
    expect(spam_b.locator(":scope > article .flagged-note")).to_have_text("You flagged this idea.")
    expect(spam_b.locator(":scope > article .form-status")).to_have_text("Thank you. A moderator will look at it.")
    expect(spam_b.locator(":scope > article").get_by_role("button", name="Flag idea by An")).to_have_count(0)
    # Nobody flags their own idea.
    expect(idea_item(a, SPAM).locator(":scope > article").get_by_role("button", name=re.compile("^Flag"))).to_have_count(0)

    # The moderator hears about it politely and sees it in the queue, with who flagged and why.
    item = queue_item(m, SPAM)
    expect(item.locator(".queue-kind")).to_have_text("Flagged 1 time")
    expect(item.locator(".queue-reasons")).to_have_text("Reasons: Spam or advertising (1)")
    expect(item.locator(".flag-list")).to_have_text("Bo: Spam or advertising")
    expect(item.locator(".queue-state")).to_have_text("Still visible to everyone.")
    expect(m.locator("#live-announcer")).to_contain_text("New in the queue: the idea by An was flagged.")
    assert m.evaluate("document.activeElement === document.body || document.activeElement.id === 'main'")
    assert_no_axe_violations(m, axe_js, "the moderation page with a flagged idea")
    screenshot(m, artifacts, "moderate-queue")

    # Keyboard: j moves to the item, h asks for a reason (prefilled from the flags), Enter hides.
    m.keyboard.press("j")
    expect(item.locator("article")).to_be_focused()
    m.keyboard.press("h")
    reason = m.get_by_label("Reason for hiding (the author reads it)")
    expect(reason).to_be_focused()
    expect(reason).to_have_value("Spam or advertising")
    m.keyboard.press("Enter")
    expect(item).to_have_count(0)
    expect(m.locator("#queue-status")).to_have_text("Hidden. The author can appeal.")
    expect(m.locator("#log-rows tr").first).to_contain_text("hid")
    expect(m.locator("#log-rows tr").first).to_contain_text("Spam or advertising")

    # Gone from Bo's page live; Bo's reply stays, saying what it answered was removed.
    expect(idea_item(b, SPAM)).to_have_count(0)
    reply = idea_item(b, REPLY)
    expect(reply).to_be_visible()
    expect(reply.locator(".idea-parent-note")).to_have_text("The idea this answers was removed.")

    # An sees it greyed out with the reason, and appeals once.
    mine = idea_item(a, SPAM)
    expect(mine.locator(":scope > article .badge")).to_have_text("Hidden by a moderator")
    expect(mine.locator(":scope > article .idea-reason")).to_have_text("Reason: Spam or advertising")
    mine.locator(":scope > article").get_by_role("button", name="Appeal").click()
    a.get_by_label("Why should this idea be shown again?").fill("It is a real shop in our street, not spam.")
    assert_no_axe_violations(a, axe_js, "the participant page with a hidden idea and the appeal form")
    a.get_by_role("button", name="Send appeal").click()
    expect(mine.locator(":scope > article .idea-appeal")).to_have_text("You appealed. A moderator will decide.")
    screenshot(a, artifacts, "participant-hidden-appealed")
    expect(mine.locator(":scope > article").get_by_role("button", name="Appeal")).to_have_count(0)
    a.reload()
    expect_live(a)
    expect(idea_item(a, SPAM).locator(":scope > article .idea-appeal")).to_have_text("You appealed. A moderator will decide.")

    # The moderator grants the appeal with "a"; the idea is back for everyone.
    appeal = queue_item(m, SPAM)
    expect(appeal.locator(".queue-kind")).to_have_text("Appeal against hiding")
    expect(appeal.locator(".appeal-text")).to_contain_text("It is a real shop in our street, not spam.")
    assert_no_axe_violations(m, axe_js, "the moderation page with an appeal")
    m.keyboard.press("j")
    expect(appeal.locator("article")).to_be_focused()
    m.keyboard.press("a")
    expect(appeal).to_have_count(0)
    expect(idea_item(b, SPAM)).to_be_visible()
    expect(idea_item(b, SPAM).locator(":scope > ol.thread .idea-text")).to_have_text(REPLY)
    expect(idea_item(a, SPAM).locator(":scope > article .idea-appeal")).to_have_text("Your appeal was granted.")
    expect(idea_item(a, SPAM).locator(":scope > article .badge")).to_be_hidden()
    expect(m.locator("#log-rows tr").first).to_contain_text("granted an appeal")
    expect(m.locator("#queue-count")).to_have_text("0 items need a decision")


def test_flag_threshold_filter_dismiss_mute_remove_and_restore(people, axe_js, artifacts):
    facilitator = people("Fatima")
    an, bo, cas, dan = people("An"), people("Bo"), people("Cas"), people("Dan")
    f, a, b = facilitator.page, an.page, bo.page
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Canal side")
    for person in (an, bo, cas, dan):
        person.join(code)
    # The facilitator moderates too, from the moderation page in a second tab.
    m = facilitator.context.new_page()
    m.goto(f"/w/{code}/moderate")
    expect_live(m)
    expect(m.get_by_role("link", name="Facilitator console")).to_be_visible()

    rude = "You are all idiots"
    trees = "Plant more trees along the canal"
    an.post_idea(rude)
    cas.post_idea(trees)
    bo_trees = idea_item(b, trees)
    bo_trees.get_by_role("button", name="Flag idea by Cas").click()
    bo_trees.get_by_role("button", name="Off topic").click()
    expect(bo_trees.locator(".flagged-note")).to_be_visible()
    # Three flaggers reach the workshop's threshold: the idea is hidden pending review.
    for person in (bo, cas, dan):
        idea = idea_item(person.page, rude)
        idea.get_by_role("button", name="Flag idea by An").click()
        person.page.get_by_label("Note for the moderator (optional, before you choose)").fill("Rude")
        idea.get_by_role("button", name="Abusive or hateful").click()
        if person is dan:
            expect(idea).to_have_count(0)  # the third flag hides it from everyone but its author and staff
        else:
            expect(idea.locator(":scope > article .flagged-note")).to_be_visible()
    item = queue_item(m, rude)
    expect(item.locator(".queue-kind")).to_have_text("Flagged 3 times")
    expect(item.locator(".flag-list li")).to_have_text(
        ["Bo: Abusive or hateful — Rude", "Cas: Abusive or hateful — Rude", "Dan: Abusive or hateful — Rude"])
    expect(item.locator(".queue-state")).to_have_text("Hidden automatically: it reached the flag threshold.")
    expect(idea_item(b, rude)).to_have_count(0)
    expect(idea_item(a, rude).locator(".badge")).to_have_text("Hidden for review")
    expect(idea_item(a, rude).locator(".idea-reason")).to_have_text(
        "Several participants flagged it; a moderator will review it.")

    # Filter by reason.
    trees_item = queue_item(m, trees)
    m.get_by_label("Show").select_option("spam")
    expect(m.locator("li.queue-item")).to_have_count(0)
    m.get_by_label("Show").select_option("off_topic")
    expect(trees_item).to_be_visible()
    expect(item).to_have_count(0)
    # "d" dismisses the flags on the idea that has focus: it stays up and leaves the queue.
    trees_item.locator("article").focus()
    m.keyboard.press("d")
    expect(trees_item).to_have_count(0)
    expect(m.locator("#queue-status")).to_have_text("Flags dismissed; the idea stays up.")
    expect(m.locator("#log-rows tr").first).to_contain_text("dismissed a flag")
    m.get_by_label("Show").select_option("abuse")
    expect(item).to_be_visible()

    # Mute the author for 10 minutes with "m": An is told until when and cannot post.
    item.get_by_role("button", name="Restore").focus()
    m.keyboard.press("m")
    expect(item.locator(".queue-state")).to_contain_text("An is muted until")
    expect(a.locator("#muted-note")).to_contain_text("A moderator has paused your contributions until")
    a.get_by_label("Your idea").fill("Let me say something")
    a.get_by_role("button", name="Post idea").click()
    expect(a.locator(".compose .form-status")).to_have_text(re.compile(r"^A moderator has paused your contributions until \d"))
    a.reload()
    expect_live(a)
    expect(a.locator("#muted-note")).to_be_visible()
    assert_no_axe_violations(a, axe_js, "the participant page while muted")
    screenshot(a, artifacts, "participant-muted")

    # Remove with "x", confirmed with Enter: An sees why the page stopped.
    item.locator("article").focus()
    m.keyboard.press("x")
    confirm = m.get_by_role("button", name="Remove An")
    expect(confirm).to_be_focused()
    assert_no_axe_violations(m, axe_js, "the moderation page asking to confirm a removal")
    screenshot(m, artifacts, "moderate-confirm-remove")
    m.keyboard.press("Enter")
    expect(a.locator("#fatal-text")).to_have_text(
        "A moderator removed you from this workshop, so you can no longer take part in it.")
    expect(f.locator("#people-list li", has_text=re.compile("^An"))).to_have_count(0)
    expect(m.locator("#log-rows tr").first).to_contain_text("removed")
    expect(item.locator(".queue-state")).to_contain_text("The author is no longer in the workshop.")

    # "r" restores the idea (its content stays after the removal): everyone sees it again.
    item.locator("article").focus()
    m.keyboard.press("r")
    expect(item).to_have_count(0)
    expect(idea_item(b, rude)).to_be_visible()
    expect(m.locator("#log-rows tr").first).to_contain_text("restored")
    expect(m.locator("#queue-count")).to_have_text("0 items need a decision")


def test_screening_holds_a_phone_number_and_says_why(people, axe_js):
    facilitator, an = people("Fatima"), people("An", phone=True)
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Dorpsplein", language="nl")
    an.join(code)
    m = facilitator.context.new_page()
    m.goto(f"/w/{code}/moderate")
    expect_live(m)
    an.page.get_by_label("Your idea").fill("Bel me op 0612345678")
    an.page.keyboard.press("Enter")
    mine = idea_item(an.page, "Bel me op 0612345678")
    expect(mine.locator(".badge")).to_have_text("Waiting for a moderator")
    expect(mine.locator(".idea-reason")).to_have_text(
        "It seems to contain: phone number. A moderator checks it before others can see it.")
    held = queue_item(m, "Bel me op 0612345678")
    expect(held.locator(".queue-kind")).to_have_text("Held for: phone number")
    expect(m.locator("#log-rows tr").first).to_contain_text("Automatic screening")
    assert_no_axe_violations(m, axe_js, "the moderation page with a held idea")
    # Hiding it takes the screening reason as the default.
    held.get_by_role("button", name="Hide…").click()
    expect(m.get_by_label("Reason for hiding (the author reads it)")).to_have_value("phone number")
    m.keyboard.press("Enter")
    expect(held).to_have_count(0)
    expect(mine.locator(".idea-reason")).to_have_text("Reason: phone number")
    expect(mine.get_by_role("button", name="Appeal")).to_be_visible()


def test_held_ideas_are_approved_from_the_queue_and_strangers_are_turned_away(people, axe_js):
    facilitator, an, bo = people("Fatima"), people("An"), people("Bo")
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Quiet lane", pre_moderation=True)
    an.join(code)
    bo.join(code)
    m = facilitator.context.new_page()
    m.goto(f"/w/{code}/moderate")
    expect_live(m)

    an.page.get_by_label("Your idea").fill("Fewer parked cars")
    an.page.keyboard.press("Enter")
    held = queue_item(m, "Fewer parked cars")
    expect(held.locator(".queue-kind")).to_have_text(re.compile("^Held"))
    expect(m.locator("#live-announcer")).to_contain_text("waits for approval")
    # Typing in the hide prompt is text: "a" goes into the field, not to approve.
    held.locator("article").focus()
    m.keyboard.press("h")
    reason = m.get_by_label("Reason for hiding (the author reads it)")
    expect(reason).to_be_focused()
    reason.fill("")
    m.keyboard.type("a")
    expect(reason).to_have_value("a")
    m.keyboard.press("Escape")
    expect(held.get_by_role("button", name="Hide…")).to_be_focused()
    m.keyboard.press("a")
    expect(held).to_have_count(0)
    expect(idea_item(bo.page, "Fewer parked cars")).to_be_visible()
    expect(m.locator("#log-rows tr").first).to_contain_text("approved")

    # A citizen who opens the moderation page is told they may not moderate.
    bo.page.goto(f"/w/{code}/moderate")
    expect(bo.page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(bo.page.locator("#queue")).to_be_hidden()
    assert_no_axe_violations(bo.page, axe_js, "the moderation page for a citizen")
