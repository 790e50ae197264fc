from django.db import migrations


def create_agencies(apps, schema_editor):
    from accounts.loader import ensure_agencies

    ensure_agencies(apps.get_model("accounts", "Agency"), apps.get_model("reference", "Province"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("reference", "0002_load_reference_data"),
    ]

    operations = [migrations.RunPython(create_agencies, migrations.RunPython.noop)]
