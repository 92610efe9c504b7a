"""The page of a confirmation mail's link (/c/<token>): confirmed with the keyboard alone, axe-clean,
and a used link answered 410 with a page that says so. The server prints its mail to the console
(no EMAIL_HOST), which is where the link is read from, as a developer running `make run` would."""
import re
import time

import pytest
from playwright.sync_api import expect

from .helpers import assert_no_axe_violations, tab_to
from .scripted import Member

pytestmark = pytest.mark.browser


def link_from_console(server, address: str, timeout_s: float = 15) -> str:
    """The confirmation link of the last mail to `address` that the server printed."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        log = server.log_path.read_text(errors="replace")
        for block in reversed(log.split("-" * 79)):
            if f"To: {address}" in block and (found := re.search(r"https?://\S+/c/([A-Za-z0-9_-]{20,})", block)):
                return found.group(1)
        time.sleep(0.25)
    raise AssertionError(f"no confirmation mail to {address} in the server's console output")


def test_the_confirmation_page_works_by_keyboard_and_a_used_link_says_so(people, server, facilitator, axe_js):
    status, created = facilitator.http.post("/api/workshops", {"title": "Quay walk", "language": "en"})
    assert status == 201
    an = Member(server, "An")
    an.join(created["code"])
    status, _ = an.http.post(f"/api/workshops/{created['code']}/me/contact", {"email": "an.browser@example.org"})
    assert status == 202
    token = link_from_console(server, "an.browser@example.org")

    page = people("An on another device").page  # no session: the link is enough
    page.goto(f"/c/{token}")
    expect(page.get_by_role("heading", name="Confirm your e-mail address")).to_be_visible()
    assert_no_axe_violations(page, axe_js, "the confirmation page")
    tab_to(page, "el.id === 'confirm-button'")
    page.keyboard.press("Enter")
    answer = page.locator("#confirmed")
    expect(answer).to_be_visible()
    expect(answer).to_be_focused()
    expect(page.get_by_role("heading", name="Your address is confirmed")).to_be_visible()
    assert_no_axe_violations(page, axe_js, "the confirmation page, confirmed")

    response = page.goto(f"/c/{token}")
    assert response.status == 410
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    assert_no_axe_violations(page, axe_js, "the page of a used link")
    an.close()
