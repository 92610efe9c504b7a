"""What a person does in the browser, and the checks the browser tests share."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@dataclass
class Person:
    """One browser context (own cookies and session storage) with one page."""

    name: str
    base_url: str
    context: BrowserContext
    page: Page
    problems: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, browser: Browser, base_url: str, name: str, *, phone: bool = False,
             locale: str = "en-US") -> "Person":
        context = browser.new_context(viewport=PHONE if phone else LAPTOP, base_url=base_url,
                                      is_mobile=False, has_touch=phone, locale=locale)
        context.set_default_timeout(10_000)
        problems: list[str] = []
        watch_csp(context, problems)
        page = context.new_page()
        person = cls(name=name, base_url=base_url, context=context, page=page, problems=problems)
        page.on("pageerror", lambda error: person.problems.append(f"uncaught error: {error}"))
        page.on("dialog", lambda dialog: (person.problems.append(f"dialog opened: {dialog.message!r}"),
                                          dialog.dismiss()))
        return person

    def close(self) -> None:
        self.context.close()

    # --- front page ---

    def log_in(self, username: str, password: str) -> None:
        page = self.page
        page.goto("/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_text(f"Logged in as {username}.")).to_be_visible()

    def create_workshop(self, title: str, *, agenda: str = "", columns: str = "", pre_moderation: bool = False,
                        language: str = "", waiting_room: bool = False) -> str:
        """Fill in the create form on the front page and return the new workshop's code."""
        page = self.page
        page.get_by_label("Title", exact=True).fill(title)
        if language:
            page.get_by_label("Language of the workshop").select_option(language)
        page.get_by_label("Agenda (optional)").fill(agenda)
        page.get_by_label("Board columns (optional)").fill(columns)
        if pre_moderation:
            page.get_by_label("A moderator approves each idea before others see it").check()
        if waiting_room:
            page.get_by_label("Waiting room").check()
        page.get_by_role("button", name="Create workshop").click()
        expect(page.locator("#created")).to_be_visible()
        href = page.locator("#created-console").get_attribute("href")
        match = re.fullmatch(r"/w/([A-Za-z0-9_-]+)/facilitate", href or "")
        assert match, f"console link is {href!r}"
        return match.group(1)

    # --- participant page ---

    def join(self, code: str, name: str | None = None) -> None:
        page = self.page
        page.goto(f"/w/{code}/")
        page.get_by_label("Your name").fill(name or self.name)
        page.get_by_role("button", name="Join").click()
        expect_live(page)

    def post_idea(self, text: str, column: str | None = None) -> Locator:
        page = self.page
        if column:
            page.get_by_label("Column").select_option(column)
        page.get_by_label("Your idea").fill(text)
        page.get_by_role("button", name="Post idea").click()
        idea = idea_item(page, text)
        expect(idea).to_be_visible()
        return idea

    def build_on(self, idea: Locator, author: str, text: str) -> None:
        idea.get_by_role("button", name=f"Build on this idea by {author}").first.click()
        self.page.get_by_label(f"Build on the idea by {author}").fill(text)
        self.page.get_by_role("button", name="Post reply").click()
        expect(self.page.get_by_text("Your reply was posted.")).to_be_visible()

    def add_staff(self, code: str, username: str, role: str) -> None:
        """As this page's logged-in facilitator, give a staff account a role (POST /api/workshops/<code>/staff)."""
        status = self.page.evaluate(
            """async ([code, username, role]) => {
                const csrf = (await (await fetch("/api/csrf")).json()).csrf;
                const response = await fetch(`/api/workshops/${code}/staff`, {
                    method: "POST", body: JSON.stringify({username, role}),
                    headers: {"Content-Type": "application/json", "X-CSRFToken": csrf}});
                return response.status;
            }""", [code, username, role])
        assert status == 201, f"adding {username} as {role} answered {status}"

    def pending_commands(self, code: str) -> list[dict]:
        """The unacknowledged commands the page keeps in sessionStorage."""
        raw = self.page.evaluate("code => sessionStorage.getItem(`inspraak:pending:${code}`)", code)
        return json.loads(raw) if raw else []


# Every page of the context reports each violation of its Content-Security-Policy to the
# console (Chromium logs its own "Refused to ..." line too, but not for every kind).
CSP_REPORTER = """document.addEventListener("securitypolicyviolation", (e) => console.error(
    `Content Security Policy violation: ${e.effectiveDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile || location.href}:${e.lineNumber}`));"""


def watch_csp(context: BrowserContext, problems: list[str]) -> None:
    """Add to `problems` every Content-Security-Policy violation on any page of this context."""
    context.add_init_script(script=CSP_REPORTER)

    def on_console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(f"CSP violation on {message.page.url if message.page else '?'}: {message.text}")

    context.on("console", on_console)


def expect_live(page: Page) -> None:
    """The live view is shown and the socket is connected."""
    expect(page.locator("#live")).to_be_visible()
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")


def idea_item(page: Page, text: str) -> Locator:
    """The list item of the idea whose own text is exactly `text` (not its replies' text)."""
    return page.locator("li.idea").filter(has=page.locator(":scope > article .idea-text", has_text=re.compile(
        "^" + re.escape(text) + "$")))


def idea_texts(page: Page) -> list[str]:
    """The text of every idea shown on the page, in document order."""
    return page.locator("li.idea .idea-text").all_text_contents()


def tab_to(page: Page, predicate_js: str, *, limit: int = 60) -> int:
    """Press Tab until `predicate_js` (a function of document.activeElement) holds; return the count."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {predicate_js})(document.activeElement)"):
            return presses
    raise AssertionError(f"Tab never reached an element where {predicate_js} (after {limit} presses)")


def assert_no_axe_violations(page: Page, axe_js: str, where: str) -> None:
    """Run axe-core for WCAG 2.1 A and AA on the page; fail with a readable list of violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the debugger, which the page's CSP does not govern; an inline
        # <script> tag (add_script_tag) would be refused as the policy means it to be.
        page.evaluate(axe_js)
    violations = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html, summary: n.failureSummary})),
            }));
        }""",
        AXE_TAGS,
    )
    if violations:
        lines = [f"{len(violations)} axe violation(s) on {where}:"]
        for v in violations:
            lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['url']})")
            for node in v["nodes"][:5]:
                lines.append(f"    at {node['target']}: {node['html'][:160]}")
                lines.append("      " + (node["summary"] or "").replace("\n", "\n      "))
        raise AssertionError("\n".join(lines))


def screenshot(page: Page, directory: Path, name: str) -> None:
    """Save full-page screenshots at laptop (1280x800) and phone (375x740) sizes."""
    original = page.viewport_size
    for label, size in (("laptop", LAPTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.wait_for_timeout(150)
        page.screenshot(path=str(directory / f"{name}-{label}.png"), full_page=True)
    if original:
        page.set_viewport_size(original)


def start_workshop(facilitator: Person, username: str, password: str, title: str, **create) -> str:
    """Log in, create a workshop, open its console and start it; return the code."""
    facilitator.log_in(username, password)
    code = facilitator.create_workshop(title, **create)
    page = facilitator.page
    page.goto(f"/w/{code}/facilitate")
    expect_live(page)
    page.get_by_role("button", name="Start workshop").click()
    expect(page.locator("#workshop-status")).to_have_text("Live")
    return code


def wait_until(page: Page, condition, what: str, timeout_ms: int = 10_000) -> None:
    """Poll a Python condition while letting the page run, or fail saying `what` never happened."""
    waited = 0
    while not condition():
        if waited >= timeout_ms:
            raise AssertionError(f"timed out after {timeout_ms} ms waiting for {what}")
        page.wait_for_timeout(50)
        waited += 50


class SocketTap:
    """Route a page's workshop sockets through Playwright, record every frame, drop chosen ones.

    `drop_to_server(frame)` and `drop_to_page(frame)` decide per frame (per event of a `batch`);
    by default nothing is dropped. `received` holds a batch's events, not the batch.
    """

    def __init__(self, page: Page):
        self.sent: list[dict] = []
        self.received: list[dict] = []
        self.urls: list[str] = []
        self.routes: list = []
        self.drop_to_server = lambda frame: False
        self.drop_to_page = lambda frame: False
        page.route_web_socket(re.compile(r".*/ws/workshops/.*"), self._route)

    def close_page_side(self, code: int) -> None:
        """Close the page's current socket with this close code, as the server would."""
        self.routes[-1].close(code=code, reason="closed by the test")

    def _route(self, ws) -> None:
        self.urls.append(ws.url)
        self.routes.append(ws)
        server = ws.connect_to_server()

        def from_page(message):
            frame = json.loads(message)
            self.sent.append(frame)
            if not self.drop_to_server(frame):
                server.send(message)

        def from_server(message):
            frame = json.loads(message)
            if frame.get("type") != "batch":
                self.received.append(frame)
                if not self.drop_to_page(frame):
                    ws.send(message)
                return
            # A batch is its events one by one (PROTOCOL.md 2.3): each recorded, each dropped or passed on.
            self.received.extend(frame["events"])
            kept = [event for event in frame["events"] if not self.drop_to_page(event)]
            if len(kept) == len(frame["events"]):
                ws.send(message)
            elif kept:
                ws.send(json.dumps({"type": "batch", "events": kept}))

        ws.on_message(from_page)
        server.on_message(from_server)

    def sent_of_type(self, type_: str) -> list[dict]:
        return [frame for frame in self.sent if frame.get("type") == type_]
