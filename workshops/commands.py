"""Socket commands of the live session: lifecycle, phases, timers, announcements."""
from . import protocol, services
from .registry import FACILITATOR, command


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
    return {"ends_at": workshop.timer_ends_at.isoformat().replace("+00:00", "Z")}


@command("timer.stop", roles=FACILITATOR)
def timer_stop(actor, cmd):
    services.timer_stop(actor=actor)


@command("announce", roles=FACILITATOR, schema=protocol.Announce)
def announce(actor, cmd):
    services.announce(actor=actor, text=cmd.text)
