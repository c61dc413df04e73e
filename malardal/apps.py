from django.apps import AppConfig


class MalardalConfig(AppConfig):
    """Project-wide hooks. Listed before django.contrib.admin so they are in place when
    the admin classes are made."""

    name = "malardal"
    verbose_name = "Mälardalsportalen"

    def ready(self):
        from django.contrib.admin import options
        from django.db import models

        from .forms import PlainTextField

        # Every admin form and inline (translated fields too: they subclass TextField)
        # keeps text with LF line ends; see PlainTextField.
        options.FORMFIELD_FOR_DBFIELD_DEFAULTS.setdefault(models.TextField, {})["form_class"] = (
            PlainTextField
        )
