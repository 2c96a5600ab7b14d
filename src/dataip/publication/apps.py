from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationConfig(AppConfig):
    name = "dataip.publication"
    verbose_name = _("公示与公告")
