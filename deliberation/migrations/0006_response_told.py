from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery


def last_responses(apps, schema_editor):
    """Workshops answered before this field existed keep their addresses from their last response."""
    Workshop = apps.get_model("workshops", "Workshop")
    Response = apps.get_model("deliberation", "Response")
    last = (Response.objects.filter(proposal__workshop=OuterRef("pk")).values("proposal__workshop")
            .annotate(at=Max("created_at")).values("at"))
    Workshop.objects.update(last_response_at=Subquery(last))


class Migration(migrations.Migration):

    dependencies = [
        ('deliberation', '0005_waiting_room'),
        ('workshops', '0010_contact_retention'),
    ]

    operations = [
        migrations.AddField(
            model_name='response',
            name='told_on_socket',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(last_responses, migrations.RunPython.noop),
    ]
