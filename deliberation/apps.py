from django.apps import AppConfig


class DeliberationConfig(AppConfig):
    name = "deliberation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from workshops.background import frequent, periodic
        from workshops.extensions import content_hooks_register

        from . import commands  # noqa: F401  registers the content commands
        from . import replay  # noqa: F401  rewrites replayed ideas as their reader may see them now
        from . import snapshot_parts  # noqa: F401  registers this app's part of welcome
        from .hooks import CONTENT
        content_hooks_register(CONTENT)  # boards, room entries and report-backs for the workshop lifecycle
        from .officials import digests_queue
        periodic(600)(digests_queue)  # the officials' weekly mail: checked every 10 minutes, queued once a week
        from .tallies import tallies_tick
        frequent(tallies_tick)  # reaction counts, told a few times a second
