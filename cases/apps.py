from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_reference_data(sender: AppConfig, **kwargs: Any) -> None:
    # Reference data every database needs (like contenttypes): the holiday calendar.
    from accounts.services import system_user
    from cases.services import holidays_load

    holidays_load(actor=system_user())


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("案件")

    def ready(self) -> None:
        from cases.ui import register_transition_url
        from cases.workflow import WIRED_TRANSITIONS

        post_migrate.connect(_load_reference_data, sender=self, dispatch_uid="cases.load_reference_data")
        for name in WIRED_TRANSITIONS:
            register_transition_url(name, "cases:transition", with_name=True)
