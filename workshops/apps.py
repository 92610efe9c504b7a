from django.apps import AppConfig


class WorkshopsConfig(AppConfig):
    name = "workshops"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import converters
        converters.register()  # before any URLconf is read: every path with a workshop code uses it
        from . import commands  # noqa: F401  registers the workshop commands
        from . import snapshot_parts  # noqa: F401  registers this app's part of welcome
        from .background import frequent
        from .presence import presence_tick
        frequent(presence_tick)  # who came and went, told a few times a second
