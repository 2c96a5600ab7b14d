from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "dataip.review"
    verbose_name = _("审查工作台")
