"""Record every create, change and delete of the audited models, whatever the path:
the admin, imports, services, Celery tasks, the shell.

Signal receivers (connected in ``AuditConfig.ready``):

- ``pre_save`` reads the row as stored, ``post_save`` writes an entry with the fields
  that changed (one query each way; nothing is written when nothing changed);
- ``pre_delete`` reads the many-to-many values, ``post_delete`` writes an entry with
  every field's last value — cascades send these too, so deleting a plan leaves an
  entry for each section, goal and activity that went with it;
- ``m2m_changed`` records a changed many-to-many field as ``[old list, new list]``
  on the object that has the field, from either side of the relation.

Not seen: ``QuerySet.update()``, ``bulk_create()`` and raw SQL, which send no signals;
and fixture loading (``raw=True``), which is not a user's change. Code that writes
audited rows in bulk records them itself with :func:`record_created` (the roll-over);
``tests/audit/test_bulk_writes.py`` finds every bulk write in the code and fails on one
that is neither recorded nor explained. Events no signal reports (logins, lock-outs,
erasures) are written with :func:`record`. Every entry has the client's address when
there is a request.
"""

import datetime
import decimal
import uuid

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from .context import Actor, current_actor, recording_suspended

# The apps whose models are audited, and the login models (who may do what).
AUDITED_APPS = ("members", "plan", "ebs", "ebm", "events", "documents", "about")
AUDITED_MODELS = ("auth.User", "auth.Group")
# Job records that keep their own timestamps; auditing them would only add noise.
EXCLUDED_MODELS = {"plan.ReportRequest"}
# Values that are secrets (credentials or derived from one): the entry says that they
# changed, never what they are. The admin refuses lookups on the same names
# (malardal.admin_site).
SECRET_FIELDS = frozenset(
    {
        "password",
        "token",
        "token_hash",
        "claim_token",
        "session_key",
        "session_data",
        "secret",
    }
)
MASK = "***"
# Fields that change without anyone editing the object.
IGNORED_FIELDS = {"last_login"}


def audited_models():
    result = []
    for app_label in AUDITED_APPS:
        try:
            config = apps.get_app_config(app_label)
        except LookupError:
            continue
        result.extend(config.get_models())
    for label in AUDITED_MODELS:
        result.append(apps.get_model(label))
    return [m for m in result if m._meta.label not in EXCLUDED_MODELS]


def connect_signals():
    for model in audited_models():
        uid = f"audit:{model._meta.label}"
        pre_save.connect(_pre_save, sender=model, dispatch_uid=uid)
        post_save.connect(_post_save, sender=model, dispatch_uid=uid)
        pre_delete.connect(_pre_delete, sender=model, dispatch_uid=uid)
        post_delete.connect(_post_delete, sender=model, dispatch_uid=uid)
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                _m2m_changed,
                sender=field.remote_field.through,
                dispatch_uid=f"audit:{model._meta.label}.{field.name}",
            )


# --- fields and values --------------------------------------------------------------


def _fields(model):
    """The concrete fields worth recording. A modeltranslation original (``text``)
    is left out: it mirrors ``text_sv``, which is recorded with ``text_en``."""
    fields = model._meta.concrete_fields
    mirrored = {f.translated_field.name for f in fields if hasattr(f, "translated_field")}
    return [f for f in fields if f.name not in mirrored and f.name not in IGNORED_FIELDS]


def _jsonable(field, value):
    if isinstance(field, models.FileField):
        return getattr(value, "name", value) or ""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID | datetime.timedelta):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return "<binary>"
    return str(value)


def _value(field, raw):
    try:
        raw = field.to_python(raw)
    except Exception:  # noqa: BLE001 - an unclean value is recorded as it is
        pass
    return _jsonable(field, raw)


def _snapshot(instance):
    return {f.name: _value(f, f.value_from_object(instance)) for f in _fields(type(instance))}


def _mask(name, old, new):
    if name in SECRET_FIELDS:
        return [MASK if old else old, MASK if new else new]
    return [old, new]


def _label(obj):
    if isinstance(obj, Permission):
        return f"{obj.content_type.app_label}.{obj.codename}"
    try:
        return f"{obj} (#{obj.pk})"
    except Exception:  # noqa: BLE001 - a broken __str__ must not stop the change
        return f"#{obj.pk}"


def _related_labels(manager):
    queryset = manager.all()
    if queryset.model is Permission:
        queryset = queryset.select_related("content_type")
    return sorted(_label(obj) for obj in queryset)


def _repr(instance):
    try:
        return str(instance)[:300]
    except Exception:  # noqa: BLE001 - related rows may already be gone in a cascade
        return f"{instance._meta.verbose_name} #{instance.pk}"[:300]


def _entry(action, instance, changes, using, *, object_repr=None, by=None):
    from .models import AuditEntry

    actor = current_actor()
    if by is not None:
        actor = Actor(by, by.get_username(), actor.source, actor.address)
    return AuditEntry(
        action=action,
        content_type=(
            ContentType.objects.db_manager(using).get_for_model(instance, for_concrete_model=False)
            if instance is not None
            else None
        ),
        object_id=str(instance.pk) if instance is not None else "",
        object_repr=(object_repr if object_repr is not None else _repr(instance))[:300],
        changes=changes,
        user=actor.user,
        user_repr=actor.label[:150],
        source=actor.source,
        client_address=actor.address,
    )


def _write(action, instance, changes, using):
    if recording_suspended():
        return
    _entry(action, instance, changes, using).save(using=using)


def record(action, instance=None, *, changes=None, object_repr=None, by=None, using="default"):
    """Write one entry that no signal writes: a login, a lock-out, an erasure. The
    actor (unless `by` names the user), source and client address are the current ones
    (audit.context). Returns the entry."""
    entry = _entry(action, instance, changes or {}, using, object_repr=object_repr, by=by)
    entry.save(using=using)
    return entry


def record_created(objects, *, using="default"):
    """Write a create entry for each of `objects`, saved by ``bulk_create()`` (which
    sends no signals), with every field's value and, for their many-to-many fields,
    the related objects' labels. Call it after the rows and their relations are
    written, in the same transaction."""
    from django.db.models import prefetch_related_objects

    from .models import AuditEntry

    objects = list(objects)
    if not objects or recording_suspended():
        return []
    model = type(objects[0])
    m2m = [f.name for f in model._meta.local_many_to_many]
    if m2m:
        prefetch_related_objects(objects, *m2m)
    entries = []
    for obj in objects:
        changes = {
            name: _mask(name, None, value)
            for name, value in _snapshot(obj).items()
            if value not in (None, "")
        }
        for name in m2m:
            labels = sorted(_label(o) for o in getattr(obj, name).all())
            if labels:
                changes[name] = [None, labels]
        entries.append(_entry("create", obj, changes, using))
    return AuditEntry.objects.using(using).bulk_create(entries, batch_size=500)


# --- receivers ----------------------------------------------------------------------


def _pre_save(sender, instance, raw=False, using=None, update_fields=None, **kwargs):
    instance.__dict__.pop("_audit_before", None)
    if raw or instance._state.adding or instance.pk is None:
        return
    fields = _fields(sender)
    if update_fields is not None:
        fields = [f for f in fields if f.name in update_fields or f.attname in update_fields]
        if not fields:
            return  # e.g. last_login on every login
    row = (
        sender._base_manager.using(using)
        .filter(pk=instance.pk)
        .values(*[f.attname for f in fields])
        .first()
    )
    if row is not None:
        instance.__dict__["_audit_before"] = {f.name: _value(f, row[f.attname]) for f in fields}


def _post_save(sender, instance, created, raw=False, using=None, **kwargs):
    if raw:
        return
    before = instance.__dict__.pop("_audit_before", None)
    if created:
        changes = {
            name: _mask(name, None, value)
            for name, value in _snapshot(instance).items()
            if value not in (None, "")
        }
        _write("create", instance, changes, using)
        return
    if before is None:
        return  # only ignored fields were saved
    after = _snapshot(instance)
    auto_now = {f.name for f in _fields(sender) if getattr(f, "auto_now", False)}
    changes = {
        name: _mask(name, old, after[name])
        for name, old in before.items()
        if name not in auto_now and after.get(name) != old
    }
    if changes:
        _write("update", instance, changes, using)


def _pre_delete(sender, instance, using=None, **kwargs):
    # Through rows go with the object without an m2m_changed signal: read them first.
    instance.__dict__["_audit_m2m_before_delete"] = {
        field.name: _related_labels(getattr(instance, field.name))
        for field in sender._meta.local_many_to_many
    }


def _post_delete(sender, instance, using=None, **kwargs):
    changes = {name: _mask(name, value, None) for name, value in _snapshot(instance).items()}
    for name, labels in instance.__dict__.pop("_audit_m2m_before_delete", {}).items():
        changes[name] = [labels, None]
    _write("delete", instance, changes, using)


def _m2m_field(sender, forward_model):
    for field in forward_model._meta.local_many_to_many:
        if field.remote_field.through is sender:
            return field
    return None


def _m2m_changed(sender, instance, action, reverse, model, pk_set, using=None, **kwargs):
    if action.startswith("pre_"):
        if reverse:
            field = _m2m_field(sender, model)
            if field is None:
                return
            if action == "pre_clear":
                accessor = field.remote_field.get_accessor_name()
                targets = list(getattr(instance, accessor).all())
            else:
                targets = list(model._base_manager.using(using).filter(pk__in=pk_set or ()))
        else:
            field = _m2m_field(sender, type(instance))
            if field is None:
                return
            targets = [instance]
        stash = instance.__dict__.setdefault("_audit_m2m", {})
        stash[(sender, action[4:])] = (
            field,
            [(target, _related_labels(getattr(target, field.name))) for target in targets],
        )
        return
    stashed = instance.__dict__.get("_audit_m2m", {}).pop((sender, action[5:]), None)
    if stashed is None:
        return
    field, targets = stashed
    for target, before in targets:
        after = _related_labels(getattr(target, field.name))
        if after != before:
            _write("update", target, {field.name: [before, after]}, using)
