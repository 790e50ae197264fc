"""The default reporting deadlines (periodic.rules.DEFAULT_DEADLINES): example values, marked
unverified, that the ministry edits on the deadlines page."""

from django.db import migrations


def seed(apps, schema_editor):
    from periodic.rules import DEFAULT_DEADLINES

    ReportingDeadline = apps.get_model("periodic", "ReportingDeadline")
    for d in DEFAULT_DEADLINES:
        ReportingDeadline.objects.get_or_create(
            kind=d.kind,
            level=d.level,
            defaults={
                "month": d.month,
                "day": d.day,
                "year_offset": d.year_offset,
                "basis": d.basis,
                "verified": False,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("periodic", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
