"""Signals for apps that build on workshops (workshops imports none of them)."""
from django.dispatch import Signal

# Sent inside the transaction that creates a workshop: sender=Workshop, workshop, columns.
workshop_created = Signal()
