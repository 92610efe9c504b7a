"""Small helpers for the JSON API: bodies in, errors out with the protocol's codes."""
import json
from datetime import timedelta
from functools import wraps
from typing import Callable

import pydantic
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.utils import timezone

from .errors import DomainError, error_body, field_errors
from .models import RequestReceipt

MAX_BODY_BYTES = 64 * 1024
KEY_LIFETIME = timedelta(days=1)


def error_response(exc: DomainError) -> JsonResponse:
    return JsonResponse(error_body(exc), status=exc.status)


def parse_body(request, schema: type[pydantic.BaseModel]):
    """The request's JSON body validated against a schema, or DomainError."""
    try:
        body = request.body
    except RequestDataTooBig:  # beyond DATA_UPLOAD_MAX_MEMORY_SIZE Django refuses to read it at all
        raise DomainError("too_large", "The request body is too large.") from None
    if len(body) > MAX_BODY_BYTES:
        raise DomainError("too_large", "The request body is too large.")
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        raise DomainError("bad_json", "The request body is not valid JSON.") from None
    try:
        return schema.model_validate(data)
    except pydantic.ValidationError as exc:
        raise DomainError("invalid", fields=field_errors(exc)) from None


def json_view(*methods: str):
    """A JSON endpoint: allowed methods, DomainError turned into the protocol's error body."""
    def wrap(view):
        @wraps(view)
        def inner(request, *args, **kwargs):
            if request.method not in methods:
                resp = error_response(DomainError("method_not_allowed"))
                resp["Allow"] = ", ".join(methods)
                return resp
            try:
                return view(request, *args, **kwargs)
            except DomainError as exc:
                return error_response(exc)
        return inner
    return wrap


def once(request, *, caller: Callable[[], str], answer: Callable[[], JsonResponse]) -> JsonResponse:
    """`answer()` to a POST that creates something, given once per `Idempotency-Key` of a caller.

    The same key from the same caller within a day gets the first answer again (status and body,
    refusals too, as a command's ref does), marked `Idempotent-Replayed: true`. Without the header
    every POST is answered anew.
    """
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return answer()
    if not 1 <= len(key) <= 64:
        raise DomainError("invalid", fields={"Idempotency-Key": "A key of 1 to 64 characters."})
    who = caller()
    try:
        with transaction.atomic():
            # An expired receipt of this key gives way; the others go with the hourly prune (stream.prune).
            RequestReceipt.objects.filter(caller=who, key=key, created_at__lt=timezone.now() - KEY_LIFETIME).delete()
            stored = RequestReceipt.objects.filter(caller=who, key=key).first()
            if stored is not None:
                return _replayed(stored)
            try:
                response = answer()
            except DomainError as exc:
                if exc.code == "rate_limited":
                    raise  # like a command's limit: not an outcome, the retry may pass
                response = error_response(exc)
            RequestReceipt.objects.create(caller=who, key=key, path=request.path[:200],
                                          status=response.status_code, body=json.loads(response.content))
            return response
    except IntegrityError:
        # The same key raced in from the same caller: answer its outcome (everything this one made is undone).
        stored = RequestReceipt.objects.filter(caller=who, key=key).first()
        if stored is None:
            raise
        return _replayed(stored)


def _replayed(stored: RequestReceipt) -> JsonResponse:
    response = JsonResponse(stored.body, status=stored.status, safe=False)
    response["Idempotent-Replayed"] = "true"
    return response
