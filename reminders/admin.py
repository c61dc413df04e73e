from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import ContactPreference, ReminderLog, ReminderRun
from .schedule import schedule_entries


@admin.register(ContactPreference)
class ContactPreferenceAdmin(admin.ModelAdmin):
    list_display = ["person", "person__email", "language"]
    list_filter = ["language"]
    list_select_related = ["person"]
    search_fields = ["person__first_name", "person__last_name", "person__email"]
    autocomplete_fields = ["person"]

    def save_model(self, request, obj, form, change):
        saved = services.contact_preference_set(person=obj.person, language=obj.language)
        obj.pk = saved.pk


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    """The reminder log: read-only evidence of what was sent to whom, with failures to
    act on. Failed reminders can be sent again once the cause is fixed."""

    list_display = [
        "created_at",
        "kind",
        "recipient",
        "email",
        "about",
        "language",
        "status",
        "attempts",
        "sent_at",
        "short_error",
    ]
    list_filter = ["status", "kind", "language", "created_at"]
    list_select_related = ["person", "user", "period__plan", "event"]
    search_fields = [
        "email",
        "subject",
        "person__first_name",
        "person__last_name",
        "user__username",
        "occasion",
    ]
    date_hierarchy = "created_at"
    actions = ["resend"]
    readonly_fields = [
        "kind",
        "occasion",
        "recipient_key",
        "person",
        "user",
        "period",
        "event",
        "email",
        "language",
        "subject",
        "status",
        "attempts",
        "claimed_at",
        "sent_at",
        "next_attempt_at",
        "error",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields

    @admin.display(description=_("recipient"))
    def recipient(self, obj):
        return obj.person or obj.user or obj.recipient_key

    @admin.display(description=_("about"))
    def about(self, obj):
        return obj.period or obj.event or obj.occasion

    @admin.display(description=_("error"))
    def short_error(self, obj):
        return obj.error[:120]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # The log is the record of what was sent; it is not edited away.
        return False

    def has_change_permission(self, request, obj=None):
        # Nothing on the page can be edited; "change" permission is what the resend
        # action and the "send due reminders now" button ask for.
        return obj is None and super().has_change_permission(request)

    def has_resend_permission(self, request):
        return request.user.has_perm("reminders.change_reminderlog")

    @admin.action(description=_("Send the selected failed reminders again"), permissions=["resend"])
    def resend(self, request, queryset):
        count = sum(services.reminder_resend(log=log) for log in queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d reminder queued to be sent again.",
                "%(count)d reminders queued to be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )

    def get_urls(self):
        return [
            path(
                "schedule/",
                self.admin_site.admin_view(self.schedule_view),
                name="reminders_reminderlog_schedule",
            ),
        ] + super().get_urls()

    def schedule_view(self, request):
        """The beat schedule, the reminder settings and the latest runs; POST queues a
        run now."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        can_run = self.has_resend_permission(request)
        if request.method == "POST":
            if not can_run:
                raise PermissionDenied
            services.reminders_request_run(trigger=ReminderRun.Trigger.ADMIN)
            self.message_user(
                request,
                _("The reminders are being sent. Refresh this page to see the run."),
                messages.SUCCESS,
            )
            return redirect(reverse("admin:reminders_reminderlog_schedule"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Reminder schedule"),
            "entries": schedule_entries(),
            "settings": [
                (
                    _("Days before a follow-up is due that owners are reminded"),
                    settings.REMINDER_FOLLOWUP_DAYS_BEFORE,
                ),
                (
                    _("Days after the due date that owners still missing are reminded again"),
                    settings.REMINDER_FOLLOWUP_DAYS_AFTER,
                ),
                (
                    _("Days before a meeting that its people are reminded"),
                    settings.REMINDER_EVENT_DAYS_BEFORE,
                ),
                (
                    _("Extra addresses for the secretariat's summary"),
                    ", ".join(settings.REMINDER_SECRETARIAT_EMAILS) or "–",
                ),
            ],
            "runs": ReminderRun.objects.all()[:10],
            "can_run": can_run,
        }
        return TemplateResponse(request, "admin/reminders/schedule.html", context)
