from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import LoginThrottle
from .permissions import linkable_logins, may_change_login


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


# Login-link fields: a person's login. Their autocomplete offers only the logins the
# user may link (accounts.permissions.linkable_logins).
LOGIN_LINK_FIELDS = {("members", "person", "user")}


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin, where only a superuser changes a staff or superuser login
    or anyone's status, groups and permissions (issue 11). A user with the right to
    change users (not the secretariat, by default) edits the other logins' names and
    addresses and may deactivate them."""

    PRIVILEGE_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")

    def has_change_permission(self, request, obj=None):
        if obj is not None and not may_change_login(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not may_change_login(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [f for f in self.PRIVILEGE_FIELDS if f not in fields]
        return fields

    def get_search_results(self, request, queryset, search_term):
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name == "autocomplete":
            source = (
                request.GET.get("app_label"),
                request.GET.get("model_name"),
                request.GET.get("field_name"),
            )
            if source in LOGIN_LINK_FIELDS:
                queryset = linkable_logins(request.user, queryset)
        return queryset, distinct
