from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EbsConfig(AppConfig):
    name = "ebs"
    verbose_name = _("En Bättre Sits")
