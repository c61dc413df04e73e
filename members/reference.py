"""The reference list of municipalities and regions (``members/data/organisations.yaml``)
and the memberships public record states (``members/data/memberships.yaml``), loaded by
``load_plan_2023``. Both loads are safe to repeat: they only add what is missing and
never change what the secretariat has entered (except, with ``update=True``, the names,
kind and county of the reference organisations)."""

from collections.abc import Callable
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction

from .models import County, Membership, Organisation

DATA = Path(__file__).resolve().parent / "data"
ORGANISATIONS_FILE = DATA / "organisations.yaml"
MEMBERSHIPS_FILE = DATA / "memberships.yaml"
LANGUAGES = [code for code, _name in settings.LANGUAGES]

Counter = Callable[[str, type], None]


class ReferenceDataError(Exception):
    """The reference file is malformed or names something that does not exist."""


def _read(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _names(values: dict, field: str) -> dict:
    return {f"{field}_{lang}": str(values[lang]).strip() for lang in LANGUAGES}


def reference_rows(path: Path = ORGANISATIONS_FILE) -> list[dict]:
    """The reference organisations: the regions, then the municipalities (Region Gotland
    among them), each a dict with code, county, slug, kind and name {sv, en}."""
    data = _read(path)
    rows = [{**row, "kind": "region"} for row in data["regions"]]
    rows += [{"kind": "municipality", **row} for row in data["municipalities"]]
    return rows


def _count(on_change: Counter | None, what: str, model: type) -> None:
    if on_change is not None:
        on_change(what, model)


@transaction.atomic
def load_reference_organisations(*, update: bool = False, on_change: Counter | None = None):
    """Create the counties and the organisations of the reference list that are missing.

    An organisation is found by its code; one without a code that has the row's short
    name (entered before codes existed) gets the code. Existing organisations keep their
    names unless `update`. `on_change("created"|"updated", model)` is told of each
    write."""
    data = _read(ORGANISATIONS_FILE)
    counties = {}
    for row in data["counties"]:
        county = County.objects.filter(code=row["code"]).first()
        values = _names(row["name"], "name")
        if county is None:
            county = County(code=row["code"], **values)
            county.full_clean()
            county.save()
            _count(on_change, "created", County)
        elif update and any(getattr(county, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(county, key, value)
            county.full_clean()
            county.save()
            _count(on_change, "updated", County)
        counties[row["code"]] = county
    for row in reference_rows():
        values = {
            **_names(row["name"], "name"),
            "kind": row["kind"],
            "county": counties[row["county"]],
        }
        organisation = Organisation.objects.filter(code=row["code"]).first()
        if organisation is None:
            organisation = Organisation.objects.filter(slug=row["slug"]).first()
            if organisation is not None and organisation.code:
                raise ReferenceDataError(
                    f"{row['slug']} has the code {organisation.code}, the reference list "
                    f"gives {row['code']}"
                )
        if organisation is None:
            organisation = Organisation(slug=row["slug"], code=row["code"], **values)
            organisation.full_clean()
            organisation.save()
            _count(on_change, "created", Organisation)
            continue
        changed = []
        if not organisation.code:
            organisation.code = row["code"]
            changed.append("code")
        if update:
            changed += [k for k, v in values.items() if getattr(organisation, k) != v]
            for key in changed:
                if key != "code":
                    setattr(organisation, key, values[key])
        if changed:
            organisation.full_clean()
            organisation.save()
            _count(on_change, "updated", Organisation)


@transaction.atomic
def load_memberships(*, on_change: Counter | None = None) -> None:
    """Add the memberships of ``memberships.yaml`` to organisations that have none."""
    for row in _read(MEMBERSHIPS_FILE)["memberships"]:
        if "code" in row:
            organisation = Organisation.objects.filter(code=row["code"]).first()
        else:
            organisation = Organisation.objects.filter(slug=row["slug"]).first()
        if organisation is None:
            raise ReferenceDataError(f"No organisation {row.get('code') or row.get('slug')!r}")
        if organisation.memberships.exists():
            continue
        membership = Membership(
            organisation=organisation,
            kind=row["kind"],
            start_date=row.get("start_date"),
            end_date=row.get("end_date"),
            **_names(row["note"], "note"),
        )
        membership.full_clean()
        membership.save()
        _count(on_change, "created", Membership)
