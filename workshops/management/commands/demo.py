"""Create a demo facilitator and workshop when there are none, and say where to go."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from workshops import services
from workshops.models import Workshop

USERNAME = "facilitator"
PASSWORD = "inspraak-demo"


class Command(BaseCommand):
    help = "Create a demo facilitator account and a demo workshop (if missing) and print the links."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, base_url, **options):
        User = get_user_model()
        user = User.objects.filter(username=USERNAME).first()
        created_user = user is None
        if created_user:
            user = User.objects.create_user(USERNAME, password=PASSWORD, is_staff=True)
        workshop = Workshop.objects.filter(created_by=user).order_by("pk").first()
        if workshop is None:
            workshop = services.workshop_create(
                user=user, title="Een speeltuin bij het station? / A playground by the station?",
                description="Demo workshop: what should the square by the station become?", language="nl",
                agenda=[{"title": "Welcome", "minutes": 5}, {"title": "Ideas", "minutes": 20},
                        {"title": "Build on each other", "minutes": 20}, {"title": "Wrap-up", "minutes": 10}],
                columns=["Play", "Green", "Safety"])
        base = base_url.rstrip("/")
        password = PASSWORD if created_user else "(unchanged; the one you set)"
        self.stdout.write(
            "\nInspraak demo is ready.\n"
            f"  Facilitator login:   {USERNAME} / {password}  at {base}/\n"
            f"  Facilitator console: {base}/w/{workshop.code}/facilitate\n"
            f"  Citizen join link:   {base}/w/{workshop.code}/\n")
