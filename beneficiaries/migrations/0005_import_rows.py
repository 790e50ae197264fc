"""The rows of an uploaded file are stored once, at upload (``ImportRow``): the preview and
the confirmation read them instead of parsing the file again. The refused rows that a
confirmed batch kept as JSON (``failed_rows``) become rows of the new table. A batch
uploaded before and still awaiting confirmation has no stored rows: its page asks for the
file to be uploaded again."""

import django.db.models.deletion
from django.db import migrations, models

# The template's columns in the order ``failed_rows`` listed their values (issue 3).
COLUMN_KEYS = [
    "name",
    "legal_form",
    "tax_code",
    "citizen_id",
    "commune_code",
    "commune_name",
    "address",
    "sector",
    "product_line",
    "workers",
    "woman_owned",
    "ethnic_minority_owned",
    "craft_village_member",
    "craft_village_name",
    "representative",
    "phone",
    "email",
]


def failed_rows_to_rows(apps, schema_editor):
    ImportBatch = apps.get_model("beneficiaries", "ImportBatch")
    ImportRow = apps.get_model("beneficiaries", "ImportRow")
    for batch in ImportBatch.objects.exclude(failed_rows=[]).iterator():
        ImportRow.objects.bulk_create(
            [
                ImportRow(
                    batch=batch,
                    number=row["row"],
                    ok=False,
                    values=dict(zip(COLUMN_KEYS, row["values"], strict=False)),
                    errors=[
                        {"message": message, "record": None, "record_province": None}
                        for message in row["errors"]
                    ],
                )
                for row in batch.failed_rows
            ],
            batch_size=1000,
        )


def rows_to_failed_rows(apps, schema_editor):
    ImportBatch = apps.get_model("beneficiaries", "ImportBatch")
    for batch in ImportBatch.objects.filter(status="confirmed").iterator():
        batch.failed_rows = [
            {
                "row": row.number,
                "values": [row.values.get(key, "") for key in COLUMN_KEYS],
                "errors": [e["message"] for e in row.errors],
            }
            for row in batch.rows.filter(ok=False).order_by("number")
        ]
        batch.save(update_fields=["failed_rows"])


class Migration(migrations.Migration):
    dependencies = [
        ("beneficiaries", "0004_sql_province_follows_commune"),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportRow",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField(verbose_name="row")),
                ("ok", models.BooleanField(verbose_name="ready to add")),
                ("values", models.JSONField(default=dict, verbose_name="values as written")),
                (
                    "cleaned",
                    models.JSONField(blank=True, null=True, verbose_name="checked values"),
                ),
                (
                    "tax_code",
                    models.CharField(blank=True, max_length=14, null=True, verbose_name="tax code"),
                ),
                (
                    "citizen_id",
                    models.CharField(
                        blank=True, max_length=12, null=True, verbose_name="citizen ID (CCCD)"
                    ),
                ),
                ("errors", models.JSONField(blank=True, default=list, verbose_name="errors")),
                ("warnings", models.JSONField(blank=True, default=list, verbose_name="warnings")),
                (
                    "batch",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rows",
                        to="beneficiaries.importbatch",
                        verbose_name="import",
                    ),
                ),
            ],
            options={
                "verbose_name": "imported row",
                "verbose_name_plural": "imported rows",
                "ordering": ["batch", "number"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("batch", "number"), name="importrow_batch_number"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("ok", False), ("cleaned__isnull", False), _connector="OR"
                        ),
                        name="importrow_ok_has_values",
                    ),
                ],
            },
        ),
        migrations.RunPython(failed_rows_to_rows, rows_to_failed_rows),
        migrations.RemoveField(model_name="importbatch", name="failed_rows"),
    ]
