"""The command registry: wire type -> roles -> schema -> handler.

Each app registers its handlers with `@command(...)` in its own commands.py.
`execute` runs one command in one transaction, with the idempotency receipt;
a read-only command runs outside any transaction and its receipt keeps no result.
Its events go out after the commit, as the caller has them published: the socket's
consumer collects them (`stream.collected`) and publishes them from the event loop.
"""
import logging
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Callable

import pydantic
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from . import permissions
from .errors import DomainError, error_frame, field_errors
from .models import CommandReceipt, Participant
from .prepared import Insert
from .selectors import participant_with_workshop

__all__ = ["command", "command_atomic", "execute", "COMMANDS", "ANYONE", "FACILITATOR", "MODERATOR", "OFFICIAL"]

log = logging.getLogger(__name__)

R = Participant.Role
ANYONE = frozenset(R.values)
FACILITATOR = frozenset({R.FACILITATOR})
MODERATOR = frozenset({R.MODERATOR, R.FACILITATOR})
OFFICIAL = frozenset({R.OFFICIAL})


class NoFields(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")


@dataclass(frozen=True)
class Command:
    type: str
    handler: Callable
    roles: frozenset
    schema: type[pydantic.BaseModel]
    readonly: bool  # only reads: no write transaction, run again when its ref is resent


COMMANDS: dict[str, Command] = {}


def command(type: str, *, roles=ANYONE, schema=NoFields, readonly: bool = False):
    """Register `handler(actor, cmd) -> dict` as the handler of a wire command type."""
    def register(handler):
        if type in COMMANDS:
            raise ValueError(f"command {type} registered twice")
        COMMANDS[type] = Command(type, handler, frozenset(roles), schema, readonly)
        return handler
    return register


# True while a write command's handler runs in the command's transaction (`_execute`).
_in_command: ContextVar[bool] = ContextVar("in_command", default=False)


def command_atomic(service):
    """`transaction.atomic` for a service that commands call often: its own transaction when called
    alone, a savepoint when called in another's, and none in a command's, which the registry rolls
    back whole on any error (`_handle`), so a savepoint there only costs two statements: a fifth of
    an `idea.react`'s. (A service that catches a nested service's error and goes on must not use it.)"""
    @wraps(service)
    def run(*args, **kwargs):
        with transaction.atomic(savepoint=not _in_command.get()):
            return service(*args, **kwargs)
    return run


class _Refused(Exception):
    """A handler refused the command: its transaction is rolled back and the answer stored alone."""

    def __init__(self, answer: dict):
        super().__init__(answer["code"])
        self.answer = answer


def execute(*, participant_id: int, frame: dict) -> dict:
    """Run one command frame (with a valid ref) for a participant; return the ack or error frame."""
    ref = frame["ref"]
    cmd = COMMANDS.get(frame["type"])
    if cmd is None:
        return error_frame(ref, DomainError("unknown_type", f"Unknown command type {frame['type']!r}."))
    fields = {k: v for k, v in frame.items() if k not in ("type", "ref")}
    if cmd.readonly:
        return _read(cmd, participant_id, ref, fields)
    try:
        return _attempts(cmd, participant_id, ref, fields)
    except IntegrityError:
        # The ref was resent, or raced in on another socket of this participant: answer its outcome.
        answer = _stored(participant_id, ref)
        if answer is None:
            raise
        return answer


DEADLOCK = "40P01"  # PostgreSQL's SQLSTATE for a transaction it ended to break a deadlock
ATTEMPTS = 3


def _attempts(cmd: Command, participant_id: int, ref: str, fields: dict) -> dict:
    """The command's transaction, run again when PostgreSQL ended it to break a deadlock.

    Services take rows in one order where they can (a participant's row before the workshop's
    seq: tests/deliberation/test_lock_order.py), but two transactions that meet on rows in
    opposite orders are left to PostgreSQL, which ends one of them after `deadlock_timeout`; the
    person whose command it picked gets its ack a second late instead of an error. Nothing of a
    failed run stays: its events go out on commit, its receipt is in the same transaction, and its
    command limit was counted once, before.
    """
    attempt = 1
    while True:
        try:
            try:
                return _execute(cmd, participant_id, ref, fields)
            except _Refused as refused:
                with transaction.atomic():
                    return _store(cmd, participant_id, ref, refused.answer)
        except OperationalError as exc:
            if attempt == ATTEMPTS or getattr(exc.__cause__, "sqlstate", None) != DEADLOCK:
                raise
            attempt += 1
            log.warning("command %s of participant %s ends a deadlock; run again (attempt %d)", cmd.type,
                        participant_id, attempt)


def _stored(participant_id: int, ref: str) -> dict | None:
    """The answer stored for this ref, marked as a duplicate, or None."""
    try:
        answer = CommandReceipt.objects.values_list("answer", flat=True).get(participant_id=participant_id, ref=ref)
    except CommandReceipt.DoesNotExist:
        return None
    return {**answer, "duplicate": True}


_RECEIPT = Insert(CommandReceipt, ("participant", "ref", "type", "answer", "created_at"))


def _store(cmd: Command, participant_id: int, ref: str, answer: dict) -> dict:
    _RECEIPT(participant_id, ref, cmd.type, answer, timezone.now())
    return answer


def _read(cmd: Command, participant_id: int, ref: str, fields: dict) -> dict:
    """Run a read-only command in autocommit, holding no write lock while it works.

    A read is idempotent, so a resent ref runs it again (the answer is as fresh as the data)
    instead of answering a stored copy of a result that may be large; the receipt keeps only
    the outcome's kind, so that the ref stays used and a resend is still marked a duplicate.
    """
    receipt = (CommandReceipt.objects.filter(participant_id=participant_id, ref=ref)
               .values_list("type", "answer").first())
    if receipt is not None and receipt[0] != cmd.type:
        return {**receipt[1], "duplicate": True}  # the ref is another command's: not run
    try:
        answer = _handle(cmd, participant_id, ref, fields)
    except _Refused as refused:
        answer = refused.answer
    else:
        if answer["type"] == "error":
            return answer  # refused before the handler ran: nothing to keep
    if receipt is None:
        marker = {key: answer[key] for key in ("type", "ref", "code") if key in answer}
        try:
            with transaction.atomic():
                _RECEIPT(participant_id, ref, cmd.type, marker, timezone.now())
            return answer
        except IntegrityError:
            pass  # the same ref raced in on another socket: this is its resend
    return {**answer, "duplicate": True}


@transaction.atomic
def _execute(cmd: Command, participant_id: int, ref: str, fields: dict) -> dict:
    """Run the handler and keep its answer in one transaction.

    A resent ref is not looked up first: it runs again, and its receipt's insert fails on the
    unique (participant, ref), which rolls back all it did (events included: they publish on
    commit) and answers the stored outcome (`execute`). Resends are rare, and the lookup was
    one statement of every command.
    """
    token = _in_command.set(True)
    try:
        answer = _handle(cmd, participant_id, ref, fields)
    finally:
        _in_command.reset(token)
    if answer["type"] == "error":
        # Refused before the handler ran: not kept, so the ref may be sent again; but a ref that
        # was kept before answers its outcome, whatever the rules say now.
        return _stored(participant_id, ref) or answer
    return _store(cmd, participant_id, ref, answer)


def _handle(cmd: Command, participant_id: int, ref: str, fields: dict) -> dict:
    """The ack of a command, or the error frame of one refused before its handler ran;
    the handler's own refusal raises _Refused."""
    actor = participant_with_workshop.get(participant_id)
    try:
        _check_actor(cmd, actor)
        data = cmd.schema.model_validate(fields)
    except pydantic.ValidationError as exc:
        return error_frame(ref, DomainError("invalid", fields=field_errors(exc)))
    except DomainError as exc:
        return error_frame(ref, exc)
    try:
        answer = {"type": "ack", "ref": ref, **(cmd.handler(actor, data) or {})}
    except DomainError as exc:
        # Out of this transaction, so that nothing the handler wrote stays; no savepoint to pay for.
        raise _Refused(error_frame(ref, exc)) from None
    return answer


def _check_actor(cmd: Command, actor: Participant) -> None:
    """Which roles may send this type; the rest of the rules are the services' (workshops.permissions).

    Whoever may not act at all is refused here too, before a lookup could tell them what exists.
    """
    permissions.require_act(actor)
    if actor.role not in cmd.roles:
        raise DomainError("forbidden")
