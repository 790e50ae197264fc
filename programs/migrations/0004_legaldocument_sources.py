"""Where each legal document was confirmed in a published text, and the values corrected
by that check (Nghị định 235/2025/NĐ-CP was signed on 27/8/2025, not 28/8/2025), also on a
database loaded by 0003 before the check."""

from django.db import migrations, models


def apply_sources(apps, schema_editor):
    from programs.catalogue import legal_sources_apply

    legal_sources_apply(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0003_catalogue"),
    ]

    operations = [
        migrations.AddField(
            model_name="legaldocument",
            name="source_url",
            field=models.URLField(blank=True, max_length=500, verbose_name="published source"),
        ),
        migrations.AddField(
            model_name="legaldocument",
            name="source_note",
            field=models.TextField(
                blank=True,
                help_text="What the source confirms, and which values it does not.",
                verbose_name="source note",
            ),
        ),
        migrations.AddField(
            model_name="legaldocument",
            name="verified_on",
            field=models.DateField(blank=True, null=True, verbose_name="checked on"),
        ),
        migrations.RunPython(apply_sources, migrations.RunPython.noop),
    ]
