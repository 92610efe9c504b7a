"""App config for the browser front end."""
from django.apps import AppConfig


class FrontendConfig(AppConfig):
    """Templates and static ES modules; imports neither backend app."""

    name = "frontend"
    verbose_name = "Front end"
