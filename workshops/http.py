"""Small helpers for the JSON API: bodies in, errors out with the protocol's codes."""
import json
from functools import wraps

import pydantic
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse

from .errors import DomainError
from .registry import field_errors

STATUS = {"bad_json": 400, "invalid": 400, "unauthenticated": 401, "forbidden": 403, "not_found": 404,
          "conflict": 409, "ended": 409, "too_large": 413, "rate_limited": 429}
MAX_BODY_BYTES = 64 * 1024


def error_response(exc: DomainError) -> JsonResponse:
    body = {"error": exc.code, "message": exc.message}
    if exc.fields:
        body["fields"] = exc.fields
    if exc.retry_after is not None:
        body["retry_after"] = exc.retry_after
    return JsonResponse(body, status=STATUS.get(exc.code, 400))


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
                resp = JsonResponse({"error": "method_not_allowed", "message": "Method not allowed."},
                                    status=405)
                resp["Allow"] = ", ".join(methods)
                return resp
            try:
                return view(request, *args, **kwargs)
            except DomainError as exc:
                return error_response(exc)
        return inner
    return wrap
