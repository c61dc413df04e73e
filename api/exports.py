"""Each published year's plan as one file: JSON (the API's own shapes, in one
document) and CSV for a spreadsheet in Swedish, written by the admin exports' "CSV för
Excel (svensk)" format (``malardal.importexport.ExcelCSV``: UTF-8 with BOM, ``;``,
CRLF, decimal commas, formula-like cells neutralised).
"""

import json

import tablib
from django.core.serializers.json import DjangoJSONEncoder

from malardal.importexport import ExcelCSV
from plan.models import Plan

from . import selectors
from . import serializers as s

FORMAT = "malardalsportalen-plan/1"
LICENCE = "http://creativecommons.org/publicdomain/zero/1.0/"


def json_bytes(data) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def _plan_rows(plan: Plan, request) -> dict:
    user = request.user
    context = {
        "request": request,
        "statuses": selectors.statuses(),
        "figures": selectors.activity_figures([plan]),
        "comments_visible": lambda plan: selectors.comments_visible(plan, request.user),
    }
    return {
        "sections": s.SectionSerializer(
            selectors.sections(user).filter(plan=plan), many=True, context=context
        ).data,
        "goals": s.GoalSerializer(
            selectors.goals(user).filter(section__plan=plan), many=True, context=context
        ).data,
        "activities": s.ActivitySerializer(
            selectors.activities(user).filter(section__plan=plan), many=True, context=context
        ).data,
    }


def plan_document(plan: Plan, request) -> dict:
    """The plan (a published one: the caller has checked) with everything in it."""
    return {
        "format": FORMAT,
        "licence": LICENCE,
        "plan": s.PlanSerializer(plan, context={"request": request}).data,
        **_plan_rows(plan, request),
    }


CSV_COLUMNS = [
    "type",
    "id",
    "section",
    "number",
    "programme",
    "text_sv",
    "text_en",
    "status",
    "status_sv",
    "status_en",
    "progress",
    "start_date",
    "end_date",
    "organisations",
]


def plan_csv(plan: Plan, request) -> bytes:
    """One row per section, goal and activity in document order: a section, then its
    goals, then its activities. ``section`` is the id of the row's section (a section's
    parent for a section)."""
    rows = _plan_rows(plan, request)
    goals_by_section, activities_by_section = {}, {}
    for goal in rows["goals"]:
        goals_by_section.setdefault(goal["section"], []).append(goal)
    for activity in rows["activities"]:
        activities_by_section.setdefault(activity["section"], []).append(activity)
    dataset = tablib.Dataset(headers=CSV_COLUMNS)
    for section in rows["sections"]:
        dataset.append(
            [
                "section",
                section["id"],
                section["parent"],
                section["number"],
                section["programme"],
                section["heading_sv"],
                section["heading_en"],
                *[None] * 7,
            ]
        )
        for goal in goals_by_section.get(section["id"], []):
            dataset.append(
                [
                    "goal",
                    goal["id"],
                    section["id"],
                    section["number"],
                    section["programme"],
                    goal["text_sv"],
                    goal["text_en"],
                    *[None] * 7,
                ]
            )
        for activity in activities_by_section.get(section["id"], []):
            status = activity["status"] or {}
            dataset.append(
                [
                    "activity",
                    activity["id"],
                    section["id"],
                    section["number"],
                    section["programme"],
                    activity["text_sv"],
                    activity["text_en"],
                    status.get("slug"),
                    status.get("name_sv"),
                    status.get("name_en"),
                    activity["progress"],
                    activity["start_date"],
                    activity["end_date"],
                    ", ".join(activity["organisations"]),
                ]
            )
    return ExcelCSV().export_data(dataset)
