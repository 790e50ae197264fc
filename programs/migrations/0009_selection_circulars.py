"""The circulars on the selection of typical rural industrial products (Thông tư 35/2010/TT-BCT,
replaced by 26/2014/TT-BCT, amended by 14/2018/TT-BCT) with their sources, also on a database
loaded before them."""

from django.db import migrations


def load(apps, schema_editor):
    from programs.catalogue import selection_documents_load

    selection_documents_load(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0008_support_levels"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
