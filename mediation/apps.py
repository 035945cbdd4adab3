from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    """Sessions, transcripts, agreements, payments, follow-ups, service of documents."""

    name = "mediation"
    verbose_name = _("调解工作")

    def ready(self) -> None:
        from mediation import apis, ui, workflow

        workflow.register()
        ui.register()
        apis.register()
