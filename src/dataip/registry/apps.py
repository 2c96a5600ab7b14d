from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "dataip.registry"
    verbose_name = _("数据知识产权登记")
