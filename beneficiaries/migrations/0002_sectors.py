"""The catalogue of rural-industry sectors (editable in the admin afterwards)."""

from django.db import migrations


def add_sectors(apps, schema_editor):
    from beneficiaries.catalogue import add_sectors as load

    load(apps, schema_editor)


def remove_sectors(apps, schema_editor):
    Sector = apps.get_model("beneficiaries", "Sector")
    from beneficiaries.catalogue import SECTORS

    Sector.objects.filter(code__in=[code for code, _ in SECTORS]).delete()


class Migration(migrations.Migration):
    dependencies = [("beneficiaries", "0001_initial")]

    operations = [migrations.RunPython(add_sectors, remove_sectors)]
