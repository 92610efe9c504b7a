"""Reads: participants, presence, the welcome frame and resume."""
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from . import stream
from .errors import DomainError
from .events import ADDITIVE
from .models import Breakout, Connection, Participant, Workshop
from .prepared import Lookup
from .snapshot import own_parts, shared_parts, shared_snapshot
from .times import iso

PROTOCOL_VERSION = 1


_WORKSHOP = Lookup(lambda code: Workshop.objects.filter(code=code))


def workshop_get(code: str) -> Workshop:
    """The workshop with this code, however it was typed: codes are made in lower case (models.new_code)."""
    try:
        return _WORKSHOP.get(code.lower())
    except Workshop.DoesNotExist:
        raise DomainError("not_found", "No workshop with that code.") from None


def online_among(participant_ids) -> list[int]:
    """Those of these participants with a socket open on a live server process now, by id."""
    from .services import STALE_AFTER_S  # services imports this module

    live = timezone.now() - timedelta(seconds=STALE_AFTER_S)
    return sorted(set(Connection.objects.filter(participant_id__in=participant_ids, server__heartbeat_at__gte=live)
                      .values_list("participant_id", flat=True)))


def memberships(user) -> list[Participant]:
    """The account's participants, each with its workshop, newest workshop first."""
    return list(Participant.objects.filter(user=user).select_related("workshop").order_by("-workshop__created_at"))


def workshops_with_role(user, roles) -> list[Workshop]:
    """The workshops in which the account holds one of these roles (and was not removed), newest first."""
    ids = Participant.objects.filter(user=user, role__in=roles, removed=False).values_list("workshop_id", flat=True)
    return list(Workshop.objects.filter(pk__in=ids).order_by("-created_at"))


def staff_participant(*, workshop: Workshop, user) -> Participant | None:
    """The participant a logged-in staff account is in a workshop, if any: it comes before any session's."""
    if user is None or not user.is_authenticated:
        return None
    return Participant.objects.filter(workshop=workshop, user=user).first()


def participant_payload(p: Participant, *, online: bool) -> dict:
    return _participant(p.pk, p.name, p.role, online, p.room_id)


def _participant(pk: int, name: str, role: str, online: bool, room: int | None) -> dict:
    return {"id": pk, "name": name, "role": role, "online": online, "room": room}


def participants_with_presence(workshop_id: int) -> list[dict]:
    """The payloads of a workshop's participants (not removed, nor erased), `online` as their sockets are now.

    Read as values, not models: a workshop of thousands reads this for every welcome that is not
    kept, and building a model (its profile decoded) per row was most of that cost.
    """
    return [_participant(*row) for row in _WITH_PRESENCE.all(workshop_id)]


_WITH_PRESENCE = Lookup(lambda workshop_id: (
    Participant.objects.filter(workshop_id=workshop_id, removed=False, admitted=True, erased_at__isnull=True)
    .annotate(online=Exists(Connection.objects.filter(participant=OuterRef("pk"))))
    .order_by("pk").values_list("pk", "name", "role", "online", "room_id")))


def staff_list(workshop: Workshop) -> list[dict]:
    """A workshop's staff accounts and their roles, in the order they were added."""
    staff = (Participant.objects.filter(workshop=workshop, user__isnull=False, removed=False)
             .exclude(role=Participant.Role.CITIZEN).select_related("user").order_by("pk"))
    return [{"username": p.user.get_username(), "name": p.name, "role": p.role} for p in staff]


def me_payload(p: Participant) -> dict:
    muted = p.muted_until if p.muted_until and p.muted_until > timezone.now() else None
    return {"id": p.pk, "name": p.name, "role": p.role, "rung": p.rung, "room": p.room_id,
            "muted_until": iso(muted), "admitted": p.admitted}


def _running(workshop_id):
    return Breakout.objects.filter(workshop_id=workshop_id).exclude(status=Breakout.Status.CLOSED).order_by("pk")[:1]


_RUNNING = Lookup(_running)
_RUNNING_LOCKED = Lookup(lambda workshop_id: _running(workshop_id).select_for_update())


def running_breakout(workshop_id: int, *, lock: bool = False) -> Breakout | None:
    """The workshop's breakout that is open or closing, if any."""
    return (_RUNNING_LOCKED if lock else _RUNNING).first(workshop_id)


# The participant with their workshop, `.get(pk)`: every command's actor, every welcome's reader.
participant_with_workshop = Lookup(lambda pk: Participant.objects.select_related("workshop").filter(pk=pk))


def breakout_payload(b: Breakout | None) -> dict | None:
    if b is None:
        return None
    return {"id": b.pk, "status": b.status, "mode": b.mode, "ends_at": iso(b.ends_at),
            "closes_at": iso(b.closes_at), "capacity": b.capacity}


def workshop_payload(w: Workshop) -> dict:
    timer = {"label": w.timer_label, "ends_at": iso(w.timer_ends_at)} if w.timer_ends_at else None
    return {"code": w.code, "title": w.title, "description": w.description, "status": w.status,
            "language": w.language, "moderation": w.moderation, "agenda": w.agenda, "phase": w.phase,
            "timer": timer, "breakout": breakout_payload(running_breakout(w.pk)), "waiting_room": w.waiting_room}


def online_count(workshop_id: int) -> int:
    return Participant.objects.filter(workshop_id=workshop_id, removed=False, admitted=True,
                                      connections__isnull=False).distinct().count()


def welcome(*, participant_id: int, since: int | None) -> tuple[dict, list[dict]]:
    """The welcome frame and the events to replay after it (resume), as of now."""
    for attempt in range(1, WELCOME_ATTEMPTS + 1):
        made = _welcome(participant_id, since, last=attempt == WELCOME_ATTEMPTS)
        if made is not None:
            break
    return made


# A kept snapshot newer than the reader's seq sends them back to read their seq again, which has
# grown past it; past this many times (the stream running ahead of them) they read it themselves.
WELCOME_ATTEMPTS = 3


def _welcome(participant_id: int, since: int | None, *, last: bool) -> tuple[dict, list[dict]] | None:
    # Read the seq no later than the state: the participant (role included) and the workshop come with
    # it in one statement, so at the same instant; the rest is read after it and may be newer, never
    # older: the events in between are delivered after welcome (clients apply them idempotently).
    participant = participant_with_workshop.get(participant_id)
    workshop = participant.workshop
    seq = workshop.last_seq
    if not participant.admitted:  # the waiting room: where they wait, and nothing of the workshop
        return {"type": "welcome", "protocol": PROTOCOL_VERSION, "seq": seq, "resumed": False,
                "me": me_payload(participant),
                "workshop": {"code": workshop.code, "title": workshop.title, "language": workshop.language}}, []
    # A since from before joining (or admission) would replay what a newcomer never had: a snapshot.
    # So does one too far behind: its replay, read for it alone, would cost more than the kept snapshot.
    if (since is not None and since >= participant.joined_seq and seq - since <= settings.INSPRAAK["MAX_REPLAY"]
            and stream.can_resume(workshop.pk, since, seq)):
        replay = stream.events_after(workshop.pk, since, until=seq, reader=participant)
        frame = {"type": "welcome", "protocol": PROTOCOL_VERSION, "seq": seq, "resumed": True,
                 "me": me_payload(participant)}
        return frame, replay
    # The parts every reader of this kind shares come kept from a recent seq (or are read now); the
    # events after it follow the welcome as a replay, for this reader as they are now.
    def read(only=None) -> dict:
        return {"workshop": workshop_payload(workshop), **shared_parts(participant, only)}

    kept = shared_snapshot.get(participant, seq, read,
                               changed=lambda since: stream.parts_changed(workshop.pk, since, seq))
    if kept is None:  # kept at a later seq than ours
        if not last:
            return None
        kept = shared_snapshot.renew(participant, seq, read)
    base, shared = kept
    stored = shared_snapshot.tail(participant, base, seq, partial(stream.stored_between, workshop.pk)) \
        if base < seq else []
    replay = stream.replay_for(participant, stored)
    if not all(item["type"] in ADDITIVE for item in replay):  # it took something back: read anew
        (base, shared), replay = shared_snapshot.renew(participant, seq, read), []
    frame = {"type": "welcome", "protocol": PROTOCOL_VERSION, "seq": base, "resumed": False,
             "me": me_payload(participant), "workshop": shared["workshop"], **own_parts(participant, shared)}
    return frame, replay
