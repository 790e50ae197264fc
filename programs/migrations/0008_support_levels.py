"""The national support levels of Thông tư 28/2018/TT-BTC with their article and published
source (programs.catalogue.NATIONAL_CAPS), the sub-activities that carry them, the signing
date of Thông tư 64/2024/TT-BTC (28/8/2024, LawNet), and the rule that a province's cap is for
its local funds only. Loads and corrects on a fresh database and on one loaded before."""

from django.conf import settings
from django.db import migrations, models


def load(apps, schema_editor):
    from programs.catalogue import legal_sources_apply, load_catalogue

    load_catalogue(apps)
    legal_sources_apply(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0007_advance_limits"),
        ("reference", "0002_load_reference_data"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="supportcap",
            name="article",
            field=models.CharField(
                blank=True,
                help_text="Where in the document the rule is written, e.g. Điều 8 khoản 2.",
                max_length=200,
                verbose_name="article",
            ),
        ),
        migrations.AddField(
            model_name="supportcap",
            name="source_url",
            field=models.URLField(blank=True, max_length=500, verbose_name="published source"),
        ),
        migrations.AlterField(
            model_name="supportcap",
            name="unit",
            field=models.CharField(
                choices=[
                    ("proposal", "per proposal"),
                    ("establishment", "per establishment"),
                    ("model", "per demonstration model"),
                    ("course", "per training course"),
                    ("trainee", "per trainee"),
                    ("event", "per event"),
                    ("product", "per product"),
                    ("enterprise", "per enterprise"),
                ],
                max_length=20,
                verbose_name="unit",
            ),
        ),
        migrations.AddConstraint(
            model_name="supportcap",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("level", "national"), ("province__isnull", True)),
                    ("level", "local"),
                    _connector="OR",
                ),
                name="supportcap_national_has_no_province",
                violation_error_message="A province's rule applies to its local funds only: choose the local level.",
            ),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
