"""The decision constraint covers every funded status (projects.models.FUNDED_STATES): an
amendment in preparation keeps the approval decision it amends, so it has one too (the
earlier list left "amending" out)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("projects", "0004_proposal_compliance")]

    operations = [
        migrations.RemoveConstraint(model_name="proposal", name="approved_proposal_has_decision"),
        migrations.AddConstraint(
            model_name="proposal",
            constraint=models.CheckConstraint(
                condition=~models.Q(
                    status__in=(
                        "approved",
                        "amending",
                        "in_implementation",
                        "accepted",
                        "settled",
                        "closed",
                    )
                )
                | (models.Q(decision_number__gt="") & models.Q(decision_date__isnull=False)),
                name="approved_proposal_has_decision",
                violation_error_message="An approved proposal needs its decision number and date.",
            ),
        ),
    ]
