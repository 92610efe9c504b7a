"""The browser client under lost frames, reloads and a server restart: nothing lost, nothing twice."""
import json
import re

import pytest
from playwright.sync_api import expect

from tests.bulk import bulk_ideas

from .conftest import STAFF_PASSWORD, STAFF_USERNAME
from .helpers import SocketTap, assert_no_axe_violations, expect_live, idea_item, start_workshop, wait_until

pytestmark = pytest.mark.browser


def test_idea_unsent_at_reload_is_sent_after_it_with_its_original_ref(people):
    facilitator, an, bo = people("Fatima"), people("An"), people("Bo")
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Harbour walk")
    tap = SocketTap(an.page)
    an.join(code)
    bo.join(code)

    # The command leaves the page but never reaches the server.
    tap.drop_to_server = lambda frame: frame.get("type") == "idea.post"
    an.page.get_by_label("Your idea").fill("Lights along the quay")
    an.page.keyboard.press("Enter")
    wait_until(an.page, lambda: tap.sent_of_type("idea.post"), "the page to send idea.post")
    ref = tap.sent_of_type("idea.post")[0]["ref"]
    assert [c["ref"] for c in an.pending_commands(code)] == [ref]
    expect(an.page.locator(".compose .form-status")).to_have_text("Posting…")

    tap.drop_to_server = lambda frame: False
    an.page.reload()
    expect_live(an.page)
    for page in (an.page, bo.page):
        expect(idea_item(page, "Lights along the quay")).to_have_count(1)
    resent = tap.sent_of_type("idea.post")
    assert [frame["ref"] for frame in resent] == [ref, ref]
    assert resent[1]["text"] == "Lights along the quay"
    wait_until(an.page, lambda: not an.pending_commands(code), "the ack to clear the pending command")


def test_idea_whose_ack_was_lost_is_resent_and_shown_once(people):
    facilitator, an, bo = people("Fatima"), people("An"), people("Bo")
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Harbour walk")
    tap = SocketTap(an.page)
    an.join(code)
    bo.join(code)

    post_refs = set()
    tap.drop_to_server = lambda frame: post_refs.add(frame["ref"]) if frame.get("type") == "idea.post" else False
    tap.drop_to_page = lambda frame: frame.get("type") == "ack" and frame.get("ref") in post_refs
    an.page.get_by_label("Your idea").fill("A ferry stop for bikes")
    an.page.keyboard.press("Enter")
    # The idea itself arrives as an event, but the page never hears the ack.
    expect(idea_item(an.page, "A ferry stop for bikes")).to_have_count(1)
    wait_until(an.page, lambda: any(f.get("type") == "ack" and f.get("ref") in post_refs for f in tap.received),
               "the server's ack")
    (ref,) = post_refs
    assert [c["ref"] for c in an.pending_commands(code)] == [ref]

    tap.drop_to_page = lambda frame: False
    an.page.reload()
    expect_live(an.page)
    wait_until(an.page, lambda: any(f.get("type") == "ack" and f.get("ref") == ref and f.get("duplicate")
                                    for f in tap.received), "a duplicate ack for the resent command")
    wait_until(an.page, lambda: not an.pending_commands(code), "the duplicate ack to clear the pending command")
    for page in (an.page, bo.page):
        expect(idea_item(page, "A ferry stop for bikes")).to_have_count(1)
    assert [frame["ref"] for frame in tap.sent_of_type("idea.post")] == [ref, ref]


def test_page_reconnects_with_since_after_a_server_restart_and_sends_what_was_typed_meanwhile(people, server):
    facilitator, an, bo = people("Fatima"), people("An"), people("Bo")
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Harbour walk")
    tap = SocketTap(an.page)
    an.join(code)
    bo.join(code)
    an.post_idea("Before the restart")
    expect(an.page.locator(".compose .form-status")).to_have_text("Posted.")
    expect(idea_item(bo.page, "Before the restart")).to_be_visible()
    assert an.pending_commands(code) == []

    server.stop()
    try:
        expect(an.page.locator("#conn")).not_to_have_attribute("data-state", "live")
        an.page.get_by_label("Your idea").fill("Typed while the server was down")
        an.page.keyboard.press("Enter")
        expect(an.page.locator(".compose .form-status")).to_have_text(
            "Offline: your idea will be sent when the connection is back.")
        assert [c["text"] for c in an.pending_commands(code)] == ["Typed while the server was down"]
    finally:
        server.start()

    expect(an.page.locator("#conn")).to_have_attribute("data-state", "live", timeout=25_000)
    expect(bo.page.locator("#conn")).to_have_attribute("data-state", "live", timeout=25_000)
    assert "?since=" in tap.urls[-1], tap.urls
    for page in (an.page, bo.page):
        expect(idea_item(page, "Typed while the server was down")).to_have_count(1)
        expect(idea_item(page, "Before the restart")).to_have_count(1)
    expect(an.page.locator(".compose .form-status")).to_have_text("Posted.")


def test_unknown_workshop_says_so_and_does_not_retry(people, axe_js):
    visitor = people("Visitor")
    sockets = []
    visitor.page.on("websocket", lambda ws: sockets.append(ws.url))
    visitor.page.goto("/w/nosuchworkshop42/")
    expect(visitor.page.get_by_text("There is no workshop with this code.")).to_be_visible()
    expect(visitor.page.locator("#join")).to_be_hidden()
    assert_no_axe_violations(visitor.page, axe_js, "the unknown-workshop page")
    visitor.page.wait_for_timeout(1500)
    assert len(sockets) == 1


def test_console_without_a_staff_login_explains_how_to_get_in(people):
    facilitator, citizen = people("Fatima"), people("Cas")
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Harbour walk")
    citizen.page.goto(f"/w/{code}/facilitate")
    expect(citizen.page.get_by_text("log in on the front page with a staff account")).to_be_visible()
    # Once joined as a citizen, the console shows the board but no controls.
    citizen.join(code)
    citizen.page.goto(f"/w/{code}/facilitate")
    expect_live(citizen.page)
    expect(citizen.page.get_by_text("You are not a facilitator of this workshop")).to_be_visible()
    expect(citizen.page.get_by_role("button", name="Start timer")).to_be_hidden()


def resume_after_4408(page, tap, seen: int) -> None:
    """Let frames through again, close the page's socket as a slow reader's, and see it resume from `seen`."""
    sockets_before = len(tap.urls)
    tap.drop_to_page = lambda frame: False
    tap.close_page_side(4408)
    wait_until(page, lambda: len(tap.urls) > sockets_before, "the page to reconnect")
    assert tap.urls[-1].endswith(f"?since={seen}"), tap.urls[-1]
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")


def test_events_missed_before_a_4408_close_are_replayed_with_since_and_none_applied_twice(people):
    facilitator, an, bo = people("Fatima"), people("An"), people("Bo")
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Harbour walk")
    tap = SocketTap(an.page)
    an.join(code)
    bo.join(code)
    f = facilitator.page

    # Some events reach An's page twice: it must apply each once.
    f.get_by_label("Announcement to everyone").fill("First announcement")
    f.get_by_role("button", name="Send announcement").click()
    expect(an.page.locator("#announcement-list li")).to_have_count(1)
    last = [frame for frame in tap.received if frame.get("type") == "announcement"][-1]
    tap.routes[-1].send(json.dumps(last))
    bo.post_idea("Sent once, delivered twice")
    idea_event = [frame for frame in tap.received if frame.get("type") == "idea.posted"][-1]
    tap.routes[-1].send(json.dumps(idea_event))
    expect(idea_item(an.page, "Sent once, delivered twice")).to_have_count(1)
    expect(an.page.locator("#announcement-list li")).to_have_count(1)

    # Now An's page stops getting events (a slow reader) and the server closes it with 4408.
    seen = max(frame["seq"] for frame in tap.received if "seq" in frame)
    tap.drop_to_page = lambda frame: "seq" in frame
    f.get_by_label("Announcement to everyone").fill("Second announcement")
    f.get_by_role("button", name="Send announcement").click()
    bo.post_idea("Posted while An was not reading")
    wait_until(an.page, lambda: any(fr.get("type") == "idea.posted" and fr["idea"]["text"] == "Posted while An was not reading"
                                    for fr in tap.received), "the event to reach the route")
    expect(an.page.locator("#conn")).to_have_attribute("data-state", "live")
    expect(idea_item(an.page, "Posted while An was not reading")).to_have_count(0)
    resume_after_4408(an.page, tap, seen)
    expect(idea_item(an.page, "Posted while An was not reading")).to_have_count(1)
    expect(an.page.locator("#announcement-list li")).to_have_count(2)
    expect(idea_item(an.page, "Sent once, delivered twice")).to_have_count(1)


def test_an_idea_withdrawn_while_the_page_was_away_is_neither_shown_nor_announced_after_resume(people):
    facilitator, an, bo = people("Fatima"), people("An"), people("Bo")
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Harbour walk")
    tap = SocketTap(an.page)
    an.join(code)
    bo.join(code)
    a = an.page

    # An's page stops getting events while Bo posts an idea and takes it back.
    seen = max(frame["seq"] for frame in tap.received if "seq" in frame)
    tap.drop_to_page = lambda frame: "seq" in frame
    mine = bo.post_idea("My neighbour at number 12 parks on the cycle path")
    mine.get_by_role("button", name="Withdraw").click()
    mine.get_by_role("button", name="Withdraw idea").click()
    wait_until(a, lambda: any(fr.get("type") == "idea.withdrawn" for fr in tap.received), "the withdrawal to reach the route")
    resume_after_4408(a, tap, seen)

    replayed = [fr for fr in tap.received[-10:] if fr.get("type") == "idea.posted"]
    assert replayed and replayed[-1]["idea"]["status"] == "withdrawn" and replayed[-1]["idea"]["text"] == ""
    a.wait_for_timeout(1000)  # announcements are gathered for 400 ms before they are said
    expect(idea_item(a, "number 12")).to_have_count(0)
    expect(a.locator("#live-announcer")).not_to_contain_text("New idea from Bo")
    # The region does speak for an idea that is still there.
    bo.post_idea("Benches along the quay")
    expect(a.locator("#live-announcer")).to_contain_text("New idea from Bo.")


def test_a_citizen_sees_every_idea_of_a_workshop_whose_welcome_comes_in_parts(people, server, facilitator):
    status, body = facilitator.http.post("/api/workshops", {"title": "Many voices", "language": "en"})
    assert status == 201, body
    code = body["code"]
    facilitator.open(code).command("workshop.start")
    facilitator.close()
    bulk_ideas(server.env, code, 600, chars=500)  # about 450 KB: a welcome and at least one snapshot.part
    an = people("An")
    an.join(code)
    page = an.page
    expect(page.locator("li.idea")).to_have_count(600)
    for number in ("00000", "00300", "00599"):
        expect(page.locator("li.idea .idea-text", has_text=re.compile(f"^{number} "))).to_have_count(1)
    assert facilitator.open(code).welcome["parts"] >= 1  # the point: this page's welcome came split
