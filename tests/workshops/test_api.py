"""The HTTP JSON API, through Django's test client with CSRF checks on, as a browser meets it."""
import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from deliberation.models import Board
from tests.factories import citizen, staff_member, staff_user
from workshops import services
from workshops.models import Connection, Participant, RequestReceipt, ServerProcess, Workshop
from workshops.sessions import SESSION_KEY

pytestmark = pytest.mark.django_db

PASSWORD = "pw-123456"


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Browser:
    """A test client that behaves like the frontend: fetches the CSRF token and sends it back."""

    def __init__(self):
        self.client = Client(enforce_csrf_checks=True)

    def get(self, path):
        return self.client.get(path)

    def send(self, method, path, body=None, *, raw=None, csrf=True, headers=None):
        headers = dict(headers or {})
        if csrf:
            if "csrftoken" not in self.client.cookies:
                self.client.get("/api/csrf")
            headers["X-CSRFToken"] = self.client.cookies["csrftoken"].value
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.generic(method, path, data, content_type="application/json", headers=headers)

    def post(self, path, body=None, **kwargs):
        return self.send("POST", path, body, **kwargs)

    def login(self, username, password=PASSWORD):
        return self.post("/api/session/login", {"username": username, "password": password})

    def participant(self, code) -> Participant | None:
        pid = (self.client.session.get(SESSION_KEY) or {}).get(code)
        return Participant.objects.filter(pk=pid).first() if pid else None


def assert_error(response, status: int, code: str) -> dict:
    """Every refusal is JSON: {"error", "message", "fields"?} with the status that fits."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert set(body) <= {"error", "message", "fields", "retry_after"}
    return body


@pytest.fixture
def staff():
    """A logged-in staff account."""
    staff_user("fac", password=PASSWORD)
    browser = Browser()
    assert browser.login("fac").status_code == 200
    return browser


@pytest.fixture
def workshop(staff) -> Workshop:
    response = staff.post("/api/workshops", {"title": "Station square", "columns": ["Green", "Play"],
                                             "profile_questions": [{"key": "age", "label": "Age",
                                                                    "options": ["<30", "30+"]}]})
    assert response.status_code == 201
    return Workshop.objects.get(code=response.json()["code"])


# csrf and session

def test_csrf_answers_a_token_and_sets_the_cookie():
    response = Client(enforce_csrf_checks=True).get("/api/csrf")
    assert response.status_code == 200
    assert response.json()["csrf"] and response.cookies["csrftoken"].value


def test_the_answered_csrf_token_is_accepted_as_header():
    client = Client(enforce_csrf_checks=True)
    token = client.get("/api/csrf").json()["csrf"]
    response = client.post("/api/session/logout", "{}", content_type="application/json",
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.json() == {}


@pytest.mark.parametrize("path", ["/api/session/login", "/api/session/logout", "/api/workshops"])
def test_an_unsafe_request_without_csrf_token_is_refused_as_json(path):
    staff_user("fac", password=PASSWORD)
    response = Browser().post(path, {"username": "fac", "password": PASSWORD}, csrf=False)
    assert_error(response, 403, "forbidden")


def test_join_without_csrf_token_is_refused_and_nobody_joins(workshop):
    response = Browser().post(f"/api/workshops/{workshop.code}/join", {"name": "An"}, csrf=False)
    assert_error(response, 403, "forbidden")
    assert not Participant.objects.filter(name="An").exists()


def test_login_with_a_wrong_password_is_401():
    staff_user("fac", password=PASSWORD)
    browser = Browser()
    assert_error(browser.login("fac", "wrong-password"), 401, "unauthenticated")
    assert_error(browser.login("nobody", PASSWORD), 401, "unauthenticated")
    assert browser.get("/api/session").json() == {"user": None}


def test_every_failed_login_is_the_same_401_whatever_the_account():
    """A non-staff or inactive account with its right password answers like a wrong password."""
    staff_user("fac", password=PASSWORD)
    staff_user("visitor", is_staff=False, password=PASSWORD)
    inactive = staff_user("gone", password=PASSWORD)
    inactive.is_active = False
    inactive.save()
    browser = Browser()
    answers = [browser.login("fac", "wrong-password"), browser.login("nobody"), browser.login("visitor"),
               browser.login("gone")]
    assert [(a.status_code, a.json()) for a in answers] == [
        (401, {"error": "unauthenticated", "message": "Wrong username or password."})] * 4
    assert browser.get("/api/session").json() == {"user": None}


def test_login_of_a_staff_account_starts_a_session():
    staff_user("fac", password=PASSWORD)
    browser = Browser()
    response = browser.login("fac")
    assert response.status_code == 200 and response.json() == {"user": {"username": "fac"}}
    assert response.cookies["sessionid"].value
    assert browser.get("/api/session").json() == {"user": {"username": "fac", "is_staff": True}}


def test_login_with_missing_fields_is_invalid():
    body = assert_error(Browser().post("/api/session/login", {"username": "fac"}), 400, "invalid")
    assert set(body["fields"]) == {"password"}


def test_logout_ends_the_session(staff):
    response = staff.post("/api/session/logout")
    assert response.status_code == 200 and response.json() == {}
    assert staff.get("/api/session").json() == {"user": None}
    assert_error(staff.post("/api/workshops", {"title": "After logout"}), 401, "unauthenticated")


def test_session_is_empty_for_anonymous_visitors():
    assert Browser().get("/api/session").json() == {"user": None}


# workshops

def test_create_workshop_answers_201_with_an_unguessable_code_and_a_join_url(staff):
    response = staff.post("/api/workshops", {
        "title": "Station square", "description": "What next?", "language": "en",
        "agenda": [{"title": "Ideas", "minutes": 20}], "columns": ["Green", "Play"], "moderation": "pre",
        "flag_threshold": 5, "profile_questions": [{"key": "age", "label": "Age", "options": ["<30", "30+"]}]})
    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(r"[A-Za-z0-9_-]{8,}", body["code"])
    assert body == {"code": body["code"], "title": "Station square", "status": "draft",
                    "join_url": f"http://testserver/w/{body['code']}/"}
    workshop = Workshop.objects.get(code=body["code"])
    assert (workshop.language, workshop.moderation, workshop.flag_threshold) == ("en", "pre", 5)
    assert workshop.agenda == [{"title": "Ideas", "minutes": 20}]
    assert workshop.profile_questions == [{"key": "age", "label": "Age", "options": ["<30", "30+"]}]
    creator = Participant.objects.get(workshop=workshop)
    assert (creator.user.username, creator.role) == ("fac", "facilitator")
    plenary = Board.objects.get(workshop=workshop)
    assert plenary.room is None and plenary.columns == ["Green", "Play"]


def test_create_workshop_fills_in_defaults(staff):
    response = staff.post("/api/workshops", {"title": "  Just a title  "})
    assert response.status_code == 201 and response.json()["title"] == "Just a title"
    workshop = Workshop.objects.get(code=response.json()["code"])
    assert (workshop.language, workshop.moderation, workshop.flag_threshold, workshop.agenda) == ("nl", "post", 3, [])
    assert Board.objects.get(workshop=workshop).columns == []


@pytest.mark.parametrize("body, field", [
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({}, "title"),
    ({"title": "T", "language": "xx"}, "language"),
    ({"title": "T", "moderation": "maybe"}, "moderation"),
    ({"title": "T", "flag_threshold": 0}, "flag_threshold"),
    ({"title": "T", "agenda": [{"minutes": 5}]}, "agenda.0.title"),
    ({"title": "T", "agenda": [{"title": "Long", "minutes": 601}]}, "agenda.0.minutes"),
    ({"title": "T", "profile_questions": [{"key": "age", "label": "Age", "options": ["only one"]}]},
     "profile_questions.0.options"),
    ({"title": "T", "profile_questions": [{"key": "Bad Key", "label": "Age", "options": ["a", "b"]}]},
     "profile_questions.0.key"),
    ({"title": "T", "owner": "me"}, "owner"),
])
def test_create_workshop_with_invalid_fields_is_400_with_field_errors(staff, body, field):
    error = assert_error(staff.post("/api/workshops", body), 400, "invalid")
    assert field in error["fields"]
    assert not Workshop.objects.exists()


def test_create_workshop_needs_a_login():
    assert_error(Browser().post("/api/workshops", {"title": "Anonymous"}), 401, "unauthenticated")
    assert not Workshop.objects.exists()


def test_create_workshop_needs_a_staff_account():
    browser = Browser()
    browser.client.force_login(staff_user("visitor", is_staff=False))
    assert_error(browser.post("/api/workshops", {"title": "Not staff"}), 403, "forbidden")
    assert not Workshop.objects.exists()


def test_list_workshops_shows_the_staff_accounts_own_workshops_with_its_role(staff, workshop):
    other = services.workshop_create(user=staff_user("someone-else"), title="Not mine")
    staff_member(other, "official", "also-not-mine")
    added = services.workshop_create(user=staff_user("colleague"), title="Added to")
    Participant.objects.create(workshop=added, user=workshop.created_by, name="fac", role="moderator")
    response = staff.get("/api/workshops")
    assert response.status_code == 200
    assert {(w["code"], w["title"], w["role"], w["status"]) for w in response.json()["workshops"]} == {
        (workshop.code, "Station square", "facilitator", "draft"), (added.code, "Added to", "moderator", "draft")}
    assert {w["join_url"] for w in response.json()["workshops"]} == {
        f"http://testserver/w/{workshop.code}/", f"http://testserver/w/{added.code}/"}


def test_list_workshops_needs_a_login():
    assert_error(Browser().get("/api/workshops"), 401, "unauthenticated")


def test_workshop_detail_is_public_and_counts_participants_online(workshop):
    an, bo, gone = citizen(workshop, "An"), citizen(workshop, "Bo"), citizen(workshop, "Gone", removed=True)
    citizen(workshop, "Offline")
    srv = ServerProcess.objects.create(name="srv", heartbeat_at=workshop.created_at)
    for i, p in enumerate([an, an, bo, gone]):
        Connection.objects.create(participant=p, server=srv, channel_name=f"ws.{i}")
    response = Browser().get(f"/api/workshops/{workshop.code}")
    assert response.status_code == 200
    assert response.json() == {"code": workshop.code, "title": "Station square", "description": "",
                               "status": "draft", "language": "nl", "participants_online": 2,
                               "profile_questions": workshop.profile_questions}


def test_an_unknown_workshop_is_404():
    assert_error(Browser().get("/api/workshops/nosuchcode"), 404, "not_found")
    assert_error(Browser().post("/api/workshops/nosuchcode/join", {"name": "An"}), 404, "not_found")


# staff

def test_a_facilitator_adds_staff_with_a_role(staff, workshop):
    staff_user("mo")
    response = staff.post(f"/api/workshops/{workshop.code}/staff", {"username": "mo", "role": "moderator"})
    assert response.status_code == 201 and response.json() == {"username": "mo", "role": "moderator"}
    assert Participant.objects.get(workshop=workshop, user__username="mo").role == "moderator"


def test_only_a_facilitator_adds_staff(workshop):
    staff_user("target")
    mod = staff_member(workshop, "moderator", "mo")
    mod.user.set_password(PASSWORD)
    mod.user.save()
    moderator = Browser()
    moderator.login("mo")
    path = f"/api/workshops/{workshop.code}/staff"
    assert_error(moderator.post(path, {"username": "target", "role": "official"}), 403, "forbidden")

    visitor = Browser()
    assert visitor.post(f"/api/workshops/{workshop.code}/join", {"name": "An"}).status_code == 201
    assert_error(visitor.post(path, {"username": "target", "role": "official"}), 403, "forbidden")
    assert_error(Browser().post(path, {"username": "target", "role": "official"}), 401, "unauthenticated")
    assert not Participant.objects.filter(user__username="target").exists()


def test_a_staff_account_of_another_workshop_cannot_add_staff(workshop):
    staff_user("target")
    staff_user("stranger", password=PASSWORD)
    stranger = Browser()
    stranger.login("stranger")
    response = stranger.post(f"/api/workshops/{workshop.code}/staff", {"username": "target", "role": "official"})
    assert_error(response, 403, "forbidden")  # logged in, so not 401 "Log in first"
    assert not Participant.objects.filter(user__username="target").exists()


def test_adding_an_unknown_user_as_staff_is_404(staff, workshop):
    body = assert_error(staff.post(f"/api/workshops/{workshop.code}/staff", {"username": "ghost", "role": "official"}),
                        404, "not_found")
    assert set(body["fields"]) == {"username"}


@pytest.mark.parametrize("role", ["citizen", "admin", ""])
def test_adding_staff_with_a_role_that_is_not_a_staff_role_is_400(staff, workshop, role):
    staff_user("mo")
    body = assert_error(staff.post(f"/api/workshops/{workshop.code}/staff", {"username": "mo", "role": role}),
                        400, "invalid")
    assert set(body["fields"]) == {"role"}
    assert not Participant.objects.filter(user__username="mo").exists()


def logged_in(workshop, role, username) -> Browser:
    """A browser logged in as a staff account with a role in the workshop."""
    member = staff_member(workshop, role, username)
    member.user.set_password(PASSWORD)
    member.user.save()
    browser = Browser()
    assert browser.login(username).status_code == 200
    return browser


def test_a_facilitator_lists_the_staff_with_their_roles(staff, workshop):
    staff_member(workshop, "moderator", "mo")
    citizen(workshop, "An")
    response = staff.get(f"/api/workshops/{workshop.code}/staff")
    assert response.status_code == 200
    assert response.json() == [{"username": "fac", "name": "fac", "role": "facilitator"},
                               {"username": "mo", "name": "mo", "role": "moderator"}]


def test_a_facilitator_changes_a_staff_role_with_another_post(staff, workshop):
    mo = staff_member(workshop, "moderator", "mo")
    response = staff.post(f"/api/workshops/{workshop.code}/staff", {"username": "mo", "role": "official"})
    assert response.status_code == 201 and response.json() == {"username": "mo", "role": "official"}
    assert Participant.objects.get(pk=mo.pk).role == "official"
    assert Participant.objects.filter(workshop=workshop, user__username="mo").count() == 1


def test_a_facilitator_removes_a_staff_role_with_delete_204(staff, workshop):
    mo = staff_member(workshop, "moderator", "mo")
    response = staff.send("DELETE", f"/api/workshops/{workshop.code}/staff/mo")
    assert response.status_code == 204 and response.content == b""
    assert Participant.objects.get(pk=mo.pk).role == "citizen"
    assert [s["username"] for s in staff.get(f"/api/workshops/{workshop.code}/staff").json()] == ["fac"]
    # Removing again: no longer on the staff.
    assert_error(staff.send("DELETE", f"/api/workshops/{workshop.code}/staff/mo"), 404, "not_found")


def test_a_username_with_dots_and_at_signs_is_removed_by_its_path(staff, workshop):
    staff_member(workshop, "official", "olga.m@city.example")
    response = staff.send("DELETE", f"/api/workshops/{workshop.code}/staff/olga.m@city.example")
    assert response.status_code == 204


def test_the_last_facilitator_cannot_be_removed_or_demoted_409(staff, workshop):
    path = f"/api/workshops/{workshop.code}/staff"
    body = assert_error(staff.send("DELETE", f"{path}/fac"), 409, "conflict")
    assert "facilitator" in body["message"]
    assert_error(staff.post(path, {"username": "fac", "role": "moderator"}), 409, "conflict")
    assert staff.get(path).json() == [{"username": "fac", "name": "fac", "role": "facilitator"}]
    # With a second facilitator, either may go.
    assert staff.post(path, {"username": "fac2", "role": "facilitator"}).status_code == 404
    staff_user("fac2")
    assert staff.post(path, {"username": "fac2", "role": "facilitator"}).status_code == 201
    assert staff.send("DELETE", f"{path}/fac").status_code == 204
    assert Participant.objects.get(workshop=workshop, user__username="fac").role == "citizen"


@pytest.mark.parametrize("username", ["ghost", "outsider", "An"])
def test_removing_someone_who_is_not_on_the_staff_is_404(staff, workshop, username):
    staff_user("outsider")
    an = citizen(workshop, "An")
    body = assert_error(staff.send("DELETE", f"/api/workshops/{workshop.code}/staff/{username}"), 404, "not_found")
    assert set(body["fields"]) == {"username"}
    assert Participant.objects.get(pk=an.pk).role == "citizen"


def test_staff_of_an_unknown_workshop_is_404(staff):
    assert_error(staff.get("/api/workshops/nosuchcode/staff"), 404, "not_found")
    assert_error(staff.send("DELETE", "/api/workshops/nosuchcode/staff/fac"), 404, "not_found")


def test_only_a_facilitator_lists_changes_or_removes_staff(workshop):
    mo = staff_member(workshop, "moderator", "mo")
    path = f"/api/workshops/{workshop.code}/staff"
    visitor = Browser()
    assert visitor.post(f"/api/workshops/{workshop.code}/join", {"name": "An"}).status_code == 201
    refusals = [(visitor, 403, "forbidden"), (Browser(), 401, "unauthenticated"),
                (logged_in(workshop, "moderator", "mod2"), 403, "forbidden"),
                (logged_in(workshop, "official", "olga"), 403, "forbidden")]
    stranger = Browser()
    staff_user("stranger", password=PASSWORD)
    stranger.login("stranger")
    refusals.append((stranger, 403, "forbidden"))
    for browser, status, code in refusals:
        assert_error(browser.get(path), status, code)
        assert_error(browser.post(path, {"username": "mo", "role": "official"}), status, code)
        assert_error(browser.send("DELETE", f"{path}/mo"), status, code)
        assert_error(browser.send("DELETE", f"{path}/fac"), status, code)
    assert Participant.objects.get(pk=mo.pk).role == "moderator"
    assert Participant.objects.get(workshop=workshop, user__username="fac").role == "facilitator"


def test_removing_staff_needs_the_csrf_token(staff, workshop):
    staff_member(workshop, "moderator", "mo")
    assert_error(staff.send("DELETE", f"/api/workshops/{workshop.code}/staff/mo", csrf=False), 403, "forbidden")
    assert Participant.objects.get(workshop=workshop, user__username="mo").role == "moderator"


# join

def test_join_answers_201_with_the_participant_and_a_session_cookie(workshop):
    browser = Browser()
    response = browser.post(f"/api/workshops/{workshop.code}/join", {"name": " An ", "profile": {"age": "<30"}})
    assert response.status_code == 201
    an = Participant.objects.get(workshop=workshop, name="An")
    assert response.json() == {"participant": {"id": an.pk, "name": "An", "role": "citizen", "admitted": True}}
    assert response.cookies["sessionid"].value
    assert browser.participant(workshop.code) == an and an.profile == {"age": "<30"}


def test_joining_again_from_the_same_session_returns_the_same_participant(workshop):
    browser = Browser()
    first = browser.post(f"/api/workshops/{workshop.code}/join", {"name": "An"}).json()
    again = browser.post(f"/api/workshops/{workshop.code}/join", {"name": "An again"})
    assert again.status_code == 201 and again.json() == first
    assert Participant.objects.filter(workshop=workshop, role="citizen").count() == 1


def test_another_browser_joins_as_another_participant(workshop):
    a = Browser().post(f"/api/workshops/{workshop.code}/join", {"name": "An"}).json()
    b = Browser().post(f"/api/workshops/{workshop.code}/join", {"name": "An"}).json()
    assert a["participant"]["id"] != b["participant"]["id"]


def test_a_staff_account_joining_gets_its_staff_participant(staff, workshop):
    response = staff.post(f"/api/workshops/{workshop.code}/join", {"name": "Whatever"})
    facilitator = Participant.objects.get(workshop=workshop, user__username="fac")
    assert response.status_code == 201
    assert response.json() == {"participant": {"id": facilitator.pk, "name": "fac", "role": "facilitator", "admitted": True}}
    assert Participant.objects.filter(workshop=workshop).count() == 1


def test_joining_after_the_end_is_409_ended(staff, workshop):
    services.workshop_end(actor=Participant.objects.get(workshop=workshop, role="facilitator"))
    assert_error(Browser().post(f"/api/workshops/{workshop.code}/join", {"name": "Late"}), 409, "ended")
    assert not Participant.objects.filter(name="Late").exists()
    # Staff keep their way in after the end.
    assert staff.post(f"/api/workshops/{workshop.code}/join", {"name": "fac"}).status_code == 201


def test_a_removed_participant_cannot_join_again(workshop):
    browser = Browser()
    pid = browser.post(f"/api/workshops/{workshop.code}/join", {"name": "An"}).json()["participant"]["id"]
    Participant.objects.filter(pk=pid).update(removed=True)
    assert_error(browser.post(f"/api/workshops/{workshop.code}/join", {"name": "An"}), 403, "forbidden")
    assert Participant.objects.filter(workshop=workshop, role="citizen").count() == 1


@pytest.mark.parametrize("body, field", [
    ({"name": "An", "profile": {"age": "99"}}, "profile.age"),
    ({"name": "An", "profile": {"income": "high"}}, "profile.income"),
    ({"name": "An", "profile": {"age": 30}}, "profile.age"),
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 61}, "name"),
    ({}, "name"),
    ({"name": "An", "role": "facilitator"}, "role"),
])
def test_join_with_invalid_fields_is_400_and_nobody_joins(workshop, body, field):
    error = assert_error(Browser().post(f"/api/workshops/{workshop.code}/join", body), 400, "invalid")
    assert field in error["fields"]
    assert not Participant.objects.filter(workshop=workshop, role="citizen").exists()


# bodies and methods

@pytest.mark.parametrize("raw", ["{not json", "[1, 2", "\xff"])
def test_a_body_that_is_not_json_is_400_bad_json(workshop, raw):
    assert_error(Browser().post(f"/api/workshops/{workshop.code}/join", raw=raw), 400, "bad_json")


def test_a_json_body_that_is_not_an_object_is_invalid(workshop):
    assert_error(Browser().post(f"/api/workshops/{workshop.code}/join", raw="[1, 2]"), 400, "invalid")


@pytest.mark.parametrize("size", [65 * 1024, 3 * 1024 * 1024])
def test_a_body_that_is_too_large_is_413(workshop, size):
    raw = json.dumps({"name": "An", "pad": "x" * size})
    assert_error(Browser().post(f"/api/workshops/{workshop.code}/join", raw=raw), 413, "too_large")
    assert not Participant.objects.filter(workshop=workshop, role="citizen").exists()


@pytest.mark.parametrize("method, path, allow", [
    ("GET", "/api/session/login", "POST"),
    ("GET", "/api/session/logout", "POST"),
    ("POST", "/api/csrf", "GET"),
    ("POST", "/api/session", "GET"),
    ("PUT", "/api/workshops", "GET, POST"),
    ("DELETE", "/api/workshops/{code}", "GET, PATCH"),
    ("GET", "/api/workshops/{code}/join", "POST"),
    ("PUT", "/api/workshops/{code}/staff", "GET, POST"),
    ("GET", "/api/workshops/{code}/staff/fac", "DELETE"),
])
def test_a_wrong_method_is_405_with_allow(staff, workshop, method, path, allow):
    response = staff.send(method, path.format(code=workshop.code)) if method != "GET" \
        else staff.get(path.format(code=workshop.code))
    assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == allow


# Idempotency-Key on the POSTs that create something

def key(value: str) -> dict:
    return {"Idempotency-Key": value}


def test_creating_a_workshop_again_with_the_same_key_answers_the_first_and_creates_nothing(staff):
    body = {"title": "Station square"}
    first = staff.post("/api/workshops", body, headers=key("k-1"))
    again = staff.post("/api/workshops", body, headers=key("k-1"))
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert Workshop.objects.count() == 1
    other = staff.post("/api/workshops", body, headers=key("k-2"))
    assert other.status_code == 201 and other.json()["code"] != first.json()["code"]
    assert Workshop.objects.count() == 2


def test_the_same_key_from_two_staff_accounts_creates_two_workshops(staff):
    staff_user("other", password=PASSWORD)
    other = Browser()
    assert other.login("other").status_code == 200
    mine = staff.post("/api/workshops", {"title": "Mine"}, headers=key("same"))
    theirs = other.post("/api/workshops", {"title": "Theirs"}, headers=key("same"))
    assert theirs.status_code == 201 and theirs.json()["title"] == "Theirs" != mine.json()["title"]
    assert not theirs.has_header("Idempotent-Replayed")


def test_a_refusal_is_answered_again_for_its_key_as_a_commands_ref_is(staff, workshop):
    path = f"/api/workshops/{workshop.code}/staff"
    assert_error(staff.post(path, {"username": "mo", "role": "moderator"}, headers=key("add-mo")), 404, "not_found")
    staff_user("mo")
    again = staff.post(path, {"username": "mo", "role": "moderator"}, headers=key("add-mo"))
    assert_error(again, 404, "not_found")
    assert again["Idempotent-Replayed"] == "true"
    assert staff.post(path, {"username": "mo", "role": "moderator"}, headers=key("add-mo-2")).status_code == 201


def test_adding_staff_again_with_the_same_key_emits_nothing_more(staff, workshop):
    staff_user("mo")
    path = f"/api/workshops/{workshop.code}/staff"
    first = staff.post(path, {"username": "mo", "role": "moderator"}, headers=key("k"))
    seq = Workshop.objects.get(pk=workshop.pk).last_seq
    again = staff.post(path, {"username": "mo", "role": "moderator"}, headers=key("k"))
    assert again.status_code == 201 and again.json() == first.json() == {"username": "mo", "role": "moderator"}
    assert Workshop.objects.get(pk=workshop.pk).last_seq == seq


def test_joining_again_with_the_same_key_answers_the_first_join(workshop):
    browser = Browser()
    path = f"/api/workshops/{workshop.code}/join"
    first = browser.post(path, {"name": "An"}, headers=key("join-1"))
    again = browser.post(path, {"name": "Someone else"}, headers=key("join-1"))
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Participant.objects.filter(workshop=workshop, role="citizen").count() == 1


def test_the_same_join_key_from_two_browsers_makes_two_participants(workshop):
    path = f"/api/workshops/{workshop.code}/join"
    an = Browser().post(path, {"name": "An"}, headers=key("join"))
    bo = Browser().post(path, {"name": "Bo"}, headers=key("join"))
    assert an.json()["participant"]["id"] != bo.json()["participant"]["id"]
    assert bo.json()["participant"]["name"] == "Bo" and not bo.has_header("Idempotent-Replayed")


def test_a_key_is_kept_for_a_day(staff):
    first = staff.post("/api/workshops", {"title": "Station square"}, headers=key("k"))
    RequestReceipt.objects.update(created_at=timezone.now() - timedelta(days=1, seconds=1))
    later = staff.post("/api/workshops", {"title": "Station square"}, headers=key("k"))
    assert later.status_code == 201 and later.json()["code"] != first.json()["code"]
    assert RequestReceipt.objects.count() == 1


@pytest.mark.parametrize("value", ["", "x" * 65])
def test_a_key_of_the_wrong_length_is_invalid_and_creates_nothing(staff, value):
    body = assert_error(staff.post("/api/workshops", {"title": "Station square"}, headers=key(value)), 400,
                        "invalid")
    assert "Idempotency-Key" in body["fields"]
    assert Workshop.objects.count() == 0


# editing a workshop (PATCH)

def _patch(browser, workshop, body):
    return browser.send("PATCH", f"/api/workshops/{workshop.code}", body)


def test_a_facilitator_edits_a_workshop_and_everyone_gets_it_as_welcome_has_it(staff, workshop):
    from tests.factories import emitted, last_seq
    from workshops.selectors import workshop_payload
    before = last_seq(workshop)
    response = _patch(staff, workshop, {
        "title": "Station square, again", "description": "How should we use the empty lot?",
        "agenda": [{"title": "Ideas", "minutes": 15}], "moderation": "pre", "flag_threshold": 5,
        "waiting_room": True})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["description"], body["agenda"], body["moderation"], body["flag_threshold"],
            body["waiting_room"]) == ("Station square, again", "How should we use the empty lot?",
                                      [{"title": "Ideas", "minutes": 15}], "pre", 5, True)
    assert body == {**staff.get(f"/api/workshops/{workshop.code}").json(), "participants_online": 0}
    workshop.refresh_from_db()
    assert (workshop.title, workshop.moderation, workshop.flag_threshold, workshop.waiting_room) == (
        "Station square, again", "pre", 5, True)
    [(kind, payload, audience)] = emitted(workshop, after=before)
    assert (kind, audience) == ("workshop.updated", ["all"])
    assert payload == {"workshop": workshop_payload(workshop)}
    assert payload["workshop"]["description"] == "How should we use the empty lot?"


def test_anyone_reads_the_profile_questions_but_only_facilitators_the_settings(workshop):
    body = Browser().get(f"/api/workshops/{workshop.code}").json()
    assert body["profile_questions"] == [{"key": "age", "label": "Age", "options": ["<30", "30+"]}]
    assert not {"agenda", "moderation", "flag_threshold", "waiting_room"} & set(body)


def test_removing_a_column_moves_its_ideas_to_none_and_tells_each_boards_readers(staff, workshop):
    from tests.factories import citizen, emitted, idea, last_seq, plenary, room_with_board
    author = citizen(workshop)
    green = idea(plenary(workshop), author, "Trees", column="Green")
    play = idea(plenary(workshop), author, "Swings", column="Play")
    room, board = room_with_board(workshop, columns=["Green", "Play"])
    in_room = idea(board, author, "Benches", column="Green")
    before = last_seq(workshop)
    response = _patch(staff, workshop, {"columns": ["Play", "Quiet"]})
    assert response.status_code == 200, response.content
    green.refresh_from_db(), play.refresh_from_db(), in_room.refresh_from_db()
    assert (green.column, play.column, in_room.column) == ("", "Play", "")
    events = emitted(workshop, after=before)
    assert [e[0] for e in events] == ["workshop.updated", "board.updated", "board.updated"]
    assert events[1][1] == {"board": {"id": plenary(workshop).pk, "title": "Plenary", "room": None,
                                      "columns": ["Play", "Quiet"]}}
    assert events[1][2] == ["all"]
    assert events[2][1]["board"]["id"] == board.pk and events[2][2] == [f"room:{room.pk}"]


@pytest.mark.parametrize("body, field", [
    ({"title": ""}, "title"), ({"title": None}, "title"), ({"columns": ["Green", "green"]}, "columns"),
    ({"columns": ["x" * 81]}, "columns.0"), ({"flag_threshold": 0}, "flag_threshold"),
    ({"moderation": "later"}, "moderation"), ({"language": "en"}, "language"),
])
def test_a_bad_edit_is_invalid_with_its_field_and_changes_nothing(staff, workshop, body, field):
    from tests.factories import last_seq
    before = last_seq(workshop)
    error = assert_error(_patch(staff, workshop, body), 400, "invalid")
    assert field in error["fields"]
    workshop.refresh_from_db()
    assert (workshop.title, last_seq(workshop)) == ("Station square", before)


def test_profile_questions_change_before_the_start_only(staff, workshop):
    from tests.factories import last_seq
    questions = [{"key": "area", "label": "Where do you live?", "options": ["North", "South"]}]
    staff.send("PUT", f"/api/workshops/{workshop.code}/reference", {"reference": {"age": {"<30": 0.4}}})
    response = _patch(staff, workshop, {"profile_questions": questions})
    assert response.status_code == 200 and response.json()["profile_questions"] == questions
    workshop.refresh_from_db()
    assert workshop.reference == {}  # the shares of a question that is gone go with it
    services.workshop_start(actor=Participant.objects.get(workshop=workshop, role="facilitator"))
    before = last_seq(workshop)
    error = assert_error(_patch(staff, workshop, {"profile_questions": [], "title": "Later"}), 409, "conflict")
    assert "profile_questions" in error["fields"]
    workshop.refresh_from_db()
    assert (workshop.profile_questions, workshop.title, last_seq(workshop)) == (questions, "Station square", before)


def test_a_shorter_agenda_moves_the_current_step_to_its_last(staff, workshop):
    workshop.agenda = [{"title": "A", "minutes": 5}, {"title": "B", "minutes": 5}, {"title": "C", "minutes": 5}]
    workshop.phase = 2
    workshop.save()
    assert _patch(staff, workshop, {"agenda": [{"title": "A", "minutes": 5}]}).status_code == 200
    workshop.refresh_from_db()
    assert workshop.phase == 0


def test_only_a_facilitator_edits_a_workshop(workshop):
    assert_error(_patch(Browser(), workshop, {"title": "Mine"}), 401, "unauthenticated")
    someone = Browser()
    assert someone.post(f"/api/workshops/{workshop.code}/join", {"name": "An"}).status_code == 201
    assert_error(_patch(someone, workshop, {"title": "Mine"}), 403, "forbidden")
    moderator = Browser()
    staff_user("mod2", password=PASSWORD)
    services.staff_add(actor=Participant.objects.get(workshop=workshop, role="facilitator"), username="mod2",
                       role="moderator")
    assert moderator.login("mod2").status_code == 200
    assert_error(_patch(moderator, workshop, {"title": "Mine"}), 403, "forbidden")
    workshop.refresh_from_db()
    assert workshop.title == "Station square"


# codes in any case

def test_a_code_typed_in_capitals_finds_the_workshop_everywhere(workshop):
    upper = workshop.code.upper()
    assert Browser().get(f"/api/workshops/{upper}").json()["code"] == workshop.code
    someone = Browser()
    assert someone.post(f"/api/workshops/{upper}/join", {"name": "An"}).status_code == 201
    assert someone.participant(workshop.code) is not None
    page = someone.get(f"/w/{upper}/")
    assert page.status_code == 200
    assert f'data-code="{workshop.code}"'.encode() in page.content
