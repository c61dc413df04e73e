from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import LoginThrottle


@admin.register(LoginThrottle)
class LoginThrottleAdmin(admin.ModelAdmin):
    """Failed-login and reset-mail counters per (user name, address) pair and per
    address. Deleting a row lifts its lock."""

    list_display = [
        "key",
        "failures",
        "window_started_at",
        "last_failure_at",
        "locked_until",
        "is_locked",
    ]
    search_fields = ["key"]
    readonly_fields = ["key", "failures", "window_started_at", "last_failure_at", "locked_until"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("locked now"), boolean=True)
    def is_locked(self, obj):
        return bool(obj.locked_until and obj.locked_until > timezone.now())
