from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EbmConfig(AppConfig):
    name = "ebm"
    verbose_name = _("En Bättre Matchning")
