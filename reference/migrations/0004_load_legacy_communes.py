from django.db import migrations


def load(apps, schema_editor):
    from reference.legacy import legacy_load

    legacy_load(
        apps.get_model("reference", "LegacyCommune"),
        apps.get_model("reference", "Commune"),
        apps.get_model("reference", "Province"),
    )


class Migration(migrations.Migration):
    dependencies = [("reference", "0003_legacy_commune")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
