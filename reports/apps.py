from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Statistics, upward reporting and imports (issue: statistics)."""

    name = "reports"
    verbose_name = _("统计与上报")
