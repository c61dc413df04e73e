"""Documents in the admin: attached on the page of what they belong to (an inline on
plans, sections, activities, events and bodies), listed all together here. Every save
and delete goes through documents.services."""

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.forms import BaseGenericInlineFormSet
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Document
from .validation import document_file_kind

EDITABLE = ("title_sv", "title_en", "date", "visibility", "order")


class DocumentForm(forms.ModelForm):
    class Meta:
        model = Document
        fields = ("title_sv", "title_en", "file", "date", "visibility", "order")

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        # A newly chosen file is checked by its content; a kept one was checked before.
        if upload is not None and hasattr(upload, "content_type"):
            document_file_kind(upload)
        return upload


class DocumentFormSet(BaseGenericInlineFormSet):
    """Saves through the services, as the user of the request (set by the inline)."""

    request = None

    def save_new(self, form, commit=True):
        data = form.cleaned_data
        return services.document_create(
            target=self.instance,
            file=data["file"],
            by=self.request.user,
            **{name: data.get(name) for name in EDITABLE if name in data},
        )

    def save_existing(self, form, obj, commit=True):
        data = form.cleaned_data
        upload = data.get("file")
        replaced = upload if upload is not None and hasattr(upload, "content_type") else None
        return services.document_update(
            document=obj,
            by=self.request.user,
            file=replaced,
            **{name: data.get(name) for name in EDITABLE if name in data},
        )

    def delete_existing(self, obj, commit=True):
        if commit:
            services.document_delete(document=obj, by=self.request.user)


class DocumentInline(GenericTabularInline):
    model = Document
    form = DocumentForm
    formset = DocumentFormSet
    extra = 0
    fields = ("title_sv", "title_en", "file", "date", "visibility", "order")
    verbose_name = _("document")
    verbose_name_plural = _("documents (PDF, DOCX, XLSX, ODT)")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"request": request})


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Every document in one list. New ones are attached from the page of what they
    belong to, where the inline knows the target."""

    form = DocumentForm
    list_display = ("title", "target_label", "visibility", "kind", "size", "date", "uploaded_at")
    list_filter = ("visibility", "kind", "content_type")
    search_fields = ("title_sv", "title_en")
    list_select_related = ("content_type",)

    def get_queryset(self, request):
        # The list names what each document is attached to: one query per kind of
        # target, not one per row.
        return super().get_queryset(request).prefetch_related("target")

    readonly_fields = ("target_label", "kind", "size", "uploaded_at")
    fields = ("target_label", *DocumentForm.Meta.fields, "kind", "size", "uploaded_at")

    @admin.display(description=_("attached to"))
    def target_label(self, obj):
        return f"{obj.content_type.name}: {obj.target}" if obj.target else "—"

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data.get("file")
        replaced = upload if upload is not None and hasattr(upload, "content_type") else None
        try:
            services.document_update(
                document=obj,
                by=request.user,
                file=replaced,
                **{name: form.cleaned_data[name] for name in EDITABLE},
            )
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))

    def delete_model(self, request, obj):
        services.document_delete(document=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        # Django's "delete selected" would delete rows only: each goes through the
        # service, which removes its file too.
        for document in queryset:
            services.document_delete(document=document, by=request.user)


def _attach_inline_to_targets():
    """Put the documents inline on the admin of every model documents attach to. Done
    from here so that the plan, events and members apps need not know of documents
    (dependencies flow one way); their admins are registered before this module runs
    (documents comes after them in INSTALLED_APPS)."""
    from django.apps import apps

    from .models import TARGETS

    for app_label, model_name in TARGETS:
        model = apps.get_model(app_label, model_name)
        model_admin = admin.site._registry.get(model)
        if model_admin is not None and DocumentInline not in model_admin.inlines:
            model_admin.inlines = [*model_admin.inlines, DocumentInline]


_attach_inline_to_targets()
