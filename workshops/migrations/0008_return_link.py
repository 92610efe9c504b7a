from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('workshops', '0007_mail'),
    ]

    operations = [
        migrations.AddField(
            model_name='participant',
            name='return_key',
            field=models.CharField(blank=True, default='', max_length=32),
        ),
        migrations.AddField(
            model_name='participant',
            name='erased_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
