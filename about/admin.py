from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from modeltranslation.admin import TranslationAdmin

from . import services
from .models import ContactDetails
from .selectors import contact_details


@admin.register(ContactDetails)
class ContactDetailsAdmin(TranslationAdmin):
    """One row: it is neither added twice (the add form leads to it) nor deleted."""

    fields = services.FIELDS
    list_display = ["__str__", "email", "phone"]

    def add_view(self, request, form_url="", extra_context=None):
        # Checked here, not in has_add_permission, which the admin's menu asks on every
        # admin page: a second row is never made, the form leads to the one there is.
        details = contact_details()
        if details.pk is not None:
            return redirect(reverse("admin:about_contactdetails_change", args=[details.pk]))
        return super().add_view(request, form_url, extra_context)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = services.contact_details_update(
            by=request.user, **{name: form.cleaned_data[name] for name in services.FIELDS}
        )
        obj.pk = saved.pk
