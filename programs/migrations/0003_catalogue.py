from django.db import migrations


def load(apps, schema_editor):
    from programs.catalogue import load_catalogue

    load_catalogue(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0002_database_rules"),
        ("reference", "0002_load_reference_data"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
