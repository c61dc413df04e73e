"""Loading the adopted 2023 operations plan, which the portal ships as its initial data.

The plan lives in ``plan/data/verksamhetsplan_2023.yaml``: every heading, paragraph, goal
and activity in Swedish as adopted, with its English translation, plus the registers the
plan names (counties, organisations, bodies, meeting places, key figures, the two
programmes).

The load is safe to repeat: objects are found by their natural keys (county code, slug,
year …) and only what is missing is created, so a second run changes nothing and never
overwrites what the secretariat has since edited in the admin. With ``update=True`` the
texts of existing objects are brought back in line with the file instead.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml
from django.conf import settings
from django.db import models, transaction

from ebm.models import ActionPlanArea, OccupationalArea, ParticipatingRegion
from ebs.models import FreightStrategy, ParticipatingCounty, SystemAnalysis
from events.models import Event
from members import reference
from members.models import Body, County, Organisation, Partnership
from plan.freeze import frozen_message
from plan.models import (
    Activity,
    ActivityGoal,
    CommunicationPriority,
    DirectionGoal,
    Goal,
    Indicator,
    IndicatorValue,
    Plan,
    PriorityArea,
    PriorityAreaItem,
    Section,
)

PLAN_2023_FILE = Path(__file__).resolve().parent / "data" / "verksamhetsplan_2023.yaml"
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def _plan_text_models():
    return (
        Plan,
        DirectionGoal,
        PriorityArea,
        PriorityAreaItem,
        Section,
        Goal,
        Activity,
        CommunicationPriority,
    )


class SeedError(Exception):
    """The seed file is malformed or refers to something it does not define."""


@dataclass
class LoadResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, model: type[models.Model]) -> None:
        bucket = self.created if kind == "created" else self.updated
        name = model._meta.verbose_name_plural
        bucket[str(name)] = bucket.get(str(name), 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


PLAN_TEXT_MODELS = _plan_text_models()


def read_seed(path: Path = PLAN_2023_FILE) -> dict:
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as exc:
        raise SeedError(f"Cannot read {path}: {exc}") from exc
    if not isinstance(data, dict) or "plan" not in data:
        raise SeedError(f"{path} has no 'plan' at its top level")
    return data


def translated(values: dict | None, name: str) -> dict:
    """``{"sv": "…", "en": "…"}`` → ``{"name_sv": "…", "name_en": "…"}``."""
    if values is None:
        return {f"{name}_{lang}": "" for lang in LANGUAGES}
    if not isinstance(values, dict):
        raise SeedError(f"{name}: expected a mapping of languages, got {values!r}")
    missing = [lang for lang in LANGUAGES if not str(values.get(lang) or "").strip()]
    if missing:
        raise SeedError(f"{name}: no text in {', '.join(missing)} for {values!r}")
    return {f"{name}_{lang}": str(values[lang]).strip() for lang in LANGUAGES}


class _Loader:
    def __init__(self, data: dict, update: bool):
        self.data = data
        self.update = update
        self.result = LoadResult()
        self.counties: dict[str, County] = {}
        self.organisations: dict[str, Organisation] = {}
        self.bodies: dict[str, Body] = {}
        self.sections: dict[str, Section] = {}
        self.activities: dict[str, list[Activity]] = {}
        self.direction_goals: dict[str, DirectionGoal] = {}
        self.goals: dict[str, list[Goal]] = {}
        self.plan: Plan | None = None

    # -- generic upsert -------------------------------------------------------------

    def upsert(self, model, lookup: dict, values: dict):
        """Find by ``lookup``; create with ``values`` if missing. Existing objects are
        changed only in update mode, and only where a value differs."""
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
            obj.full_clean()
            obj.save()
            self.result.count("created", model)
            return obj
        if self.update:
            changed = [k for k, v in values.items() if getattr(obj, k) != v]
            if changed and self.frozen_plan is not None and model in PLAN_TEXT_MODELS:
                raise SeedError(
                    f"{frozen_message(self.frozen_plan)} ({model._meta.verbose_name} "
                    f"{obj.pk}: {', '.join(changed)})"
                )
            if changed:
                for key in changed:
                    setattr(obj, key, values[key])
                obj.full_clean()
                obj.save(update_fields=[model._meta.get_field(k).attname for k in changed])
                self.result.count("updated", model)
        return obj

    def add_m2m(self, obj, relation: str, targets) -> None:
        manager = getattr(obj, relation)
        existing = set(manager.values_list("pk", flat=True))
        missing = [t for t in targets if t.pk not in existing]
        if missing:
            manager.add(*missing)
            self.result.count("updated", type(obj))

    def ref(self, registry: dict, key, what: str):
        if key is None:
            return None
        try:
            return registry[key]
        except KeyError:
            raise SeedError(f"Unknown {what} {key!r}") from None

    # -- the parts of the file ------------------------------------------------------

    def load(self) -> LoadResult:
        # An adopted plan's texts change only by an amendment (plan/freeze.py): in
        # update mode, a text of the plan that differs from the file is refused, not
        # overwritten, so an amendment is never silently undone. Missing objects are
        # still created (a fresh database loads the adopted plan as it was adopted).
        existing = Plan.objects.filter(year=int(self.data["plan"]["year"])).first()
        self.frozen_plan = existing if existing is not None and existing.is_frozen else None
        self.load_counties()
        self.load_organisations()
        # Every municipality and region of the ten counties, with codes (members/data):
        # those the plan names are found by short name and get their code.
        reference.load_reference_organisations(update=self.update, on_change=self.result.count)
        reference.load_memberships(on_change=self.result.count)
        self.load_bodies()
        self.load_plan()
        self.load_partnerships()
        self.load_events()
        self.load_indicators()
        self.load_programmes()
        return self.result

    def load_counties(self):
        for item in self.data.get("counties", []):
            code = str(item["code"]).zfill(2)
            self.counties[code] = self.upsert(
                County, {"code": code}, translated(item["name"], "name")
            )

    def load_organisations(self):
        for item in self.data.get("organisations", []):
            values = {
                **translated(item["name"], "name"),
                **translated(item.get("description"), "description"),
                "kind": item.get("kind") or Organisation.Kind.OTHER,
                "county": self.ref(self.counties, _code(item.get("county")), "county"),
            }
            self.organisations[item["key"]] = self.upsert(
                Organisation, {"slug": item["key"]}, values
            )

    def load_bodies(self):
        items = self.data.get("bodies", [])
        for order, item in enumerate(items, start=1):
            values = {
                **translated(item["name"], "name"),
                **translated(item.get("description"), "description"),
                "kind": item.get("kind") or Body.Kind.OTHER,
                "programme": item.get("programme") or "",
                "order": order,
            }
            self.bodies[item["key"]] = self.upsert(Body, {"slug": item["key"]}, values)
        # Parents in a second pass: a body may name one defined after it.
        for item in items:
            parent = self.ref(self.bodies, item.get("parent"), "body")
            body = self.bodies[item["key"]]
            wanted = parent.pk if parent else None
            if body.parent_id != wanted and (self.update or body.parent_id is None):
                body.parent = parent
                body.full_clean()
                body.save(update_fields=["parent"])
                self.result.count("updated", Body)

    def load_plan(self) -> Plan:
        item = self.data["plan"]
        plan = self.upsert(
            Plan,
            {"year": int(item["year"])},
            {
                **translated(item["title"], "title"),
                **translated(item.get("editorial_note"), "editorial_note"),
                **translated(item.get("introduction_heading"), "introduction_heading"),
                **translated(item.get("introduction"), "introduction"),
                **translated(item.get("priorities_intro"), "priorities_intro"),
                **self._adoption(item),
            },
        )
        for order, goal in enumerate(self.data.get("direction_goals", []), start=1):
            self.direction_goals[goal["key"]] = self.upsert(
                DirectionGoal,
                {"plan": plan, "slug": goal["key"]},
                {
                    **translated(goal["name"], "name"),
                    **translated(goal.get("description"), "description"),
                    "order": order,
                },
            )
        for order, area_item in enumerate(self.data.get("priority_areas", []), start=1):
            area = self.upsert(
                PriorityArea,
                {"plan": plan, "order": order},
                {
                    **translated(area_item["title"], "title"),
                    "programme": area_item.get("programme") or "",
                },
            )
            for item_order, text in enumerate(area_item.get("items", []), start=1):
                self.upsert(
                    PriorityAreaItem,
                    {"area": area, "order": item_order},
                    translated(text, "text"),
                )
        self.plan = plan
        self._order = 0
        self.load_sections(plan, self.data.get("sections", []), parent=None)
        self.link_activities_to_goals()
        for order, text in enumerate(self.data.get("communication_priorities", []), start=1):
            self.upsert(
                CommunicationPriority, {"plan": plan, "order": order}, translated(text, "text")
            )
        return plan

    def _adoption(self, item: dict) -> dict:
        """The adoption as the file gives it, for a plan not yet in the database. A plan
        loaded before keeps its status and its recorded adoption (the services set them:
        plan_adopt, amendments), even in update mode. The file gives no adoption date or
        decision reference for 2023 (the plan's text does not state them), so none is
        invented."""
        if Plan.objects.filter(year=int(item["year"])).exists():
            return {}
        return {
            **translated(item.get("adopted_by"), "adopted_by"),
            "status": item.get("status", Plan.Status.ADOPTED),
            "adopted_on": item.get("adopted_on"),
        }

    def load_sections(self, plan: Plan, items: list, parent: Section | None):
        for item in items:
            self._order += 1
            key = item["key"]
            if key in self.sections:
                raise SeedError(f"Section key {key!r} is used twice")
            section = self.upsert(
                Section,
                {"plan": plan, "slug": key},
                {
                    "parent": parent,
                    "number": str(item.get("number") or ""),
                    **translated(item["heading"], "heading"),
                    **translated(item.get("body"), "body"),
                    **translated(item.get("closing"), "closing"),
                    "programme": item.get("programme") or "",
                    "direction_goal": self.ref(
                        self.direction_goals, item.get("direction_goal"), "direction goal"
                    ),
                    "order": self._order,
                },
            )
            self.sections[key] = section
            self.goals[key] = [
                self.upsert(Goal, {"section": section, "order": order}, translated(goal, "text"))
                for order, goal in enumerate(item.get("goals") or [], start=1)
            ]
            activities = []
            for order, act in enumerate(item.get("activities") or [], start=1):
                activity = self.upsert(
                    Activity, {"section": section, "order": order}, translated(act, "text")
                )
                orgs = [
                    self.ref(self.organisations, k, "organisation")
                    for k in act.get("organisations") or []
                ]
                self.add_m2m(activity, "organisations", orgs)
                activities.append(activity)
            self.activities[key] = activities
            self.load_sections(plan, item.get("sections") or [], parent=section)

    def link_activities_to_goals(self):
        """Each activity contributes to the goals of its section or, where its section
        has none, of the nearest section above that has some. Links the secretariat
        has since removed are not made again unless in update mode: a link is only
        added to an activity that has none yet."""
        for key, activities in self.activities.items():
            section = self.sections[key]
            goals = self.goals.get(key) or []
            parent = section.parent
            while not goals and parent is not None:
                goals = self.goals.get(parent.slug) or []
                parent = parent.parent
            if not goals:
                continue
            for activity in activities:
                existing = set(
                    ActivityGoal.objects.filter(activity=activity).values_list("goal_id", flat=True)
                )
                if existing and not self.update:
                    continue
                for order, goal in enumerate(goals, start=1):
                    if goal.pk in existing:
                        continue
                    link = ActivityGoal(activity=activity, goal=goal, order=order)
                    link.full_clean()
                    link.save()
                    self.result.count("created", ActivityGoal)

    def load_partnerships(self):
        for order, item in enumerate(self.data.get("partnerships", []), start=1):
            self.upsert(
                Partnership,
                {
                    "organisation": self.ref(self.organisations, item["organisation"], "org"),
                    "kind": item["kind"],
                },
                {**translated(item.get("description"), "description"), "order": order},
            )

    def load_events(self):
        items = self.data.get("events", [])
        events = {}
        for item in items:
            values = {
                "kind": item.get("kind") or Event.Kind.OTHER,
                **translated(item["title"], "title"),
                **translated(item.get("description"), "description"),
                **translated(item.get("date_note"), "date_note"),
                **translated(item.get("place"), "place"),
                "start_date": _date(item.get("start_date")),
                "end_date": _date(item.get("end_date")),
                "body": self.ref(self.bodies, item.get("body"), "body"),
                "visibility": item.get("visibility") or Event.Visibility.PUBLIC,
            }
            event = self.upsert(Event, {"slug": item["key"]}, values)
            events[item["key"]] = event
            self.add_m2m(
                event,
                "hosts",
                [self.ref(self.organisations, k, "organisation") for k in item.get("hosts") or []],
            )
            self.add_m2m(
                event,
                "sections",
                [self.ref(self.sections, k, "section") for k in item.get("sections") or []],
            )
            linked = []
            for link in item.get("activities") or []:
                activities = self.ref(self.activities, link["section"], "section")
                position = int(link["position"])
                if not 1 <= position <= len(activities):
                    raise SeedError(
                        f"Event {item['key']!r}: section {link['section']!r} has no "
                        f"activity number {position}"
                    )
                linked.append(activities[position - 1])
            self.add_m2m(event, "activities", linked)
        for item in items:
            parent = self.ref(events, item.get("parent"), "event")
            event = events[item["key"]]
            if (
                parent is not None
                and event.parent_id != parent.pk
                and (self.update or event.parent_id is None)
            ):
                event.parent = parent
                event.save(update_fields=["parent"])
                self.result.count("updated", Event)

    def load_indicators(self):
        for order, item in enumerate(self.data.get("indicators", []), start=1):
            section = self.ref(self.sections, item.get("section"), "section")
            indicator = self.upsert(
                Indicator,
                {"slug": item["key"]},
                {
                    **translated(item["name"], "name"),
                    **translated(item.get("unit"), "unit"),
                    **translated(item.get("description"), "description"),
                    "plan": self.plan if item.get("plan") and section is None else None,
                    "section": section,
                    "order": order,
                },
            )
            for value in item.get("values") or []:
                # No year unless the source gives one: the portal never shows a year
                # the data does not hold.
                year = value.get("year")
                self.upsert(
                    IndicatorValue,
                    {"indicator": indicator, "year": int(year) if year is not None else None},
                    {
                        "value": Decimal(str(value["value"])),
                        **translated(value.get("headline"), "headline"),
                        **translated(value.get("note"), "note"),
                        **translated(value.get("source"), "source"),
                    },
                )

    def load_programmes(self):
        ebs = self.data.get("ebs") or {}
        for order, code in enumerate(ebs.get("counties") or [], start=1):
            county = self.ref(self.counties, _code(code), "county")
            self.upsert(ParticipatingCounty, {"county": county}, {"order": order})
        for item in ebs.get("system_analyses") or []:
            self.upsert(
                SystemAnalysis,
                {"year": int(item["year"])},
                {
                    **translated(item["title"], "title"),
                    **translated(item.get("description"), "description"),
                    "status": item.get("status") or SystemAnalysis.Status.IN_PROGRESS,
                },
            )
        strategy = ebs.get("freight_strategy")
        if strategy:
            self.upsert(
                FreightStrategy,
                {"year": int(strategy["year"])},
                {
                    **translated(strategy["title"], "title"),
                    **translated(strategy.get("description"), "description"),
                },
            )

        ebm = self.data.get("ebm") or {}
        regions = {
            org.county.code: org
            for org in self.organisations.values()
            if org.kind == Organisation.Kind.REGION and org.county_id
        }
        for order, code in enumerate(ebm.get("counties") or [], start=1):
            county = self.ref(self.counties, _code(code), "county")
            self.upsert(
                ParticipatingRegion,
                {"county": county},
                {"order": order, "organisation": regions.get(county.code)},
            )
        for order, item in enumerate(ebm.get("occupational_areas") or [], start=1):
            self.upsert(
                OccupationalArea,
                {"slug": item["key"]},
                {
                    **translated(item["name"], "name"),
                    **translated(item.get("description"), "description"),
                    "order": order,
                },
            )
        for order, text in enumerate(ebm.get("teacher_plan_areas") or [], start=1):
            self.upsert(ActionPlanArea, {"order": order}, translated(text, "text"))


def _code(value):
    return None if value is None else str(value).zfill(2)


def _date(value):
    if value is None or isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise SeedError(f"Not a date: {value!r}") from None


def plan_seed_load(*, data: dict | None = None, update: bool = False) -> LoadResult:
    """Load the 2023 plan (or ``data`` of the same shape) into the database.

    Creates every missing object; existing ones are left as they are unless ``update``
    is true, in which case their texts are set back to the file's. All or nothing: runs
    in one transaction, and a :class:`SeedError` or ``ValidationError`` leaves the
    database as it was.
    """
    with transaction.atomic():
        return _Loader(data if data is not None else read_seed(), update).load()
