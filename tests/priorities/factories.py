from __future__ import annotations

from django.apps import apps as django_apps

from priorities.models import Priority


def priority(code: str) -> Priority:
    """A priority of the catalogue (a data migration; put back after a flush)."""
    if not Priority.objects.filter(code=code).exists():
        from priorities.catalogue import load_priorities

        load_priorities(django_apps)
    return Priority.objects.select_related("document").get(code=code)
