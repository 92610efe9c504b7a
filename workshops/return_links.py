"""A participant's way back on any device: a signed, revocable link (PROTOCOL 3.3).

The link is `/r/<participant id>.<key>:<signature>`: Django's signing (HMAC with SECRET_KEY) makes it
unforgeable, and the random `key` stored on the participant makes it revocable: a new key voids
every link made with the old one, and an erased participant has none. It is a bearer credential,
so it is never logged here, never put in an event, and only its owner's session can read it.
"""
import secrets

from django.core import signing
from django.db import transaction
from django.utils.crypto import constant_time_compare

from .errors import DomainError
from .models import Participant

__all__ = ["return_link_path", "return_link_renew", "return_link_resolve", "ReturnLinkDead"]

_SALT = "inspraak.return-link"
PREFIX = "/r/"


class ReturnLinkDead(Exception):
    """A link that is well signed but no longer works: replaced by a newer one, or its participant is gone."""


def _signer() -> signing.Signer:
    return signing.Signer(salt=_SALT)


def _path(participant: Participant) -> str:
    return f"{PREFIX}{_signer().sign(f'{participant.pk}.{participant.return_key}')}"


def _require_citizen(participant: Participant) -> None:
    """Staff come back by logging in: a link must never hand out a staff role without the password."""
    if participant.is_staff_role or participant.user_id is not None:
        raise DomainError("forbidden", "Staff come back by logging in; return links are for citizens.")
    if participant.removed:
        raise DomainError("forbidden", "You were removed from this workshop.")


@transaction.atomic
def return_link_path(*, participant: Participant) -> str:
    """The path of the participant's current return link, made now if they have none."""
    _require_citizen(participant)
    # Two first requests at once agree on one key: only an empty key is replaced.
    Participant.objects.filter(pk=participant.pk, return_key="").update(return_key=secrets.token_urlsafe(16))
    participant.return_key = Participant.objects.filter(pk=participant.pk).values_list("return_key", flat=True).get()
    return _path(participant)


@transaction.atomic
def return_link_renew(*, participant: Participant) -> str:
    """A new return link for the participant; every earlier one stops working."""
    _require_citizen(participant)
    participant.return_key = secrets.token_urlsafe(16)
    Participant.objects.filter(pk=participant.pk).update(return_key=participant.return_key)
    return _path(participant)


def return_link_resolve(token: str) -> Participant:
    """The participant a link's token stands for.

    Raises signing.BadSignature for a token that was never made here (forged, truncated),
    ReturnLinkDead for one that was but no longer works.
    """
    value = _signer().unsign(token)
    pid, _, key = value.partition(".")
    participant = (Participant.objects.select_related("workshop")
                   .filter(pk=int(pid), erased_at__isnull=True, removed=False).first())
    if participant is None or not participant.return_key or not constant_time_compare(key, participant.return_key):
        raise ReturnLinkDead()
    return participant
