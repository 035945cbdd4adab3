from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkageConfig(AppConfig):
    """Transfers to court, arbitration, inspection and legal aid; reports to referring bodies."""

    name = "linkage"
    verbose_name = _("多方联动")

    def ready(self) -> None:
        from linkage import ui, workflow

        workflow.register()
        ui.register()
