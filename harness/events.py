"""The event catalogue as the tests hold the code to it: every stored event is one of its models, exactly."""
import json

from pydantic import ValidationError

import deliberation.events  # noqa: F401  (its models join the catalogue)
from workshops.events import StreamEvent
from workshops.models import Event


def catalogue() -> dict[str, type[StreamEvent]]:
    """Every event model of every app, by type."""
    found: dict[str, type[StreamEvent]] = {}
    todo = list(StreamEvent.__subclasses__())
    while todo:
        model = todo.pop()
        todo += model.__subclasses__()
        if found.setdefault(model.type_name(), model) is not model:
            raise AssertionError(f"two models for {model.type_name()!r}: {found[model.type_name()]} and {model}")
    return found


def _canonical(payload) -> str:
    # As JSON, so that 1, 1.0 and true differ as they do on the wire.
    return json.dumps(payload, sort_keys=True, ensure_ascii=False)


def event_problem(models: dict[str, type[StreamEvent]], type: str, payload) -> str | None:
    """Why a stored event is not exactly what its model would store, or None."""
    model = models.get(type)
    if model is None:
        return f"{type!r} is in no event catalogue"
    if not isinstance(payload, dict):
        return f"{type!r} has a payload that is not an object: {payload!r}"
    try:
        again = model.model_validate({"type": type, **payload}).payload()
    except ValidationError as exc:
        return f"{type!r} does not validate against {model.__name__}: {exc}"
    if _canonical(again) != _canonical(payload):
        return f"{type!r} is stored as {_canonical(payload)}, but {model.__name__} makes it {_canonical(again)}"
    return None


def stored_event_problems() -> list[str]:
    """What is wrong with the events stored now, one line per event."""
    models = catalogue()
    problems = []
    for workshop_id, seq, type, payload in Event.objects.order_by("pk").values_list(
            "workshop_id", "seq", "type", "payload"):
        problem = event_problem(models, type, payload)
        if problem:
            problems.append(f"event {seq} of workshop {workshop_id}: {problem}")
    return problems
