"""Socket commands of the live session: lifecycle, phases, timers, announcements."""
from . import breakouts, protocol, services
from .registry import ANYONE, FACILITATOR, command
from .times import iso


@command("workshop.start", roles=FACILITATOR)
def workshop_start(actor, cmd):
    services.workshop_start(actor=actor)


@command("workshop.end", roles=FACILITATOR)
def workshop_end(actor, cmd):
    services.workshop_end(actor=actor)


@command("phase.set", roles=FACILITATOR, schema=protocol.PhaseSet)
def phase_set(actor, cmd):
    services.phase_set(actor=actor, index=cmd.index)


@command("timer.start", roles=FACILITATOR, schema=protocol.TimerStart)
def timer_start(actor, cmd):
    workshop = services.timer_start(actor=actor, seconds=cmd.seconds, label=cmd.label)
    return {"ends_at": iso(workshop.timer_ends_at)}


@command("timer.stop", roles=FACILITATOR)
def timer_stop(actor, cmd):
    services.timer_stop(actor=actor)


@command("announce", roles=FACILITATOR, schema=protocol.Announce)
def announce(actor, cmd):
    services.announce(actor=actor, text=cmd.text)


@command("breakout.open", roles=FACILITATOR, schema=protocol.BreakoutOpen)
def breakout_open(actor, cmd):
    breakout = breakouts.breakout_open(actor=actor, mode=cmd.mode, rooms=cmd.rooms, names=cmd.names,
                                       duration_s=cmd.duration_s, assignments=cmd.assignments,
                                       capacity=cmd.capacity)
    return {"breakout": breakout.pk}


@command("breakout.move", roles=FACILITATOR, schema=protocol.BreakoutMove)
def breakout_move(actor, cmd):
    breakouts.breakout_move(actor=actor, participant_id=cmd.participant, room_id=cmd.room)


@command("breakout.close", roles=FACILITATOR, schema=protocol.BreakoutClose)
def breakout_close(actor, cmd):
    breakout = breakouts.breakout_close(actor=actor, grace_s=cmd.grace_s)
    return {"status": breakout.status}


@command("room.choose", roles=ANYONE, schema=protocol.RoomChoose)
def room_choose(actor, cmd):
    room = breakouts.room_choose(actor=actor, room_id=cmd.room)
    return {"room": room.pk}
