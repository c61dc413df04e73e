"""The last line of defence for logins (issue 11, point 1): whatever path a write takes
— a form, an admin action, an import, an inline, a task acting for a user — a user who is
not a superuser cannot

- change a staff or superuser login (other than saving their own, e.g. a new password),
- give or take away staff or superuser status, on any login, their own included,
- change the groups or permissions of a staff or superuser login, or the permissions of
  a group such a login is in.

The services check the same rules first (accounts.permissions) and say why; these
receivers refuse whatever slips past them with PermissionDenied (a 403), so the write
and its transaction are rolled back. The actor is the audit trail's (audit.context):
the request's user, or the user a task acts for. Without one (commands, the password
reset link, migrations) nothing is refused here.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models.signals import m2m_changed, pre_save
from django.utils.translation import gettext

from audit.context import current_actor

from .permissions import is_privileged


def _actor():
    """The user acting now, unless it is the system or a superuser (no limits)."""
    user = current_actor().user
    if user is None or user.is_superuser:
        return None
    return user


def _refuse():
    raise PermissionDenied(
        gettext("Only a superuser may change a login with staff or superuser status.")
    )


def guard_user_save(sender, instance, raw=False, using=None, **kwargs):
    if raw:
        return
    by = _actor()
    if by is None:
        return
    stored = (
        sender._base_manager.using(using)
        .filter(pk=instance.pk)
        .values("is_staff", "is_superuser")
        .first()
        if instance.pk is not None
        else None
    )
    if stored is None:
        if is_privileged(instance):
            _refuse()
        return
    if (stored["is_staff"], stored["is_superuser"]) != (instance.is_staff, instance.is_superuser):
        _refuse()
    if (stored["is_staff"] or stored["is_superuser"]) and instance.pk != by.pk:
        _refuse()


def guard_user_relations(sender, instance, action, reverse, model, pk_set, using=None, **kw):
    """A login's groups and permissions, from either side of the relation."""
    if not action.startswith("pre_"):
        return
    by = _actor()
    if by is None:
        return
    User = get_user_model()
    if not reverse:
        users = [instance]
    elif action == "pre_clear":
        users = list(instance.user_set.all())
    else:
        users = list(User._base_manager.using(using).filter(pk__in=pk_set or ()))
    if any(is_privileged(user) for user in users):
        _refuse()


def guard_group_permissions(sender, instance, action, reverse, model, pk_set, using=None, **kw):
    """A group's permissions are its members' permissions."""
    if not action.startswith("pre_"):
        return
    by = _actor()
    if by is None:
        return
    if reverse:
        groups = Group.objects.using(using)
        groups = (
            instance.group_set.all()
            if action == "pre_clear"
            else groups.filter(pk__in=pk_set or ())
        )
    else:
        groups = Group.objects.using(using).filter(pk=instance.pk)
    members = get_user_model()._base_manager.using(using).filter(groups__in=groups)
    if members.filter(is_staff=True).exists() or members.filter(is_superuser=True).exists():
        _refuse()


def connect():
    User = get_user_model()
    pre_save.connect(guard_user_save, sender=User, dispatch_uid="accounts_guard_user")
    m2m_changed.connect(
        guard_user_relations, sender=User.groups.through, dispatch_uid="accounts_guard_groups"
    )
    m2m_changed.connect(
        guard_user_relations,
        sender=User.user_permissions.through,
        dispatch_uid="accounts_guard_user_permissions",
    )
    m2m_changed.connect(
        guard_group_permissions,
        sender=Group.permissions.through,
        dispatch_uid="accounts_guard_group_permissions",
    )
