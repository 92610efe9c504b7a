"""A facilitator and two citizens in three browsers run a workshop together, live."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import STAFF_PASSWORD, STAFF_USERNAME
from .helpers import expect_live, idea_item, idea_texts, start_workshop, tab_to, wait_until

pytestmark = pytest.mark.browser

IDEA = "A playground with shade trees"
REPLY = "And benches in the shade for the grandparents"
SCRIPTLIKE = "<img src=x onerror=alert(1)>"


def test_facilitator_and_two_citizens_work_together_live(people, server):
    facilitator = people("Fatima")
    an = people("An", phone=True)
    bo = people("Bo")
    f, a, b = facilitator.page, an.page, bo.page

    # The facilitator logs in, creates a workshop and starts it from the console.
    facilitator.log_in(STAFF_USERNAME, STAFF_PASSWORD)
    code = facilitator.create_workshop("Station square", agenda="Welcome, 5\nIdeas, 20\nWrap-up, 10",
                                       columns="Play\nGreen")
    # This workshop's row: other tests' workshops of the same staff account may share its title.
    expect(f.locator(f'#mine li[data-code="{code}"]', has_text="Station square")).to_be_visible()
    f.locator("#created-console").click()
    expect_live(f)
    expect(f.locator("#workshop-title")).to_have_text("Station square")
    f.get_by_role("button", name="Start workshop").click()
    expect(f.locator("#workshop-status")).to_have_text("Live")
    join_link = f.get_by_label("Link for participants").input_value()
    assert join_link == f"{server.url}/w/{code}/"

    # Citizen A joins and posts an idea with the keyboard only.
    a.goto(join_link)
    expect(a.get_by_label("Your name")).to_be_focused()
    a.keyboard.type("An")
    a.keyboard.press("Enter")
    expect_live(a)
    expect(a.locator("#workshop-status")).to_have_text("Live")
    tab_to(a, "el.tagName === 'TEXTAREA' && !!el.closest('form.compose')")
    a.keyboard.type(IDEA)
    a.keyboard.press("Enter")
    a_idea = idea_item(a, IDEA)
    expect(a_idea).to_be_visible()
    expect(a_idea.locator(".author").first).to_have_text("An (you)")
    expect(a.get_by_label("Your idea")).to_be_focused()
    expect(a.get_by_label("Your idea")).to_have_value("")
    expect(a.locator("#rung-badge")).to_have_text("Level 3 of 5: Involved")

    # Citizen B sees it live, in its column, and hears about it through the live region.
    bo.join(code)
    b_idea = idea_item(b, IDEA)
    expect(b_idea).to_be_visible()
    expect(b.locator(".column", has=b.get_by_role("heading", name="Play")).locator("li.idea")).to_have_count(1)
    b.get_by_label("Your idea").fill("Keep the old chestnut tree")
    b.get_by_role("button", name="Post idea").click()
    expect(idea_item(a, "Keep the old chestnut tree")).to_be_visible()
    expect(a.locator("#live-announcer")).to_contain_text("New idea from Bo.")

    # B builds on A's idea; A sees the reply threaded under it.
    bo.build_on(b_idea, "An", REPLY)
    a_thread_reply = a_idea.locator(":scope > ol.thread > li.idea")
    expect(a_thread_reply).to_have_count(1)
    expect(a_thread_reply.locator(".idea-text")).to_have_text(REPLY)
    expect(a_thread_reply.locator(".author")).to_have_text("Bo")
    expect(b.locator("#rung-badge")).to_have_text("Level 4 of 5: Collaborating")

    # A agrees with the reply, B sees the count; A clicks again and the reaction clears.
    agree = a_thread_reply.get_by_role("button", name=re.compile("^Agree"))
    agree.click()
    expect(agree).to_have_attribute("aria-pressed", "true")
    b_reply = idea_item(b, REPLY)
    expect(b_reply.get_by_role("button", name=re.compile("^Agree")).locator(".count")).to_have_text("1")
    agree.click()
    expect(agree).to_have_attribute("aria-pressed", "false")
    expect(b_reply.get_by_role("button", name=re.compile("^Agree")).locator(".count")).to_have_text("0")

    # The facilitator moves the agenda on and starts a timer; both citizens see them.
    f.get_by_role("button", name="Set as current phase: Ideas").click()
    for page in (a, b):
        expect(page.locator("#phase-now")).to_have_text("Step 2 of 3: Ideas")
        expect(page.locator("#agenda-list li[aria-current=step] .agenda-title")).to_have_text("Ideas")
    f.get_by_label("Minutes", exact=True).fill("2")
    f.get_by_label("Seconds", exact=True).fill("0")
    f.get_by_label("Label (optional)").fill("Ideas round")
    f.get_by_role("button", name="Start timer").click()
    for page in (a, b):
        expect(page.locator("#timer-label")).to_have_text("Ideas round")
        expect(page.locator("#timer-remaining")).to_have_text(re.compile(r"^0[12]:[0-5]\d$"))
    f.get_by_label("Announcement to everyone").fill("Five more minutes, then we share.")
    f.get_by_role("button", name="Send announcement").click()
    for page in (a, b):
        expect(page.locator("#announcement-list")).to_contain_text("Five more minutes, then we share.")

    # Script-like text is shown as text, everywhere, and never runs.
    b.get_by_label("Your idea").fill(SCRIPTLIKE)
    b.get_by_role("button", name="Post idea").click()
    for page in (a, b, f):
        shown = idea_item(page, SCRIPTLIKE)
        expect(shown).to_be_visible()
        expect(shown.locator(".idea-text")).to_have_text(SCRIPTLIKE)
        assert page.locator("#boards img").count() == 0

    # A reloads: the page resumes as the same participant, with everything once.
    before = sorted(idea_texts(a))
    a.reload()
    expect_live(a)
    expect(a.locator("#join")).to_be_hidden()
    expect(a.locator("#me-line")).to_have_text("You take part as An.")
    expect(idea_item(a, IDEA)).to_have_count(1)
    expect(idea_item(a, IDEA).locator(":scope > article .author")).to_have_text("An (you)")
    expect(idea_item(a, IDEA).locator(":scope > ol.thread > li.idea .idea-text")).to_have_text(REPLY)
    assert sorted(idea_texts(a)) == before
    expect(a.locator("#timer-label")).to_have_text("Ideas round")
    expect(a.locator("#phase-now")).to_have_text("Step 2 of 3: Ideas")
    # One An in the room, not two.
    expect(f.locator("#people-list li", has_text=re.compile(r"^An"))).to_have_count(1)

    # And A goes on taking part after the reload.
    a.get_by_label("Your idea").fill("Water fountain")
    a.keyboard.press("Enter")
    expect(idea_item(b, "Water fountain")).to_have_count(1)
    assert sorted(idea_texts(b)) == sorted(before + ["Water fountain"])

    # The facilitator ends the workshop: the citizens' boards become read-only.
    f.get_by_role("button", name="End workshop").click()
    f.get_by_role("button", name="End now").click()
    for page in (a, b):
        expect(page.locator("#workshop-status")).to_have_text("Ended")
        expect(page.get_by_label("Your idea")).to_be_hidden()


def test_authors_edit_and_withdraw_their_own_ideas_and_others_see_it(people):
    facilitator, an, bo = people("Fatima"), people("An"), people("Bo")
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Bus stop")
    an.join(code)
    bo.join(code)
    a, b = an.page, bo.page
    mine = an.post_idea("A roof over the bus stpo")
    expect(idea_item(b, "A roof over the bus stpo")).to_be_visible()
    # Bo can neither edit nor withdraw An's idea.
    expect(idea_item(b, "A roof over the bus stpo").get_by_role("button", name="Edit")).to_have_count(0)

    mine.get_by_role("button", name="Edit").click()
    editor = a.get_by_label("Edit your idea")
    expect(editor).to_be_focused()
    editor.fill("A roof over the bus stop")
    a.keyboard.press("Enter")
    expect(a.get_by_text("Saved.")).to_be_visible()
    edited = idea_item(b, "A roof over the bus stop")
    expect(edited).to_be_visible()
    expect(edited.locator(".edited")).to_be_visible()
    expect(idea_item(b, "A roof over the bus stpo")).to_have_count(0)

    mine = idea_item(a, "A roof over the bus stop")
    mine.get_by_role("button", name="Withdraw").click()
    expect(mine.get_by_role("button", name="Keep it")).to_be_focused()
    mine.get_by_role("button", name="Withdraw idea").click()
    expect(idea_item(a, "A roof over the bus stop")).to_have_count(0)
    expect(idea_item(b, "A roof over the bus stop")).to_have_count(0)
    # Focus did not fall out of the page with the withdrawn idea.
    assert a.evaluate("document.activeElement !== document.body")


def test_typing_and_focus_survive_live_updates(people):
    facilitator, an, bo = people("Fatima"), people("An"), people("Bo")
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Bus stop")
    an.join(code)
    bo.join(code)
    a, b = an.page, bo.page
    first = an.post_idea("Benches at every stop")

    # Bo starts a reply and is halfway through typing it...
    idea_item(b, "Benches at every stop").get_by_role("button", name="Build on this idea by An").click()
    reply_box = b.get_by_label("Build on the idea by An")
    expect(reply_box).to_be_focused()
    b.keyboard.type("Also shelters from")
    # ...while An posts, reacts and edits, and the facilitator starts a timer.
    an.post_idea("Real-time departure boards")
    first.get_by_role("button", name=re.compile("^Agree")).click()
    expect(idea_item(b, "Benches at every stop").get_by_role("button", name=re.compile("^Agree"))
           .locator(".count")).to_have_text("1")
    facilitator.page.get_by_role("button", name="Start timer").click()
    expect(b.locator("#timer")).to_be_visible()
    expect(idea_item(b, "Real-time departure boards")).to_be_visible()
    expect(reply_box).to_be_focused()
    expect(reply_box).to_have_value("Also shelters from")
    b.keyboard.type(" the rain")
    b.keyboard.press("Enter")
    reply = idea_item(a, "Benches at every stop").locator(":scope > ol.thread > li.idea .idea-text")
    expect(reply).to_have_text("Also shelters from the rain")


def test_held_idea_is_marked_for_its_author_and_not_shown_to_others(people):
    facilitator, an, bo = people("Fatima"), people("An"), people("Bo")
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Quiet square", pre_moderation=True)
    an.join(code)
    bo.join(code)
    a, b = an.page, bo.page
    a.get_by_label("Your idea").fill("Fewer cars on Sundays")
    a.keyboard.press("Enter")
    held = idea_item(a, "Fewer cars on Sundays")
    expect(held).to_be_visible()
    expect(held.locator(".badge")).to_have_text("Waiting for a moderator")
    expect(a.locator(".compose .form-status")).to_have_text(
        "Posted. A moderator will look at it before others can see it.")
    expect(idea_item(facilitator.page, "Fewer cars on Sundays").locator(".badge")).to_have_text("Held for moderation")
    # Bo's page got every event up to now (a later idea of the facilitator's), but not the held idea.
    facilitator.page.get_by_label("Your idea").fill("Welcome, everyone")
    facilitator.page.keyboard.press("Enter")
    expect(idea_item(b, "Welcome, everyone")).to_be_visible()
    expect(idea_item(b, "Fewer cars on Sundays")).to_have_count(0)
    a.reload()
    expect_live(a)
    expect(idea_item(a, "Fewer cars on Sundays").locator(".badge")).to_have_text("Waiting for a moderator")


def test_timer_counts_down_expires_and_can_be_stopped(people):
    facilitator, an = people("Fatima"), people("An", phone=True)
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Short timer")
    an.join(code)
    f, a = facilitator.page, an.page
    f.get_by_label("Minutes", exact=True).fill("0")
    f.get_by_label("Seconds", exact=True).fill("3")
    f.get_by_label("Label (optional)").fill("Quick round")
    f.get_by_role("button", name="Start timer").click()
    expect(a.locator("#timer-remaining")).to_have_text(re.compile(r"^00:0[0-3]$"))
    expect(a.locator("#timer-remaining")).to_have_text("Time is up", timeout=15_000)
    expect(a.locator("#timer-label")).to_have_text("Quick round")
    expect(a.locator("#live-announcer")).to_contain_text("Time is up: Quick round.")

    f.get_by_label("Minutes", exact=True).fill("10")
    f.get_by_label("Seconds", exact=True).fill("0")
    f.get_by_role("button", name="Start timer").click()
    expect(a.locator("#timer-remaining")).to_have_text(re.compile(r"^(10:00|09:5\d)$"))
    stop = f.get_by_role("button", name="Stop timer")
    stop.click()
    expect(a.locator("#timer")).to_be_hidden()
    expect(stop).to_have_attribute("aria-disabled", "true")
    expect(stop).to_be_focused()


def test_rate_limited_reactions_say_when_to_retry_and_end_in_the_servers_state(people):
    facilitator, an = people("Fatima"), people("An")
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Busy fingers")
    an.join(code)
    a = an.page
    idea = an.post_idea("Click me many times")
    agree = idea.get_by_role("button", name=re.compile("^Agree"))
    # 25 clicks at once: more than the server's default 20 commands in 10 seconds.
    agree.evaluate("button => { for (let i = 0; i < 25; i++) button.click(); }")
    expect(idea.locator(":scope > article .form-status")).to_contain_text("Try again in")
    wait_until(a, lambda: not an.pending_commands(code), "every reaction to be answered")
    # The last idea.reacted may follow the last answer by up to the server's coalescing window
    # (INSPRAAK_COALESCE_S, 0.3 s): the counts are the server's once it has come.
    a.wait_for_timeout(1000)
    shown = agree.get_attribute("aria-pressed")
    count = agree.locator(".count").text_content()
    a.reload()
    expect_live(a)
    agree = idea_item(a, "Click me many times").get_by_role("button", name=re.compile("^Agree"))
    expect(agree).to_have_attribute("aria-pressed", shown)
    expect(agree.locator(".count")).to_have_text(count)


def test_withdrawn_idea_keeps_its_replies_visible(people):
    facilitator, an, bo = people("Fatima"), people("An"), people("Bo")
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Playground")
    an.join(code)
    bo.join(code)
    a, b = an.page, bo.page
    an.post_idea("A climbing wall")
    bo.build_on(idea_item(b, "A climbing wall"), "An", "With soft ground underneath")
    mine = idea_item(a, "A climbing wall")
    mine.locator(":scope > article").get_by_role("button", name="Withdraw").click()
    mine.get_by_role("button", name="Withdraw idea").click()
    for page in (a, b):
        expect(page.get_by_text("This idea was withdrawn by its author.")).to_be_visible()
        expect(idea_item(page, "A climbing wall")).to_have_count(0)
        expect(idea_item(page, "With soft ground underneath")).to_have_count(1)
    b.reload()
    expect_live(b)
    expect(idea_item(b, "A climbing wall")).to_have_count(0)
    expect(idea_item(b, "With soft ground underneath")).to_have_count(1)
