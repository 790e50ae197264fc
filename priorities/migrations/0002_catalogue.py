from django.db import migrations


def load(apps, schema_editor):
    """The priorities of Decree 45/2012/NĐ-CP as amended and of the national programmes,
    with their sources (priorities.catalogue)."""
    from priorities.catalogue import load_priorities

    load_priorities(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("priorities", "0001_priorities"),
        ("programs", "0007_advance_limits"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
