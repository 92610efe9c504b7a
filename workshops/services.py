"""Writes for the live session. Each service owns its transaction and emits its events."""
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from . import breakouts, contact, names, permissions, presence, stream
from . import events as ev
from .errors import DomainError
from .extensions import content_hooks
from .models import Connection, Deadline, Participant, ServerProcess, Workshop
from .prepared import Lookup
from .selectors import participant_payload, staff_participant, workshop_payload
from .times import iso

R = Participant.Role
S = Workshop.Status
TIMER_EXPIRE = "timer.expire"
STALE_AFTER_S = 30  # a server process whose heartbeat is older is taken for dead


def _display_name(user) -> str:
    return names.name_clean(user.get_full_name())[:names.NAME_MAX] or user.get_username()[:names.NAME_MAX]


@transaction.atomic
def workshop_create(*, user, title: str, description: str = "", language: str = "nl",
                    agenda: list | None = None, columns: list | None = None, moderation: str = "post",
                    flag_threshold: int = 3, profile_questions: list | None = None,
                    reference: dict | None = None, waiting_room: bool = False) -> Workshop:
    """Create a draft workshop with its plenary board; the creator becomes its facilitator."""
    _valid_reference(profile_questions or [], reference or {})
    workshop = Workshop.objects.create(
        title=title, description=description, language=language, agenda=agenda or [],
        moderation=moderation, flag_threshold=flag_threshold, profile_questions=profile_questions or [],
        reference=reference or {}, waiting_room=waiting_room, created_by=user)
    Participant.objects.create(workshop=workshop, user=user, name=_display_name(user), role=R.FACILITATOR)
    content_hooks().workshop_created(workshop=workshop, columns=columns or [])
    return workshop


def _valid_reference(questions: list, reference: dict) -> None:
    """A reference distribution names known questions and options, with shares adding up to at most 1."""
    options = {q["key"]: set(q.get("options", [])) for q in questions}
    errors = {}
    for key, shares in reference.items():
        if key not in options:
            errors[f"reference.{key}"] = "Unknown profile question."
        elif set(shares) - options[key]:
            errors[f"reference.{key}"] = "Unknown option."
        elif sum(shares.values()) > 1.0001:
            errors[f"reference.{key}"] = "Shares add up to more than 1."
    if errors:
        raise DomainError("invalid", fields=errors)


EDITABLE = ("title", "description", "agenda", "moderation", "flag_threshold", "waiting_room", "profile_questions")


@transaction.atomic
def workshop_update(*, actor: Participant, changes: dict) -> Workshop:
    """Change a workshop's settings; everyone gets the workshop as it is now, and boards their new columns.

    `changes` holds the fields to set (workshops.protocol.WorkshopUpdate, as dumped). Profile
    questions change only before the start: answers given to the old ones would mean nothing.
    """
    permissions.require_act(actor)
    if actor.role != R.FACILITATOR:
        raise DomainError("forbidden", "Only a facilitator of this workshop can change it.")
    workshop = Workshop.objects.select_for_update().get(pk=actor.workshop_id)
    if "profile_questions" in changes and workshop.status != S.DRAFT:
        raise DomainError("conflict", "Profile questions can only be changed before the workshop starts.",
                          fields={"profile_questions": "Only before the start."})
    fields = [name for name in EDITABLE if name in changes]
    for name in fields:
        setattr(workshop, name, changes[name])
    if "profile_questions" in changes:  # shares of questions or options that are gone go with them
        workshop.reference = _reference_kept(workshop.profile_questions, workshop.reference)
        fields.append("reference")
    if "agenda" in changes and workshop.phase >= max(len(workshop.agenda), 1):
        workshop.phase = max(len(workshop.agenda) - 1, 0)
        fields.append("phase")
    workshop.save(update_fields=fields)
    if fields or "columns" in changes:
        stream.emit(workshop, ev.WorkshopUpdated(workshop=workshop_payload(workshop)))
    if "columns" in changes:
        content_hooks().columns_set(workshop=workshop, columns=changes["columns"])
    return workshop


def _reference_kept(questions: list, reference: dict) -> dict:
    options = {q["key"]: set(q["options"]) for q in questions}
    kept = {key: {o: share for o, share in shares.items() if o in options[key]}
            for key, shares in reference.items() if key in options}
    return {key: shares for key, shares in kept.items() if shares}


@transaction.atomic
def reference_set(*, actor: Participant, reference: dict) -> Workshop:
    """The population the room should reflect (e.g. census shares), for the report."""
    permissions.require_act(actor)
    if actor.role != R.FACILITATOR:
        raise DomainError("forbidden")
    workshop = Workshop.objects.select_for_update().get(pk=actor.workshop_id)
    _valid_reference(workshop.profile_questions, reference)
    workshop.reference = reference
    workshop.save(update_fields=["reference"])
    return workshop


STAFF_ROLES = (R.FACILITATOR, R.MODERATOR, R.OFFICIAL)


def _staff_guard(actor: Participant) -> Workshop:
    """Lock the workshop (staff changes one at a time) and check that the actor is still its facilitator."""
    workshop = Workshop.objects.select_for_update().get(pk=actor.workshop_id)
    # Read the role again under the lock: two facilitators demoting each other must not leave none.
    if not Participant.objects.filter(pk=actor.pk, role=R.FACILITATOR, removed=False).exists():
        raise DomainError("forbidden", "Only a facilitator of this workshop can change its staff.")
    return workshop


def _keep_a_facilitator(workshop: Workshop, participant: Participant, role: str) -> None:
    if participant.role == R.FACILITATOR and role != R.FACILITATOR and not Participant.objects.filter(
            workshop=workshop, role=R.FACILITATOR, removed=False).exclude(pk=participant.pk).exists():
        raise DomainError("conflict", "A workshop needs at least one facilitator: add another one first.")


def _role_changed(workshop: Workshop, participant: Participant) -> None:
    """Tell everyone the new role; the participant's own sockets close with 4401 (stream CONTROL)."""
    stream.emit_many(workshop, [
        (ev.RoleChanged(participant=participant.pk, role=participant.role), stream.to_participant(participant.pk)),
        (ev.PresenceChanged(participant=participant_payload(participant, online=bool(participant.presence_online))),
         stream.EVERYONE)])


@transaction.atomic
def staff_add(*, actor: Participant, username: str, role: str) -> Participant:
    """Give a staff account a role in the actor's workshop (creating its participant), or change it."""
    if actor.role != R.FACILITATOR:
        raise DomainError("forbidden")
    if role not in STAFF_ROLES:
        raise DomainError("invalid", fields={"role": "Must be facilitator, moderator or official."})
    workshop = _staff_guard(actor)
    user = get_user_model().objects.filter(username=username, is_active=True, is_staff=True).first()
    if user is None:
        raise DomainError("not_found", "No such user.", fields={"username": "No such user."})
    participant = Participant.objects.filter(workshop=workshop, user=user).first()
    if participant is None:
        participant = Participant.objects.create(workshop=workshop, user=user, name=_display_name(user), role=role)
        stream.emit(workshop, ev.PresenceChanged(participant=participant_payload(participant, online=False)))
        return participant
    _keep_a_facilitator(workshop, participant, role)
    changed = participant.role != role
    participant.role, participant.name, participant.removed, participant.room = role, _display_name(user), False, None
    participant.save(update_fields=["role", "name", "removed", "room"])
    if changed:
        _role_changed(workshop, participant)
    else:
        stream.emit(workshop, ev.PresenceChanged(
            participant=participant_payload(participant, online=bool(participant.presence_online))))
    return participant


@transaction.atomic
def staff_remove(*, actor: Participant, username: str) -> Participant:
    """Take a staff role away: the account stays in the workshop as a citizen (its contributions stay too)."""
    workshop = _staff_guard(actor)
    participant = Participant.objects.filter(workshop=workshop, user__username=username, removed=False,
                                             role__in=STAFF_ROLES).first()
    if participant is None:
        raise DomainError("not_found", "No staff member of this workshop has that username.",
                          fields={"username": "Not on the staff of this workshop."})
    _keep_a_facilitator(workshop, participant, R.CITIZEN)
    participant.role = R.CITIZEN
    participant.save(update_fields=["role"])
    _role_changed(workshop, participant)
    return participant


# What every join reads: the workshop's state now, and the names its staff go by.
_JOIN_STATE = Lookup(lambda pk: Workshop.objects.filter(pk=pk).values_list("status", "last_seq", "waiting_room"))
_STAFF_NAMES = Lookup(lambda workshop_id: Participant.objects.filter(workshop_id=workshop_id).exclude(role=R.CITIZEN)
                      .values_list("name", "user__username"))


@transaction.atomic
def participant_join(*, workshop: Workshop, name: str, profile: dict | None = None,
                     existing_id: int | None = None, user=None, device: str = "") -> Participant:
    """Join a workshop with a name; the same browser session or staff account gets the same participant.

    A new participant's browser (`device`) that was removed from the workshop stays out,
    and one that is muted there is muted again.
    """
    staff = staff_participant(workshop=workshop, user=user)
    if staff is not None:
        return staff
    if existing_id is not None:
        existing = Participant.objects.filter(pk=existing_id, workshop=workshop).first()
        if existing is not None:
            if existing.removed:
                raise DomainError("forbidden", "You were removed from this workshop.")
            return existing
    # Read, not locked: a lock on the workshop's row made every join wait for every other and for
    # every event (the seq lock is that row too), so a join storm went one at a time. A join that
    # races the workshop's end finds an ended workshop in its welcome; `joined_seq` may be a few
    # events early, which only lets a resume replay events from the moments of joining.
    status, last_seq, waiting_room = _JOIN_STATE.get(workshop.pk)
    if status == S.ENDED:
        raise DomainError("ended")
    answers = _valid_profile(workshop, profile or {})
    participant = Participant.objects.create(workshop=workshop, name=_citizen_name(workshop, name), role=R.CITIZEN,
                                             profile=answers, joined_seq=last_seq, device=device,
                                             muted_until=_device_muted_until(workshop, device),
                                             admitted=not waiting_room)
    if waiting_room:  # a room is found once a host lets them in (admission.participant_admit)
        stream.emit(workshop, ev.ParticipantWaiting(participant={"id": participant.pk, "name": participant.name}),
                    audience=stream.MODERATORS)
    else:
        breakouts.place_late_joiner(participant)
    return participant


def _citizen_name(workshop: Workshop, name: str) -> str:
    """The name cleaned, and not one that a staff member of the workshop goes by."""
    try:
        name = names.name_checked(name)
    except ValueError as exc:
        raise DomainError("invalid", fields={"name": str(exc)}) from None
    staff = _STAFF_NAMES.all(workshop.pk)
    if names.name_key(name) in {names.name_key(n) for pair in staff for n in pair if n}:
        raise DomainError("invalid", fields={"name": "A member of staff goes by this name; choose another."})
    return name


def _device_muted_until(workshop: Workshop, device: str):
    """Refuse a device removed from the workshop; return the end of a mute that it is still under."""
    if not device:
        return None
    earlier = _DEVICE_PARTICIPANTS.all(workshop.pk, device)  # a few rows at most: one per join from it
    if any(removed for removed, _ in earlier):
        raise DomainError("forbidden", "This browser was removed from this workshop.")
    until = max((muted for _, muted in earlier if muted is not None), default=None)
    return until if until and until > timezone.now() else None


_DEVICE_PARTICIPANTS = Lookup(lambda workshop_id, device: Participant.objects.filter(
    workshop_id=workshop_id, device=device).values_list("removed", "muted_until"), nargs=2)


def _valid_profile(workshop: Workshop, profile: dict) -> dict:
    questions = {q["key"]: q for q in workshop.profile_questions}
    errors = {}
    for key, value in profile.items():
        question = questions.get(key)
        if question is None:
            errors[key] = "Unknown question."
        elif value not in question.get("options", []):
            errors[key] = "Not one of the options."
    if errors:
        raise DomainError("invalid", fields={f"profile.{k}": v for k, v in errors.items()})
    return dict(profile)


@transaction.atomic
def workshop_start(*, actor: Participant) -> Workshop:
    workshop = Workshop.objects.select_for_update().get(pk=actor.workshop_id)
    if workshop.status != S.DRAFT:
        raise DomainError("conflict", "The workshop has already started.")
    workshop.status, workshop.started_at = S.LIVE, timezone.now()
    workshop.save(update_fields=["status", "started_at"])
    stream.emit(workshop, ev.WorkshopStarted(status=workshop.status, started_at=iso(workshop.started_at)))
    return workshop


@transaction.atomic
def workshop_end(*, actor: Participant) -> Workshop:
    workshop = Workshop.objects.select_for_update().get(pk=actor.workshop_id)
    if workshop.status == S.ENDED:
        raise DomainError("ended")
    workshop.status, workshop.ended_at = S.ENDED, timezone.now()
    workshop.timer_ends_at, workshop.timer_label = None, ""
    workshop.save(update_fields=["status", "ended_at", "timer_ends_at", "timer_label"])
    # News by mail still goes out (and presence is still told: the last state always arrives).
    Deadline.objects.filter(workshop=workshop, done=False).exclude(kind=contact.NOTIFY).update(done=True)
    content_hooks().workshop_ending(workshop=workshop)
    stream.emit(workshop, ev.WorkshopEnded(status=workshop.status, ended_at=iso(workshop.ended_at)))
    return workshop


def _live_workshop(actor: Participant) -> Workshop:
    workshop = Workshop.objects.select_for_update().get(pk=actor.workshop_id)
    if workshop.status == S.ENDED:
        raise DomainError("ended")
    return workshop


@transaction.atomic
def phase_set(*, actor: Participant, index: int) -> Workshop:
    workshop = _live_workshop(actor)
    if not 0 <= index < max(len(workshop.agenda), 1):
        raise DomainError("invalid", fields={"index": f"Must be between 0 and {max(len(workshop.agenda) - 1, 0)}."})
    workshop.phase = index
    workshop.save(update_fields=["phase"])
    stream.emit(workshop, ev.PhaseChanged(phase=index))
    return workshop


@transaction.atomic
def timer_start(*, actor: Participant, seconds: int, label: str = "") -> Workshop:
    """Start (or replace) the workshop's timer; the server says when it expires."""
    workshop = _live_workshop(actor)
    ends_at = timezone.now() + timedelta(seconds=seconds)
    workshop.timer_label, workshop.timer_ends_at = label, ends_at
    workshop.save(update_fields=["timer_label", "timer_ends_at"])
    Deadline.objects.filter(workshop=workshop, kind=TIMER_EXPIRE, done=False).update(done=True)
    Deadline.objects.create(workshop=workshop, kind=TIMER_EXPIRE, due_at=ends_at)
    stream.emit(workshop, ev.TimerStarted(label=label, ends_at=iso(ends_at)))
    return workshop


@transaction.atomic
def timer_stop(*, actor: Participant) -> Workshop:
    workshop = _live_workshop(actor)
    if workshop.timer_ends_at is None:
        raise DomainError("conflict", "No timer is running.")
    workshop.timer_label, workshop.timer_ends_at = "", None
    workshop.save(update_fields=["timer_label", "timer_ends_at"])
    Deadline.objects.filter(workshop=workshop, kind=TIMER_EXPIRE, done=False).update(done=True)
    stream.emit(workshop, ev.TimerStopped())
    return workshop


@transaction.atomic
def timer_expire(*, deadline: Deadline) -> None:
    """Fired by the ticker when a timer's deadline has passed, whoever is connected."""
    workshop = Workshop.objects.select_for_update().get(pk=deadline.workshop_id)
    if workshop.timer_ends_at is None or workshop.timer_ends_at != deadline.due_at:
        return  # stopped or replaced meanwhile
    label = workshop.timer_label
    workshop.timer_label, workshop.timer_ends_at = "", None
    workshop.save(update_fields=["timer_label", "timer_ends_at"])
    stream.emit(workshop, ev.TimerExpired(label=label, ends_at=iso(deadline.due_at)))


@transaction.atomic
def announce(*, actor: Participant, text: str) -> None:
    """A message from the facilitator to everyone, in every room."""
    stream.emit(actor.workshop_id, ev.Announcement(text=text, from_={"id": actor.pk, "name": actor.name}))


_LOCKED_PARTICIPANT = Lookup(lambda pk: Participant.objects.select_for_update().filter(pk=pk))
# The last heartbeat of the process that holds each of a participant's sockets (a few rows).
_SOCKET_BEATS = Lookup(lambda pk: Connection.objects.filter(participant_id=pk)
                       .values_list("server__heartbeat_at", flat=True))


@transaction.atomic
def connection_open(*, participant: Participant, server: ServerProcess, channel_name: str,
                    max_sockets: int) -> Connection:
    """Record an open socket; the participant's first one makes them online for everyone (at the next
    presence flush)."""
    locked = _LOCKED_PARTICIPANT.get(participant.pk)
    # The cap counts the sockets on every live process; rows left by a crashed one
    # (heartbeat stale, swept soon) must not lock a person out meanwhile.
    live = timezone.now() - timedelta(seconds=STALE_AFTER_S)
    if sum(beat >= live for beat in _SOCKET_BEATS.all(participant.pk)) >= max_sockets:
        raise DomainError("too_many_sockets", f"At most {max_sockets} open connections per participant.")
    connection = Connection.objects.create(participant=participant, server=server, channel_name=channel_name)
    if locked.admitted:  # nobody but staff learns of someone in the waiting room
        presence.presence_mark(locked)
    return connection


@transaction.atomic
def connection_close(*, connection_id: int) -> None:
    """Forget a closed socket; the participant's last one makes them offline for everyone (at the next
    presence flush)."""
    participant_id = Connection.objects.filter(pk=connection_id).values_list("participant_id", flat=True).first()
    if participant_id is None:
        return
    participant = Participant.objects.select_for_update().get(pk=participant_id)
    if Connection.objects.filter(pk=connection_id).delete()[0] and participant.admitted:
        presence.presence_mark(participant)  # nobody but staff learns of someone in the waiting room


def server_heartbeat(*, name: str) -> ServerProcess:
    server, _ = ServerProcess.objects.update_or_create(name=name, defaults={"heartbeat_at": timezone.now()})
    return server


def connections_sweep(*, stale_after_s: int = STALE_AFTER_S) -> int:
    """Close the connections of server processes that stopped beating (crashed or killed)."""
    cutoff = timezone.now() - timedelta(seconds=stale_after_s)
    ids = list(Connection.objects.filter(server__heartbeat_at__lt=cutoff).values_list("pk", flat=True))
    for connection_id in ids:
        with stream.publishing():
            connection_close(connection_id=connection_id)
    ServerProcess.objects.filter(heartbeat_at__lt=cutoff - timedelta(days=1), connections__isnull=True).delete()
    return len(ids)
