"""Writes of the dashboards app: only the rebuild of the figure rows (the triggers of
``dashboards/sql/figures.sql`` keep them exact otherwise)."""

from django.db import connection, transaction


@transaction.atomic
def figures_rebuild() -> int:
    """Recompute every row of ``dashboards_proposalfigures`` from the đề án and their
    tranches (the view ``dashboards_figures_expected``), e.g. after a bulk load that ran
    with triggers off. Returns the number of rows."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT dashboards_figures_rebuild()")
        return cursor.fetchone()[0]
