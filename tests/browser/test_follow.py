""""Tell me what becomes of my ideas" on the participant page, after the workshop ended: an address
given with the keyboard alone, its confirmation mail taken by a real SMTP server (aiosmtpd), the
link followed, the page showing it confirmed; a bad address and too many mails answered next to the
field; the address removed. Axe-clean in each state."""
import re
import time

import pytest
from playwright.sync_api import expect

from harness.daphne import DaphneServer, ServerDatabase, free_port, manage, server_env
from tests.smtp import SmtpServer

from .conftest import STAFF_PASSWORD, STAFF_USERNAME
from .helpers import Person, assert_no_axe_violations, expect_live
from .scripted import Member

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mail_server(tmp_path_factory, smtp_server):
    """A Daphne server of its own whose mail goes over SMTP to `smtp_server`, as EMAIL_HOST makes it."""
    tmp = tmp_path_factory.mktemp("follow-server")
    db = ServerDatabase.sqlite(tmp / "db.sqlite3")
    port = free_port("127.0.0.1")
    env = server_env(db.url, INSPRAAK_RATE_LIMIT_JOINS="100000", EMAIL_HOST="127.0.0.1",
                     EMAIL_PORT=str(smtp_server.port), INSPRAAK_PUBLIC_URL=f"http://127.0.0.1:{port}")
    db.prepare(env)
    manage("createsuperuser", "--noinput", "--username", STAFF_USERNAME, "--email", "facilitator@example.org",
           env={**env, "DJANGO_SUPERUSER_PASSWORD": STAFF_PASSWORD})
    with DaphneServer(env, port=port, log_path=tmp / "daphne.log") as running:
        yield running
    db.drop()


def mail_to(smtp_server, address: str, count: int, timeout_s: float = 20):
    """The `count`-th mail to `address` once the SMTP server has it (the outbox sends within seconds)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        messages = smtp_server.inbox.to(address)
        if len(messages) >= count:
            return messages[count - 1]
        time.sleep(0.2)
    raise AssertionError(f"mail number {count} to {address} never reached the SMTP server")


def test_an_address_given_after_the_end_is_confirmed_by_mail_and_removed(browser, mail_server, smtp_server, axe_js,
                                                                        artifacts):
    fac = Member(mail_server)
    fac.log_in(STAFF_USERNAME, STAFF_PASSWORD)
    status, created = fac.http.post("/api/workshops", {"title": "Quay walk", "language": "en"})
    assert status == 201, created
    code = created["code"]
    console = fac.open(code)
    console.command("workshop.start")

    an = Person.open(browser, mail_server.url, "An")
    try:
        page = an.page
        an.join(code)
        console.command("workshop.end")  # after the end is when it matters most

        # The outcomes page links here: the section is brought into view with its heading focused.
        page.goto("about:blank")
        page.goto(f"{mail_server.url}/w/{code}/#follow")
        expect_live(page)
        section = page.get_by_role("region", name="Tell me what becomes of my ideas")
        expect(section).to_be_visible()
        expect(page.locator("#follow-title")).to_be_focused()

        page.keyboard.press("Tab")
        field = page.get_by_label("Your e-mail address")
        expect(field).to_be_focused()
        page.keyboard.type("an at example")
        page.keyboard.press("Enter")
        error = page.locator("#follow-email-error")
        expect(error).to_have_text("This is not a valid e-mail address. Check it and try again.")
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_attribute("aria-describedby", re.compile(r"\bfollow-email-error\b"))
        expect(page.locator("#follow-status")).to_have_text(error.inner_text())
        assert_no_axe_violations(page, axe_js, "the follow section with a refused address")

        page.keyboard.press("Control+A")
        page.keyboard.type("an@example.org")
        page.keyboard.press("Enter")
        state = page.locator("#follow-state-text")
        expect(state).to_contain_text("We sent a mail to an@example.org.")
        expect(state).to_be_focused()
        expect(page.locator("#follow-status")).to_have_text("Sent. Check your mail to confirm your address.")
        expect(page.locator("#follow-email-error")).to_be_hidden()
        assert_no_axe_violations(page, axe_js, "the follow section waiting for confirmation")

        message = mail_to(smtp_server, "an@example.org", 1)
        text = message.get_body(("plain",)).get_content()
        token = re.search(rf"{re.escape(mail_server.url)}/c/([A-Za-z0-9_-]+)", text).group(1)
        other = an.context.new_page()  # the mail's link, in another tab
        other.goto(f"/c/{token}")
        other.locator("#confirm-button").click()
        expect(other.locator("#confirmed")).to_be_visible()
        other.close()

        # Coming back to the tab looks again.
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        expect(state).to_have_text("News about your ideas goes to an@example.org.")
        expect(page.locator("#follow-status")).to_have_text("Your address is confirmed.")
        assert_no_axe_violations(page, axe_js, "the follow section, confirmed")
        section.screenshot(path=str(artifacts / "follow-confirmed.png"))
        page.reload()
        expect(page.locator("#follow-state-text")).to_have_text("News about your ideas goes to an@example.org.")

        # Two more confirmation mails are allowed this hour; the fourth is refused next to the field.
        for number, address in ((2, "an2@example.org"), (3, "an3@example.org")):
            page.get_by_role("button", name="Use another address").press("Enter")
            expect(field).to_be_focused()
            field.fill(address)
            page.keyboard.press("Enter")
            expect(state).to_contain_text(f"We sent a mail to {address}.")
            mail_to(smtp_server, address, 1)
        page.get_by_role("button", name="Use another address").press("Enter")
        field.fill("an4@example.org")
        page.keyboard.press("Enter")
        expect(error).to_have_text(re.compile(r"^Too many confirmation mails for now\. Try again in \d+ minutes?\.$"))
        expect(field).to_be_focused()
        assert_no_axe_violations(page, axe_js, "the follow section refusing a fourth mail")
        section.screenshot(path=str(artifacts / "follow-refused.png"))
        page.get_by_role("button", name="Cancel").press("Enter")
        expect(state).to_contain_text("an3@example.org")

        page.get_by_role("button", name="Remove my address").press("Enter")
        expect(page.locator("#follow-status")).to_have_text("Your address was removed. No more mail will come.")
        expect(field).to_be_focused()
        expect(field).to_have_value("")
        assert page.evaluate(f"fetch('/api/workshops/{code}/me/data').then(r => r.json())")["contact"] is None
        assert an.problems == []
    finally:
        an.close()
        fac.close()


def test_the_console_shows_mail_refused_for_good_by_participant_not_address(browser, mail_server, smtp_server,
                                                                            axe_js, artifacts):
    fac = Member(mail_server)
    fac.log_in(STAFF_USERNAME, STAFF_PASSWORD)
    status, created = fac.http.post("/api/workshops", {"title": "Harbour mail", "language": "en"})
    assert status == 201, created
    code = created["code"]
    fac.open(code).command("workshop.start")
    smtp_server.inbox.refuse.add("bounce@example.org")
    for name, address in (("Bo", "bounce@example.org"), ("Cato", "cato@example.org")):
        member = Member(mail_server, name)
        member.join(code)
        assert member.http.post(f"/api/workshops/{code}/me/contact", {"email": address})[0] == 202
    deadline = time.monotonic() + 20
    while (report := fac.http.get(f"/api/workshops/{code}/mail")[1])["pending"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert (report["sent"], report["failed"]) == (1, 1), report

    staff = Person.open(browser, mail_server.url, "Facilitator")
    try:
        staff.log_in(STAFF_USERNAME, STAFF_PASSWORD)
        page = staff.page
        page.goto(f"/w/{code}/facilitate")
        expect_live(page)
        panel = page.get_by_role("group", name="Mail to participants")
        expect(panel).to_be_visible()
        expect(panel.locator("#mail-sent")).to_have_text("1")
        expect(panel.locator("#mail-failed")).to_have_text("1")
        expect(panel.locator("#mail-pending")).to_have_text("0")
        failure = panel.get_by_role("listitem")
        expect(failure).to_have_count(1)
        expect(failure).to_contain_text(re.compile(r"^Bo: confirmation of their address, refused on .+ after 1 attempt\."))
        expect(failure).to_contain_text("Server reply: 550")
        expect(panel.locator("#mail-failures-empty")).to_be_hidden()
        assert "bounce@example.org" not in page.content()
        assert_no_axe_violations(page, axe_js, "the console's mail panel with a refused mail")
        panel.screenshot(path=str(artifacts / "console-mail-panel.png"))

        page.locator("#mail-title").focus()
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Check again")).to_be_focused()
        page.keyboard.press("Enter")
        expect(panel.locator("#mail-status")).to_have_text("Up to date.")
        assert staff.problems == []
    finally:
        staff.close()
        fac.close()
