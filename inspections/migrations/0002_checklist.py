from django.db import migrations


def load(apps, schema_editor):
    from inspections.catalogue import load_catalogue

    load_catalogue(apps)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial"), ("programs", "0003_catalogue")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
