"""Background rendering (Celery). Both tasks are idempotent: a redelivered message finds the
row no longer pending and does nothing, so acks_late and reject_on_worker_lost are safe."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=120, time_limit=180)
def render_document_task(document_id: int) -> str:
    from documents.services import document_render

    document = document_render(document_id)
    return document.status if document is not None else "missing"


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=1500, time_limit=1800)
def build_archive_task(volume_id: int) -> str:
    from documents.archive import archive_build

    volume = archive_build(volume_id)
    return volume.status if volume is not None else "missing"


@shared_task(acks_late=True, reject_on_worker_lost=True)
def resend_pending_documents_task() -> int:
    """Beat (CELERY_BEAT_SCHEDULE): re-send renders whose message never reached the broker."""
    from documents.services import documents_resend_pending

    return documents_resend_pending()
