from django.db import migrations


def load(apps, schema_editor):
    from reference.loader import load_reference_data

    load_reference_data(
        apps.get_model("reference", "Region"),
        apps.get_model("reference", "Province"),
        apps.get_model("reference", "Commune"),
    )


class Migration(migrations.Migration):
    dependencies = [("reference", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
