"""A plan's texts as a snapshot, and what changed between two snapshots.

``plan_snapshot`` reads every text of a plan that its adoption freezes (title and
introduction, direction goals, prioritised areas, the sections with their goals and
activities, planned amounts, communication priorities, indicators' definitions) into
plain JSON, in document order and in both languages. The services store one with each
decision (``PlanDecision.snapshot``). ``snapshot_changes`` compares two snapshots item
by item (items keep their key across renames: the database id) and gives, for each
changed item, a word-level diff as HTML — every text escaped, removals in ``<del>``
and additions in ``<ins>``, each with a text label for screen readers and for those
who do not see colour.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from .models import (
    Activity,
    CommunicationPriority,
    DirectionGoal,
    Goal,
    Indicator,
    Plan,
    PriorityArea,
    PriorityAreaItem,
    Section,
)

LANGUAGES = ("sv", "en")
SNAPSHOT_FORMAT = 1


def _texts(obj, *names: str) -> dict[str, str]:
    """{"sv": …, "en": …}: the named translated fields, joined by blank lines."""
    result = {}
    for language in LANGUAGES:
        parts = [(getattr(obj, f"{name}_{language}", "") or "").strip() for name in names]
        result[language] = "\n\n".join(p for p in parts if p)
    return result


def _amount(value) -> str:
    return "" if value is None else f"{value:.2f}"


def _item(key: str, label: dict[str, str], text: dict[str, str]) -> dict:
    return {"key": key, "label": label, "text": text}


def plan_snapshot(plan: Plan) -> dict:
    """The plan's frozen texts as JSON: {"format": 1, "items": [{"key", "label":
    {sv, en}, "text": {sv, en}}, …]}. Nine queries whatever the plan's size."""
    items = [
        _item(
            "plan",
            {"sv": "Planen", "en": "The plan"},
            _texts(plan, "title", "introduction_heading", "introduction", "priorities_intro"),
        )
    ]
    for goal in DirectionGoal.objects.filter(plan=plan).order_by("order", "pk"):
        items.append(
            _item(
                f"direction_goal:{goal.pk}",
                {"sv": f"Inriktningsmål: {goal.name_sv}", "en": f"Strategic goal: {goal.name_en}"},
                _texts(goal, "name", "description"),
            )
        )
    area_items: dict[int, list[PriorityAreaItem]] = {}
    for item in PriorityAreaItem.objects.filter(area__plan=plan).order_by("order", "pk"):
        area_items.setdefault(item.area_id, []).append(item)
    for area in PriorityArea.objects.filter(plan=plan).order_by("order", "pk"):
        text = _texts(area, "title")
        for item in area_items.get(area.pk, []):
            for language in LANGUAGES:
                text[language] += "\n- " + (getattr(item, f"text_{language}") or "")
        items.append(
            _item(
                f"priority_area:{area.pk}",
                {"sv": f"Prioriterat område: {area.title_sv}", "en": f"Priority: {area.title_en}"},
                text,
            )
        )
    goals: dict[int, list[Goal]] = {}
    for goal in Goal.objects.filter(section__plan=plan).order_by("order", "pk"):
        goals.setdefault(goal.section_id, []).append(goal)
    activities: dict[int, list[Activity]] = {}
    for activity in (
        Activity.objects.filter(section__plan=plan)
        .order_by("order", "pk")
        .prefetch_related("goals")
    ):
        activities.setdefault(activity.section_id, []).append(activity)
    for section in Section.objects.filter(plan=plan).order_by("order", "pk"):
        heading = {
            language: f"{section.number} {getattr(section, f'heading_{language}') or ''}".strip()
            for language in LANGUAGES
        }
        text = _texts(section, "heading", "body", "closing")
        if section.planned_amount is not None:
            for language in LANGUAGES:
                text[language] += (
                    f"\n\n{_budget_label(language)}: {_amount(section.planned_amount)}"
                )
        items.append(_item(f"section:{section.pk}", heading, text))
        for goal in goals.get(section.pk, []):
            items.append(
                _item(
                    f"goal:{goal.pk}",
                    {"sv": f"{heading['sv']} – mål", "en": f"{heading['en']} – goal"},
                    _texts(goal, "text"),
                )
            )
        for activity in activities.get(section.pk, []):
            text = _texts(activity, "text")
            for language in LANGUAGES:
                extra = []
                if activity.start_date or activity.end_date:
                    extra.append(f"{activity.start_date or ''}–{activity.end_date or ''}")
                if activity.planned_amount is not None:
                    extra.append(f"{_budget_label(language)}: {_amount(activity.planned_amount)}")
                linked = sorted(goal.pk for goal in activity.goals.all())
                if linked:
                    extra.append(
                        ("Mål: " if language == "sv" else "Goals: ")
                        + ", ".join(str(pk) for pk in linked)
                    )
                if extra:
                    text[language] += "\n\n" + "; ".join(extra)
            items.append(
                _item(
                    f"activity:{activity.pk}",
                    {"sv": f"{heading['sv']} – aktivitet", "en": f"{heading['en']} – activity"},
                    text,
                )
            )
    for priority in CommunicationPriority.objects.filter(plan=plan).order_by("order", "pk"):
        items.append(
            _item(
                f"communication:{priority.pk}",
                {"sv": "Kommunikation", "en": "Communication"},
                _texts(priority, "text"),
            )
        )
    from django.db.models import Q

    indicators = Indicator.objects.filter(
        Q(plan=plan) | Q(section__plan=plan) | Q(goal__section__plan=plan)
    ).order_by("order", "pk")
    for indicator in indicators:
        text = _texts(indicator, "name", "unit", "description", "note")
        for language in LANGUAGES:
            if indicator.baseline_value is not None:
                text[language] += (
                    f"\n\n{indicator.baseline_year}: {_amount(indicator.baseline_value)}"
                )
            if indicator.target_value is not None:
                text[language] += (
                    f"\n\n→ {indicator.target_year}: {_amount(indicator.target_value)}"
                )
        items.append(
            _item(
                f"indicator:{indicator.pk}",
                {"sv": f"Nyckeltal: {indicator.name_sv}", "en": f"Key figure: {indicator.name_en}"},
                text,
            )
        )
    return {"format": SNAPSHOT_FORMAT, "items": items}


def _budget_label(language: str) -> str:
    return "Budget (kr)" if language == "sv" else "Budget (SEK)"


# --- Comparing ------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One item that differs between two snapshots."""

    key: str
    label: str
    kind: str  # "added", "removed", "changed"
    diff: SafeString


_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def word_diff(old: str, new: str) -> SafeString:
    """The new text with removed words in ``<del>`` and added ones in ``<ins>``, each
    starting with a text label; every piece of text escaped."""
    removed_label = escape(gettext("Removed:"))
    added_label = escape(gettext("Added:"))
    a, b = _tokens(old), _tokens(new)
    parts = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            parts.append(
                f'<del><span class="visually-hidden">[{removed_label}</span>'
                f'{escape("".join(a[i1:i2]))}<span class="visually-hidden">]</span></del>'
            )
        if op in ("insert", "replace"):
            parts.append(
                f'<ins><span class="visually-hidden">[{added_label}</span>'
                f'{escape("".join(b[j1:j2]))}<span class="visually-hidden">]</span></ins>'
            )
    return mark_safe("".join(parts))  # noqa: S308 — every text above is escaped


def snapshot_changes(old: dict, new: dict, language: str) -> list[Change]:
    """The items of `new` that differ from `old` (in `language`), in `new`'s order,
    then the items `old` had and `new` has not."""
    old_items = {item["key"]: item for item in (old or {}).get("items", [])}
    new_items = {item["key"]: item for item in (new or {}).get("items", [])}
    changes = []
    for key, item in new_items.items():
        text = item["text"].get(language, "")
        label = item["label"].get(language, "")
        if key not in old_items:
            changes.append(Change(key, label, "added", word_diff("", text)))
            continue
        before = old_items[key]["text"].get(language, "")
        if before != text:
            changes.append(Change(key, label, "changed", word_diff(before, text)))
    for key, item in old_items.items():
        if key not in new_items:
            text = item["text"].get(language, "")
            label = item["label"].get(language, "")
            changes.append(Change(key, label, "removed", word_diff(text, "")))
    return changes
