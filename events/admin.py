from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from malardal.importexport import ImportExportTranslationAdmin

from . import services
from .models import CalendarToken, Event, Registration
from .resources import EventResource


class RegistrationInline(admin.TabularInline):
    """Who has answered, shown on the event's page. Answers are the members' own;
    the secretariat reads them here."""

    model = Registration
    extra = 0
    fields = ["user", "response", "updated_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Event)
class EventAdmin(ImportExportTranslationAdmin):
    resource_classes = [EventResource]
    list_display = [
        "title",
        "kind",
        "start_date",
        "body",
        "status",
        "visibility",
        "registration_open",
        "attending",
    ]
    list_filter = ["kind", "status", "visibility", "registration_open", "start_date"]
    list_select_related = ["body"]
    search_fields = ["slug", "title_sv", "title_en", "place_sv", "place_en"]
    autocomplete_fields = ["body", "parent", "hosts", "sections", "activities"]
    prepopulated_fields = {"slug": ["title_sv"]}
    date_hierarchy = "start_date"
    inlines = [RegistrationInline]
    readonly_fields = ["status", "cancelled_at", "uid", "sequence", "created_at", "modified_at"]
    actions = ["cancel_events"]
    fieldsets = [
        (None, {"fields": [("title_sv", "title_en"), "slug", "kind", "parent", "body"]}),
        (
            _("When and where"),
            {
                "fields": [
                    ("start_date", "end_date"),
                    ("start_time", "end_time"),
                    ("date_note_sv", "date_note_en"),
                    ("place_sv", "place_en"),
                ]
            },
        ),
        (_("Description"), {"fields": [("description_sv", "description_en")]}),
        (_("Hosts and the plan"), {"fields": ["hosts", "sections", "activities"]}),
        (_("Visibility and registration"), {"fields": ["visibility", "registration_open"]}),
        (
            _("In calendars"),
            {
                "fields": [
                    ("status", "cancelled_at"),
                    ("uid", "sequence"),
                    ("created_at", "modified_at"),
                ],
                "description": _(
                    "An event is cancelled with the action “Cancel the selected events” in "
                    "the list of events."
                ),
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        services.event_save(event=obj)

    @admin.action(description=_("Cancel the selected events"), permissions=["change"])
    def cancel_events(self, request, queryset):
        cancelled = sum(services.event_cancel(event=event, by=request.user) for event in queryset)
        already = queryset.count() - cancelled
        if cancelled:
            self.message_user(
                request,
                ngettext(
                    "%(count)d event is cancelled. Those registered as attending are sent a "
                    "cancellation.",
                    "%(count)d events are cancelled. Those registered as attending are sent "
                    "a cancellation.",
                    cancelled,
                )
                % {"count": cancelled},
                messages.SUCCESS,
            )
        if already:
            self.message_user(
                request,
                ngettext(
                    "%(count)d event was cancelled already; nothing was sent again.",
                    "%(count)d events were cancelled already; nothing was sent again.",
                    already,
                )
                % {"count": already},
                messages.WARNING,
            )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _attending=Count(
                    "registrations",
                    filter=Q(registrations__response=Registration.Response.ATTENDING),
                )
            )
        )

    @admin.display(description=_("attending"), ordering="_attending")
    def attending(self, obj):
        return obj._attending


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["event", "user", "response", "created_at", "updated_at"]
    list_filter = ["response", "event__kind"]
    list_select_related = ["event", "user"]
    search_fields = ["event__title_sv", "event__slug", "user__username", "user__email"]
    autocomplete_fields = ["event", "user"]
    readonly_fields = ["created_at", "updated_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("event", "user")


@admin.register(CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):
    """Who has a personal calendar feed. The token itself is a credential and is not
    shown; deleting the row revokes a leaked feed URL (the member gets a new one)."""

    list_display = ["user", "created_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name"]
    fields = ["user", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
