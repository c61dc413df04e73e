"""Secrets cannot be queried (issue 11, point 3).

A changelist filters on any field named in its query string, so without a guard
``?token_hash__startswith=a`` reads a hidden value back one character at a time. Every
admin of the portal refuses lookups on the secret fields (malardal.admin_site) with a
400, directly and across relations; and no other field's lookup, however odd, gives a
5xx. The walk covers every registered admin and every field of its model, so a new
admin or field is tested without being listed here.
"""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from malardal.admin_site import SECRET_FIELDS, SecretFieldsAdminMixin

from .world import build_world

LOOKUPS = ("startswith", "regex")


def _changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def _query_names(model):
    """Every name a changelist's query string could start a lookup with, and for each
    relation, every secret field one step across it."""
    names = set()
    for field in model._meta.get_fields():
        name = field.name  # a reverse relation's name is its query name
        names.add(name)
        related = getattr(field, "related_model", None)
        if related is not None:
            for other in related._meta.get_fields():
                if getattr(other, "name", None) in SECRET_FIELDS:
                    names.add(f"{name}__{other.name}")
    return sorted(names)


def _secret(name):
    return any(part in SECRET_FIELDS for part in name.split("__"))


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world()


def test_every_admin_refuses_lookups_on_secret_fields(world):
    superuser = Client()
    superuser.force_login(world.users["superuser"])
    secretariat = Client()
    secretariat.force_login(world.users["secretariat"])
    wrong, secrets_seen = [], 0
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, SecretFieldsAdminMixin), model._meta.label
        url = _changelist(model)
        for name in _query_names(model):
            for lookup in LOOKUPS:
                query = {f"{name}__{lookup}": "x"}
                status = superuser.get(url, query).status_code
                if _secret(name):
                    secrets_seen += 1
                    if status != 400:
                        wrong.append(f"{url}?{name}__{lookup}=x as superuser: {status}, not 400")
                    other = secretariat.get(url, query).status_code
                    if other not in (400, 403):
                        wrong.append(f"{url}?{name}__{lookup}=x as secretariat: {other}")
                elif status >= 500:
                    wrong.append(f"{url}?{name}__{lookup}=x: {status}")
    assert not wrong, "\n".join(wrong)
    # The walk met the secrets it is about: the feed token's hash, users' passwords.
    assert secrets_seen >= 8


def test_a_token_character_cannot_be_read_back(world):
    """The attack of the security review, as the secretariat: the answer is the same
    400 whatever the guess, so it says nothing about the token."""
    client = Client()
    client.force_login(world.users["secretariat"])
    url = _changelist(type(world.token))
    first = world.token.token_hash[0]
    for field in ("token", "token_hash"):
        for guess in (first, "0" if first != "0" else "1"):
            response = client.get(url, {f"{field}__startswith": guess})
            assert response.status_code == 400
    user_list = _changelist(type(world.users["member"]))
    for query in (
        {"password__startswith": "pbkdf2"},
        {"calendar_token__token_hash__startswith": first},
    ):
        assert client.get(user_list, query).status_code == 400
    # The page itself, and its search, work and never show the hash.
    page = client.get(url, {"q": world.users["member"].username})
    assert page.status_code == 200
    assert world.token.token_hash not in page.content.decode()
    change = client.get(
        reverse("admin:events_calendartoken_change", args=[world.token.pk])
    ).content.decode()
    assert world.token.token_hash not in change
    assert world.feed_token not in change
