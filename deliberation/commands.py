"""Socket commands for the content: ideas, their moderation, proposals and synthesis."""
from workshops.errors import DomainError
from workshops.registry import ANYONE, FACILITATOR, MODERATOR, OFFICIAL, command
from workshops.times import iso

from . import (admission, deck, floor, moderation, poll_selectors, polls, proposals, protocol, questions,
               selectors, services, synthesis)


@command("idea.post", roles=ANYONE, schema=protocol.IdeaPost)
def idea_post(actor, cmd):
    builds_on = selectors.idea_get(actor, cmd.builds_on, field="builds_on") if cmd.builds_on else None
    idea = services.idea_post(actor=actor, board=selectors.board_get(actor, cmd.board), text=cmd.text,
                              column=cmd.column, builds_on=builds_on)
    return {"id": idea.pk, "status": idea.status}


@command("idea.edit", roles=ANYONE, schema=protocol.IdeaEdit)
def idea_edit(actor, cmd):
    idea = services.idea_edit(actor=actor, idea=selectors.idea_get(actor, cmd.idea, lock=True), text=cmd.text)
    return {"id": idea.pk}


@command("idea.withdraw", roles=ANYONE, schema=protocol.IdeaRef)
def idea_withdraw(actor, cmd):
    idea = services.idea_withdraw(actor=actor, idea=selectors.idea_get(actor, cmd.idea, lock=True))
    return {"id": idea.pk}


@command("idea.react", roles=ANYONE, schema=protocol.IdeaReact)
def idea_react(actor, cmd):
    counts = services.idea_react(actor=actor, idea=selectors.idea_get(actor, cmd.idea), value=cmd.value)
    return {"id": cmd.idea, "value": cmd.value, "reactions": counts}


@command("idea.flag", roles=ANYONE, schema=protocol.IdeaFlag)
def idea_flag(actor, cmd):
    flag = moderation.idea_flag(actor=actor, idea=selectors.idea_get(actor, cmd.idea, lock=True), reason=cmd.reason,
                                note=cmd.note)
    return {"id": flag.pk}


@command("appeal.file", roles=ANYONE, schema=protocol.AppealFile)
def appeal_file(actor, cmd):
    appeal = moderation.appeal_file(actor=actor, idea=selectors.idea_get(actor, cmd.idea), text=cmd.text)
    return {"id": appeal.pk}


@command("idea.hide", roles=MODERATOR, schema=protocol.IdeaHide)
def idea_hide(actor, cmd):
    moderation.idea_hide(actor=actor, idea=selectors.idea_get(actor, cmd.idea, lock=True), reason=cmd.reason)
    return {"id": cmd.idea}


@command("idea.restore", roles=MODERATOR, schema=protocol.IdeaRestore)
def idea_restore(actor, cmd):
    moderation.idea_restore(actor=actor, idea=selectors.idea_get(actor, cmd.idea, lock=True), reason=cmd.reason)
    return {"id": cmd.idea}


@command("idea.approve", roles=MODERATOR, schema=protocol.IdeaRef)
def idea_approve(actor, cmd):
    moderation.idea_approve(actor=actor, idea=selectors.idea_get(actor, cmd.idea, lock=True))
    return {"id": cmd.idea}


@command("flag.dismiss", roles=MODERATOR, schema=protocol.FlagRef)
def flag_dismiss(actor, cmd):
    moderation.flag_dismiss(actor=actor, flag=selectors.flag_get(actor, cmd.flag))
    return {"id": cmd.flag}


@command("appeal.decide", roles=MODERATOR, schema=protocol.AppealDecide)
def appeal_decide(actor, cmd):
    appeal = moderation.appeal_decide(actor=actor, idea=selectors.idea_get(actor, cmd.idea, lock=True),
                                      uphold=cmd.uphold, note=cmd.note)
    return {"id": appeal.pk, "status": appeal.status}


@command("participant.mute", roles=MODERATOR, schema=protocol.ParticipantMute)
def participant_mute(actor, cmd):
    target = moderation.participant_mute(actor=actor, participant_id=cmd.participant, minutes=cmd.minutes,
                                         reason=cmd.reason)
    return {"until": iso(target.muted_until)}


@command("participant.remove", roles=MODERATOR, schema=protocol.ParticipantRemove)
def participant_remove(actor, cmd):
    moderation.participant_remove(actor=actor, participant_id=cmd.participant, reason=cmd.reason)


@command("participant.admit", roles=MODERATOR, schema=protocol.ParticipantRef)
def participant_admit(actor, cmd):
    admission.participant_admit(actor=actor, participant_id=cmd.participant)


@command("participant.reject", roles=MODERATOR, schema=protocol.ParticipantRemove)
def participant_reject(actor, cmd):
    admission.participant_reject(actor=actor, participant_id=cmd.participant, reason=cmd.reason)


@command("proposal.draft", roles=FACILITATOR, schema=protocol.ProposalDraft)
def proposal_draft(actor, cmd):
    proposal = proposals.proposal_draft(actor=actor, title=cmd.title, body=cmd.body, sources=cmd.sources)
    return {"id": proposal.pk}


@command("proposal.update", roles=FACILITATOR, schema=protocol.ProposalUpdate)
def proposal_update(actor, cmd):
    proposals.proposal_update(actor=actor, proposal=selectors.proposal_get(actor, cmd.proposal, lock=True),
                              title=cmd.title, body=cmd.body, sources=cmd.sources)
    return {"id": cmd.proposal}


@command("proposal.publish", roles=FACILITATOR, schema=protocol.ProposalRef)
def proposal_publish(actor, cmd):
    proposals.proposal_publish(actor=actor, proposal=selectors.proposal_get(actor, cmd.proposal, lock=True))
    return {"id": cmd.proposal}


@command("proposal.endorse", roles=ANYONE, schema=protocol.ProposalEndorse)
def proposal_endorse(actor, cmd):
    result = proposals.proposal_endorse(actor=actor, proposal=selectors.proposal_get(actor, cmd.proposal, lock=True),
                                        value=cmd.value)
    return {"id": cmd.proposal, "value": cmd.value, **result}


@command("proposal.respond", roles=OFFICIAL, schema=protocol.ProposalRespond)
def proposal_respond(actor, cmd):
    response, _ = proposals.proposal_respond(actor=actor, proposal_id=cmd.proposal, status=cmd.status,
                                             message=cmd.message)
    return {"id": cmd.proposal, "response": response.pk}


@command("synthesis.suggest", roles=FACILITATOR, schema=protocol.SynthesisSuggest, readonly=True)
def synthesis_suggest(actor, cmd):
    board = selectors.board_get(actor, cmd.board).pk if cmd.board is not None else None
    return synthesis.suggest(actor.workshop_id, board)


@command("deck.next", roles=ANYONE, readonly=True)
def deck_next(actor, cmd):
    return {"idea": deck.deck_next(actor)}


@command("survey.answer", roles=ANYONE, schema=protocol.SurveyAnswer)
def survey_answer(actor, cmd):
    survey = services.survey_answer(actor=actor, answers=cmd.answers, comment=cmd.comment)
    return {"id": survey.pk}


@command("question.ask", roles=ANYONE, schema=protocol.QuestionAsk)
def question_ask(actor, cmd):
    question = questions.question_ask(actor=actor, text=cmd.text)
    return {"id": question.pk, "status": question.status}


@command("question.upvote", roles=ANYONE, schema=protocol.QuestionUpvote)
def question_upvote(actor, cmd):
    votes = questions.question_upvote(actor=actor, question=selectors.question_get(actor, cmd.question, lock=True),
                                      value=cmd.value)
    return {"id": cmd.question, "value": cmd.value, "votes": votes}


@command("question.answer", roles=OFFICIAL | FACILITATOR, schema=protocol.QuestionAnswer)
def question_answer(actor, cmd):
    questions.question_answer(actor=actor, question=selectors.question_get(actor, cmd.question, lock=True),
                              text=cmd.text)
    return {"id": cmd.question}


@command("question.hide", roles=MODERATOR, schema=protocol.QuestionHide)
def question_hide(actor, cmd):
    questions.question_hide(actor=actor, question=selectors.question_get(actor, cmd.question, lock=True),
                            reason=cmd.reason)
    return {"id": cmd.question}


@command("question.approve", roles=MODERATOR, schema=protocol.QuestionRef)
def question_approve(actor, cmd):
    questions.question_approve(actor=actor, question=selectors.question_get(actor, cmd.question, lock=True))
    return {"id": cmd.question}


@command("hand.raise", roles=ANYONE)
def hand_raise(actor, cmd):
    return {"queue": floor.hand_raise(actor=actor)}


@command("hand.lower", roles=ANYONE)
def hand_lower(actor, cmd):
    return {"queue": floor.hand_lower(actor=actor)}


@command("floor.give", roles=FACILITATOR, schema=protocol.ParticipantRef)
def floor_give(actor, cmd):
    turn = floor.floor_give(actor=actor, participant_id=cmd.participant)
    return {"participant": turn.participant_id, "since": iso(turn.started_at)}


@command("floor.end", roles=ANYONE)
def floor_end(actor, cmd):
    return {"seconds": floor.floor_end(actor=actor)}


@command("participant.nudge", roles=FACILITATOR, schema=protocol.ParticipantNudge)
def participant_nudge(actor, cmd):
    floor.participant_nudge(actor=actor, participant_id=cmd.participant, text=cmd.text)
    return {"participant": cmd.participant}


@command("contributions.get", roles=FACILITATOR, readonly=True)
def contributions_get(actor, cmd):
    return {"contributions": selectors.contributions(actor.workshop_id)}


@command("poll.open", roles=FACILITATOR, schema=protocol.PollOpen)
def poll_open(actor, cmd):
    if cmd.options is not None and cmd.ideas is not None:
        raise DomainError("invalid", fields={"options": "Give either options or ideas, not both."})
    ideas = [selectors.idea_get(actor, i, field="ideas") for i in cmd.ideas] if cmd.ideas is not None else None
    poll = polls.poll_open(actor=actor, question=cmd.question, kind=cmd.kind, results=cmd.results,
                           options=cmd.options, ideas=ideas, max_choices=cmd.max_choices,
                           scale=cmd.scale.model_dump() if cmd.scale else None, points=cmd.points,
                           anonymous=cmd.anonymous, duration_s=cmd.duration_s)
    return {"id": poll.pk}


@command("poll.answer", roles=ANYONE, schema=protocol.PollAnswer)
def poll_answer(actor, cmd):
    answer = polls.poll_answer(actor=actor, poll=poll_selectors.poll_get(actor, cmd.poll, lock=True, options=False),
                               answer=cmd.model_dump(exclude={"poll"}))
    return {"id": cmd.poll, "answer": answer}


@command("poll.close", roles=FACILITATOR, schema=protocol.PollRef)
def poll_close(actor, cmd):
    polls.poll_close(actor=actor, poll=poll_selectors.poll_get(actor, cmd.poll, lock=True))
    return {"id": cmd.poll}
