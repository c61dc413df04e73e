"""The operations plan as a Word document (DOCX), for the secretariat to start next
year's text in Word (issue 13.6).

The same content as the plan document PDF (plan/reports.py), built with python-docx on
Word's own styles so the structure survives editing: the plan's title in *Title*, the
introduction and the top-level sections in *Heading 1*, sub-sections in *Heading 2* and
*Heading 3* (deeper levels *Heading 4* … *Heading 9*), free text in *Normal*
paragraphs, and goals, activities and "- " lines of the free text as real list
paragraphs (*List Bullet*), the prioritised areas as *List Number* with their items in
*List Bullet 2* — Word's list styles, not typed bullets. The
document properties carry the title, subject, author and language, and the language is
set on the default style too so Word checks the spelling in that language.
"""

import io
from itertools import groupby

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from . import selectors
from .models import Plan
from .templatetags.plan_text import BULLET, text_blocks

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LANGUAGE_TAGS = {"sv": "sv-SE", "en": "en-GB"}
AUTHOR = "Mälardalsrådet"


def _set_language(document, tag: str) -> None:
    """The language of every style that does not say otherwise (w:lang in the document
    defaults and on Normal), so Word checks spelling in it."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    styles = document.styles.element
    rpr_default = styles.find(qn("w:docDefaults"))
    targets = []
    if rpr_default is not None:
        rpr = rpr_default.find(qn("w:rPrDefault"))
        if rpr is not None and rpr.find(qn("w:rPr")) is not None:
            targets.append(rpr.find(qn("w:rPr")))
    targets.append(document.styles["Normal"].element.get_or_add_rPr())
    for rpr in targets:
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), tag)


def _text(document, text: str) -> None:
    """Free text as the portal writes it (blank line between paragraphs, "- " lines a
    list): Normal paragraphs and List Bullet paragraphs."""
    if not text:
        return
    for block in text_blocks(str(text)):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        for is_list, run in groupby(lines, key=lambda line: line.startswith(BULLET)):
            if is_list:
                for line in run:
                    document.add_paragraph(line[len(BULLET) :].strip(), style="List Bullet")
            else:
                document.add_paragraph("\n".join(run))


def _heading(document, text: str, level: int) -> None:
    document.add_heading(text, level=min(max(level, 1), 9))


def _section(document, section, level: int) -> None:
    number = f"{section.number} " if section.number else ""
    _heading(document, f"{number}{section.heading}", level)
    _text(document, section.body)
    goals = list(section.goals.all())
    if goals:
        document.add_paragraph().add_run(_("Overall goals")).bold = True
        for goal in goals:
            document.add_paragraph(goal.text, style="List Bullet")
    activities = list(section.activities.all())
    if activities:
        lead = document.add_paragraph()
        lead.add_run(
            pgettext("lead-in to a section's list of activities", "Activities")
        ).bold = True
        for activity in activities:
            document.add_paragraph(activity.text, style="List Bullet")
    _text(document, section.closing)
    for child in section.child_sections:
        _section(document, child, level + 1)


def plan_document_docx(plan: Plan, language: str) -> bytes:
    """The plan of `plan` in `language` ("sv" or "en") as DOCX bytes."""
    import docx

    with translation.override(language):
        plan = Plan.objects.get(pk=plan.pk)  # texts in this language
        tree = selectors.section_tree(plan, with_content=True)
        front = selectors.plan_front_matter(plan)
        document = docx.Document()
        _set_language(document, LANGUAGE_TAGS.get(language, language))
        properties = document.core_properties
        properties.title = plan.title
        properties.subject = _("Operations plan %(year)s") % {"year": plan.year}
        properties.author = AUTHOR
        properties.language = LANGUAGE_TAGS.get(language, language)
        properties.keywords = "Mälardalsrådet"

        document.add_paragraph(plan.title, style="Title")
        if plan.adopted_on and plan.adopted_by:
            document.add_paragraph(
                _("Adopted by %(body)s on %(date)s.")
                % {"body": plan.adopted_by, "date": _date(plan.adopted_on)}
            )
        elif plan.adopted_on:
            document.add_paragraph(_("Adopted on %(date)s.") % {"date": _date(plan.adopted_on)})

        direction_goals = front["direction_goals"]
        priority_areas = front["priority_areas"]
        if plan.introduction or direction_goals:
            _heading(document, plan.introduction_heading or _("Introduction"), 1)
            _text(document, plan.introduction)
            for goal in direction_goals:
                _heading(document, goal.name, 2)
                _text(document, goal.description)
            if plan.priorities_intro:
                document.add_paragraph(plan.priorities_intro)
            _priority_areas(document, priority_areas)
        elif priority_areas:
            _heading(document, _("Prioritised areas %(year)s") % {"year": plan.year}, 1)
            if plan.priorities_intro:
                document.add_paragraph(plan.priorities_intro)
            _priority_areas(document, priority_areas)

        for section in tree.roots:
            _section(document, section, 1)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _priority_areas(document, areas) -> None:
    for area in areas:
        document.add_paragraph(area.title, style="List Number")
        for item in area.items.all():
            document.add_paragraph(item.text, style="List Bullet 2")


def _date(value) -> str:
    from django.utils.formats import date_format

    return date_format(value, "DATE_FORMAT")
