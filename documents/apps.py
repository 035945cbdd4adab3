from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    """Case documents (文书) and the case file (卷宗) as PDF (issue: documents)."""

    name = "documents"
    verbose_name = _("文书与卷宗")

    def ready(self) -> None:
        from documents import checks, contexts, ui, workflow  # noqa: F401  (contexts registers the kinds)

        workflow.register()
        ui.register()
