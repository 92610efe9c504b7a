from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('workshops', '0003_hardening'),
    ]

    operations = [
        migrations.AddField(
            model_name='participant',
            name='presence_online',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='participant',
            name='presence_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='participant',
            name='presence_prev_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
