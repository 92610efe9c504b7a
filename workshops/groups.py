"""The one place that builds channel-layer group names."""


def workshop_group(workshop_id: int) -> str:
    """The group that every server process with sockets in this workshop listens on."""
    return f"workshop.{workshop_id}"
