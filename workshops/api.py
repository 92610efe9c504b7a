"""The HTTP JSON API of the live session: csrf, session, workshops, staff, join, the return link."""
import io

import segno
from django.contrib import auth
from django.contrib.auth.signals import user_login_failed
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie

from . import clients, contact, limits, logins, permissions, protocol, return_links, selectors, services, sessions
from .errors import DomainError
from .http import error_response, json_view, once, parse_body
from .models import Participant


def csrf_failure(request, reason=""):
    """Django's CSRF refusal, as a JSON error like every other."""
    return error_response(DomainError("forbidden", f"CSRF check failed: {reason}"))


def server_error(request):
    """Django's answer to a request that failed in the server (handler500): a JSON error under /api/, as a
    socket answers `internal`, and Django's own page elsewhere. The failure is logged by Django. Unlike a
    command, a request may have stored part of its work before it failed (a join, then its session)."""
    if request.path.startswith("/api/"):
        return error_response(DomainError("internal", "The server could not handle that request; try again."))
    return defaults.server_error(request)


@json_view("GET")
@ensure_csrf_cookie
def csrf(request):
    return JsonResponse({"csrf": get_token(request)})


def _user_payload(user) -> dict | None:
    if not user.is_authenticated:
        return None
    return {"username": user.get_username(), "is_staff": user.is_staff}


@json_view("GET")
def session(request):
    return JsonResponse({"user": _user_payload(request.user)})


@json_view("POST")
def login(request):
    """Log a staff account in; every failure looks the same, and too many lock the door for a while."""
    body = parse_body(request, protocol.Login)
    retry_after = logins.login_retry_after(request, body.username)
    if retry_after:
        raise DomainError("rate_limited", "Too many failed logins; try again later.", retry_after=retry_after)
    user = auth.authenticate(request, username=body.username, password=body.password)
    if user is not None and not user.is_staff:
        # The right password of an account that may not log in here: a failure like any
        # other, counted by the throttle, so the answer does not confirm the password.
        user_login_failed.send(sender=__name__, credentials={"username": body.username}, request=request)
        user = None
    if user is None:
        raise DomainError("unauthenticated", "Wrong username or password.")
    auth.login(request, user)
    return JsonResponse({"user": {"username": user.get_username()}})


@json_view("POST")
def logout(request):
    auth.logout(request)
    return JsonResponse({})


def _require_staff(request):
    if not request.user.is_authenticated:
        raise DomainError("unauthenticated", "Log in first.")
    if not request.user.is_staff:
        raise DomainError("forbidden", "Only staff accounts can do this.")


def _join_url(request, code: str) -> str:
    return request.build_absolute_uri(f"/w/{code}/")


@json_view("GET", "POST")
def workshops(request):
    _require_staff(request)
    if request.method == "GET":
        return JsonResponse({"workshops": [
            {"code": p.workshop.code, "title": p.workshop.title, "status": p.workshop.status, "role": p.role,
             "join_url": _join_url(request, p.workshop.code)} for p in selectors.memberships(request.user)]})
    body = parse_body(request, protocol.WorkshopCreate)

    def create():
        workshop = services.workshop_create(
            user=request.user, title=body.title, description=body.description, language=body.language,
            agenda=[a.model_dump() for a in body.agenda], columns=body.columns, moderation=body.moderation,
            flag_threshold=body.flag_threshold, profile_questions=[q.model_dump() for q in body.profile_questions],
            reference=body.reference, waiting_room=body.waiting_room)
        return JsonResponse({"code": workshop.code, "title": workshop.title,
                             "join_url": _join_url(request, workshop.code), "status": workshop.status}, status=201)
    return once(request, caller=lambda: f"u:{request.user.pk}", answer=create)


def _workshop_answer(request, workshop) -> JsonResponse:
    """A workshop as anyone may read it; its facilitators also get the settings that only they change."""
    answer = {"code": workshop.code, "title": workshop.title, "description": workshop.description,
              "status": workshop.status, "language": workshop.language,
              "participants_online": selectors.online_count(workshop.pk),
              "profile_questions": workshop.profile_questions}
    actor = sessions.participant_for(workshop=workshop, session=request.session, user=request.user)
    if actor is not None and actor.role == Participant.Role.FACILITATOR and permissions.can_act(actor):
        # The columns are the boards' (BOARD in the welcome); these are the workshop's own.
        answer.update(agenda=workshop.agenda, moderation=workshop.moderation, flag_threshold=workshop.flag_threshold,
                      waiting_room=workshop.waiting_room)
    return JsonResponse(answer)


@json_view("GET", "PATCH")
def workshop_detail(request, code):
    """The workshop (GET), or change its settings (PATCH, its facilitators)."""
    workshop = selectors.workshop_get(code)
    if request.method == "PATCH":
        actor = sessions.participant_for(workshop=workshop, session=request.session, user=request.user)
        if actor is None:
            raise DomainError("unauthenticated", "Log in first.")
        body = parse_body(request, protocol.WorkshopUpdate)
        changes = body.model_dump(exclude_unset=True)
        workshop = services.workshop_update(actor=actor, changes=changes)
    return _workshop_answer(request, workshop)


def _staff_actor(request, workshop) -> Participant:
    """Who asks to see or change a workshop's staff: refused unless it is one of its facilitators."""
    actor = sessions.participant_for(workshop=workshop, session=request.session, user=request.user)
    if actor is None and not request.user.is_authenticated:
        raise DomainError("unauthenticated", "Log in first.")
    if actor is None or actor.role != Participant.Role.FACILITATOR or not permissions.can_act(actor):
        raise DomainError("forbidden", "Only a facilitator of this workshop can see or change its staff.")
    return actor


@json_view("GET", "POST")
def staff(request, code):
    """The staff list (GET), or give an account a staff role, or change it (POST)."""
    workshop = selectors.workshop_get(code)
    if request.method == "GET":
        _staff_actor(request, workshop)
        return JsonResponse(selectors.staff_list(workshop), safe=False)
    actor = _staff_actor(request, workshop)
    body = parse_body(request, protocol.StaffAdd)

    def add():
        participant = services.staff_add(actor=actor, username=body.username, role=body.role)
        return JsonResponse({"username": body.username, "role": participant.role}, status=201)
    return once(request, caller=lambda: f"p:{actor.pk}", answer=add)


@json_view("DELETE")
def staff_member(request, code, username):
    """Take a staff role away (204); that person's sockets close with 4401."""
    workshop = selectors.workshop_get(code)
    services.staff_remove(actor=_staff_actor(request, workshop), username=username)
    return HttpResponse(status=204)


@json_view("POST")
def join(request, code):
    workshop = selectors.workshop_get(code)
    body = parse_body(request, protocol.Join)
    return once(request, caller=lambda: f"s:{sessions.session_key(request.session)}:{workshop.code}",
                answer=lambda: _join(request, workshop, body))


def _join(request, workshop, body) -> JsonResponse:
    existing = sessions.participant_for(workshop=workshop, session=request.session, user=request.user)
    # Only a new participant counts towards the address's join limit, and only once made.
    address = clients.client_address(request) if existing is None else None
    if address is not None and (wait := limits.joins().hit(address)):
        raise DomainError("rate_limited", "Too many people joined from this address; wait a while.", retry_after=wait)
    device = clients.device_of(request)
    try:
        participant = services.participant_join(workshop=workshop, name=body.name, profile=body.profile,
                                                existing_id=existing.pk if existing else None, user=request.user,
                                                device=device)
    except DomainError:
        if address is not None:
            limits.joins().undo(address)
        raise
    sessions.remember(request.session, workshop, participant)
    response = JsonResponse({"participant": {"id": participant.pk, "name": participant.name, "role": participant.role,
                                             "admitted": participant.admitted}}, status=201)
    clients.remember_device(response, device)
    return response


@json_view("PUT")
def reference(request, code):
    """Set the reference distribution (e.g. census shares) that the report compares the room with."""
    workshop = selectors.workshop_get(code)
    body = parse_body(request, protocol.Reference)
    actor = sessions.participant_for(workshop=workshop, session=request.session, user=request.user)
    if actor is None:
        raise DomainError("unauthenticated", "Log in first.")
    workshop = services.reference_set(actor=actor, reference=body.reference)
    return JsonResponse({"reference": workshop.reference})


def me(request, workshop) -> Participant:
    """The participant this browser is in the workshop, or `unauthenticated`."""
    participant = sessions.participant_for(workshop=workshop, session=request.session, user=request.user)
    if participant is None:
        raise DomainError("unauthenticated", "Join the workshop first.")
    return participant


def _private(response):
    """An answer that holds a bearer credential: kept by no cache, shared or not."""
    response["Cache-Control"] = "no-store"
    return response


@json_view("GET", "POST")
def return_link(request, code):
    """The participant's return link (GET, made if there is none), or a new one that voids the old (POST)."""
    participant = me(request, selectors.workshop_get(code))
    if request.method == "POST":
        path = return_links.return_link_renew(participant=participant)
    else:
        path = return_links.return_link_path(participant=participant)
    return _private(JsonResponse({"url": request.build_absolute_uri(path)}))


@json_view("GET")
def return_link_qr(request, code):
    """The current return link as a QR code, an SVG image (the pages' CSP allows images from 'self' only)."""
    participant = me(request, selectors.workshop_get(code))
    url = request.build_absolute_uri(return_links.return_link_path(participant=participant))
    out = io.BytesIO()
    # Error correction M survives a smudged screen or print; the quiet zone of 4 modules is the standard's.
    segno.make(url, error="m").save(out, kind="svg", scale=6, border=4, xmldecl=False, dark="#000", light="#fff")
    return _private(HttpResponse(out.getvalue(), content_type="image/svg+xml"))


def _participant(request, workshop) -> Participant:
    """The participant this browser is, who may act (not removed)."""
    actor = me(request, workshop)
    permissions.require_act(actor)
    return actor


@json_view("POST", "DELETE")
def my_contact(request, code):
    """Give an address for news of one's ideas (202, a confirmation mail follows), or take it back (204)."""
    workshop = selectors.workshop_get(code)
    actor = _participant(request, workshop)
    if request.method == "DELETE":
        contact.contact_remove(actor=actor)
        return HttpResponse(status=204)
    body = parse_body(request, protocol.ContactSet)
    if wait := limits.confirmations().hit(actor.pk):
        raise DomainError("rate_limited", "Too many confirmation mails; wait a while.", retry_after=wait)
    try:
        contact.contact_set(actor=actor, email=body.email)
    except DomainError:
        limits.confirmations().undo(actor.pk)
        raise
    return JsonResponse({}, status=202)


@json_view("POST")
def contact_confirm(request):
    """Confirm an address with the token of its mail: once, within 7 days; 410 `gone` otherwise."""
    body = parse_body(request, protocol.ContactConfirm)
    confirmed = contact.contact_confirm(token=body.token)
    return JsonResponse({"workshop": confirmed.participant.workshop.code})


@csrf_exempt
def unsubscribe(request, code, token):
    """RFC 8058 one-click unsubscribe: a POST from the mail program, with no cookie and no CSRF token.

    The answer is 200 whether or not the token was good: it tells a stranger nothing.
    """
    if request.method != "POST":
        response = error_response(DomainError("method_not_allowed"))
        response["Allow"] = "POST"
        return response
    if request.POST.get("List-Unsubscribe") != "One-Click":
        return error_response(DomainError("invalid", fields={"List-Unsubscribe": "Must be One-Click (RFC 8058)."}))
    contact.contact_unsubscribe(code=code, token=token)
    return JsonResponse({})


@json_view("GET")
def mail_report(request, code):
    """Facilitators: mail pending, sent and failed, with each permanent failure (who, why; not the address)."""
    workshop = selectors.workshop_get(code)
    actor = _participant(request, workshop)
    if actor.role != Participant.Role.FACILITATOR:
        raise DomainError("forbidden", "Only facilitators see how the mail fares.")
    return JsonResponse(contact.mail_report(workshop.pk))
