"""Background work of the registry: mail after an event, the periodic scheduler tick."""

from __future__ import annotations

from django_tasks import task

from dataip.registry import services


@task()
def application_event_notify(*, event_id: int) -> int:
    return services.application_event_notify(event_id=event_id)


@task()
def registry_tick() -> dict[str, list[str]]:
    report = services.registry_tick()
    return {"deemed_withdrawn": report.deemed_withdrawn, "registered": report.registered}
