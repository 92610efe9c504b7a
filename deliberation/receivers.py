"""Content that comes with a workshop's lifecycle."""
from django.dispatch import receiver

from workshops.models import Workshop
from workshops.signals import workshop_created

from .models import Board


@receiver(workshop_created, sender=Workshop)
def create_plenary_board(sender, *, workshop, columns, **kwargs):
    """Every workshop has one plenary board, with the columns its facilitator asked for."""
    Board.objects.create(workshop=workshop, room=None, title="Plenary", columns=list(columns or []))
