from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry


def _show(value):
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if value == "":
        return _("(empty)")
    return str(value)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the trail is written by the recorder and never edited by hand."""

    list_display = [
        "timestamp",
        "action",
        "kind",
        "object_repr",
        "user_repr",
        "client_address",
        "changed_fields",
    ]
    list_display_links = ["timestamp", "object_repr"]
    list_filter = [
        "action",
        ("content_type", admin.RelatedOnlyFieldListFilter),
        ("user", admin.RelatedOnlyFieldListFilter),
        "timestamp",
    ]
    list_select_related = ["content_type"]
    search_fields = ["object_repr", "object_id", "user_repr", "client_address"]
    date_hierarchy = "timestamp"
    show_full_result_count = False
    fields = [
        "timestamp",
        "action",
        "kind",
        "object_link",
        "object_id",
        "user_repr",
        "source",
        "client_address",
        "changes_table",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("kind of object"), ordering="content_type")
    def kind(self, obj):
        if obj.content_type is None:
            return "—"
        model = obj.content_type.model_class()
        return model._meta.verbose_name if model else obj.content_type.model

    @admin.display(description=_("fields"))
    def changed_fields(self, obj):
        return ", ".join(sorted(obj.changes))[:120]

    @admin.display(description=_("object"))
    def object_link(self, obj):
        if obj.action != AuditEntry.Action.DELETE and obj.content_type is not None:
            ct = obj.content_type
            try:
                url = reverse(f"admin:{ct.app_label}_{ct.model}_change", args=[obj.object_id])
            except NoReverseMatch:
                url = None
            model = ct.model_class()
            if url and model and model._default_manager.filter(pk=obj.object_id).exists():
                return format_html('<a href="{}">{}</a>', url, obj.object_repr)
        return obj.object_repr

    @admin.display(description=_("changes"))
    def changes_table(self, obj):
        if not obj.changes:
            return "—"
        model = obj.content_type.model_class() if obj.content_type else None

        def label(name):
            try:
                return str(model._meta.get_field(name).verbose_name)
            except Exception:  # noqa: BLE001 - a field since removed keeps its name
                return name

        rows = format_html_join(
            "",
            '<tr><th scope="row">{}</th><td>{}</td><td>{}</td></tr>',
            (
                (label(name), _show(old), _show(new))
                for name, (old, new) in sorted(obj.changes.items())
            ),
        )
        return format_html(
            '<table class="audit-changes"><thead><tr><th scope="col">{}</th>'
            '<th scope="col">{}</th><th scope="col">{}</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            _("field"),
            _("before"),
            _("after"),
            rows,
        )
