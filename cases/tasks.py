from celery import shared_task

from accounts.services import system_user
from cases.services import deadlines_sweep


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sweep_deadlines_task() -> dict[str, int]:
    """Nightly (celery beat): raise overdue alerts. Idempotent, so a retry is harmless."""
    return deadlines_sweep(actor=system_user())
