"""Writes of the dashboards app: only the rebuild of the figure rows and rollups (the
triggers of ``dashboards/sql/figures.sql`` and ``rollups.sql`` keep them exact otherwise)."""

from django.db import connection, transaction


@transaction.atomic
def figures_rebuild() -> int:
    """Recompute every row of ``dashboards_proposalfigures`` from the đề án and their
    tranches (the view ``dashboards_figures_expected``), then every rollup from its
    definition, e.g. after a bulk load that ran with triggers off. Returns the number of
    figure rows."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT dashboards_figures_rebuild()")
        rows = cursor.fetchone()[0]
        cursor.execute("SELECT dashboards_rollups_rebuild()")
        return rows
