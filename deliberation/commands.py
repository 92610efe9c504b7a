"""Socket commands for ideas: post, build on, edit, withdraw, react."""
from workshops.registry import ANYONE, command

from . import protocol, selectors, services


@command("idea.post", roles=ANYONE, schema=protocol.IdeaPost, content=True)
def idea_post(actor, cmd):
    builds_on = selectors.idea_get(actor, cmd.builds_on, field="builds_on") if cmd.builds_on else None
    idea = services.idea_post(actor=actor, board=selectors.board_get(actor, cmd.board), text=cmd.text,
                              column=cmd.column, builds_on=builds_on)
    return {"id": idea.pk, "status": idea.status}


@command("idea.edit", roles=ANYONE, schema=protocol.IdeaEdit, content=True)
def idea_edit(actor, cmd):
    idea = services.idea_edit(actor=actor, idea=selectors.idea_get(actor, cmd.idea, lock=True), text=cmd.text)
    return {"id": idea.pk}


@command("idea.withdraw", roles=ANYONE, schema=protocol.IdeaRef, content=True)
def idea_withdraw(actor, cmd):
    idea = services.idea_withdraw(actor=actor, idea=selectors.idea_get(actor, cmd.idea, lock=True))
    return {"id": idea.pk}


@command("idea.react", roles=ANYONE, schema=protocol.IdeaReact, content=True)
def idea_react(actor, cmd):
    counts = services.idea_react(actor=actor, idea=selectors.idea_get(actor, cmd.idea), value=cmd.value)
    return {"id": cmd.idea, "value": cmd.value, "reactions": counts}
