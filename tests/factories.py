"""Builders for unit tests: accounts, workshops, participants, and the stored event stream.

Unlike tests/live.py this imports no ASGI application, so unit tests stay plain and quick.
"""
from django.contrib.auth import get_user_model

from workshops import services
from workshops.models import Event, Participant, Workshop

def staff_user(username: str = "fac", *, is_staff: bool = True, password: str | None = None):
    """An account; without a password unless one is asked for, since hashing one is slow."""
    return get_user_model().objects.create_user(username, password=password, is_staff=is_staff)


def workshop_with_facilitator(*, username: str = "fac", start: bool = True, **kwargs):
    """A workshop created by a staff account (its facilitator), started unless told otherwise."""
    kwargs.setdefault("columns", ["Green", "Play"])
    kwargs.setdefault("agenda", [{"title": "Intro", "minutes": 5}, {"title": "Ideas", "minutes": 20}])
    workshop = services.workshop_create(user=staff_user(username), title="Station square", **kwargs)
    facilitator = Participant.objects.select_related("workshop").get(workshop=workshop, role="facilitator")
    if start:
        services.workshop_start(actor=facilitator)
    workshop.refresh_from_db()
    facilitator.workshop = workshop
    return workshop, facilitator


def citizen(workshop: Workshop, name: str = "An", **fields) -> Participant:
    return Participant.objects.create(workshop=workshop, name=name, role="citizen", **fields)


def staff_member(workshop: Workshop, role: str, username: str | None = None) -> Participant:
    """A staff participant made directly (without the presence event that staff_add emits)."""
    user = staff_user(username or role)
    return Participant.objects.create(workshop=workshop, user=user, name=user.username, role=role)


def last_seq(workshop: Workshop | int) -> int:
    pk = workshop if isinstance(workshop, int) else workshop.pk
    return Workshop.objects.filter(pk=pk).values_list("last_seq", flat=True).get()


def emitted(workshop: Workshop | int, *, after: int = 0) -> list[tuple[str, dict, list]]:
    """The stored events after a seq as (type, payload, audience), checking their seqs run on without gaps."""
    pk = workshop if isinstance(workshop, int) else workshop.pk
    events = list(Event.objects.filter(workshop_id=pk, seq__gt=after).order_by("seq"))
    assert [e.seq for e in events] == list(range(after + 1, after + 1 + len(events)))
    assert last_seq(pk) == after + len(events)
    return [(e.type, e.payload, e.audience) for e in events]


def plenary(workshop: Workshop):
    from deliberation.models import Board
    return Board.objects.get(workshop=workshop, room=None)


def room_with_board(workshop: Workshop, name: str = "Room 1", *, columns=()):
    """A room of the workshop's running breakout (opened if needed) and its board, made directly."""
    from deliberation.models import Board
    from workshops.models import Breakout, Room
    breakout = (Breakout.objects.filter(workshop=workshop).exclude(status="closed").first()
                or Breakout.objects.create(workshop=workshop, mode="manual"))
    room = Room.objects.create(workshop=workshop, breakout=breakout, name=name, position=breakout.rooms.count())
    return room, Board.objects.create(workshop=workshop, room=room, title=name, columns=list(columns))


def close_rooms(workshop: Workshop) -> None:
    """End the running breakout as its close does: everyone back in the plenary."""
    from workshops.models import Breakout
    Breakout.objects.filter(workshop=workshop).exclude(status="closed").update(status="closed")
    Participant.objects.filter(workshop=workshop).update(room=None)


def idea(board, author: Participant, text: str = "An idea", **fields):
    """An idea stored directly, without events or rung changes."""
    from deliberation.models import Idea
    return Idea.objects.create(board=board, author=author, text=text, **fields)
