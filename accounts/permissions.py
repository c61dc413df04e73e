"""Who may do what to a login (issue 11, point 1): the one place the rules live.

A login with staff status or superuser status is *privileged*: only a superuser may
change, deactivate or erase it, or change its groups and permissions — directly, through
a person linked to it, an admin action, an import, an inline or a task. Linking a person
to a login (which lets the login report for that person) needs the right to change
users, and then only to a login the user may change.

``by=None`` is the system (a management command, a migration): it may do anything.
The services call these and raise PermissionDenied; the admin uses them to offer only
what is allowed; :mod:`accounts.guards` refuses any save that slips past both.
"""

CHANGE_USER = "auth.change_user"


def is_privileged(login) -> bool:
    """Staff or superuser: the logins the secretariat can never change."""
    return bool(login is not None and (login.is_staff or login.is_superuser))


def may_change_login(by, login) -> bool:
    """Whether `by` may change, deactivate or erase `login` (its name, flags, password,
    groups), through any path."""
    if by is None or login is None:
        return True
    if not getattr(by, "is_active", False):
        return False
    if by.is_superuser:
        return True
    return not is_privileged(login) and by.has_perm(CHANGE_USER)


def may_link_login(by, login) -> bool:
    """Whether `by` may link a person to `login`, or unlink it: the right to change
    users, on a login they may change."""
    return may_change_login(by, login)


def may_erase_login(by, login) -> bool:
    """Whether erasing a person's data may close `login` (deactivate it, drop its
    password, groups and name). The secretariat erases members (issue 6), so deleting
    persons is enough for an ordinary login; a privileged one needs a superuser."""
    if by is None or login is None:
        return True
    if not getattr(by, "is_active", False):
        return False
    return by.is_superuser or not is_privileged(login)


def linkable_logins(by, queryset):
    """`queryset` (users) narrowed to the logins `by` may link a person to."""
    if by is None or by.is_superuser:
        return queryset
    if not by.is_active or not by.has_perm(CHANGE_USER):
        return queryset.none()
    return queryset.filter(is_staff=False, is_superuser=False)
