"""What changed between two years' plans: sections, overall goals and activities added,
removed and reworded.

Sections are matched by their short name (slug), which a roll-over keeps. Inside a
section, goals and activities are matched with difflib: the texts that stayed the same
anchor the comparison (SequenceMatcher over the lists), and within each changed stretch
an old and a new text are the same item reworded when they are similar enough
(ratio ≥ REWORD_RATIO); what is left over was removed or added. Texts are compared in
the language of the page.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Plan
from .selectors import section_tree

REWORD_RATIO = 0.5

ADDED = "added"
REMOVED = "removed"
REWORDED = "reworded"
UNCHANGED = "unchanged"


@dataclass
class ItemChange:
    kind: str
    old: object | None = None
    new: object | None = None

    @property
    def text(self) -> str:
        return (self.new or self.old).text

    @property
    def diff(self) -> SafeString:
        """The reworded text with deleted words in <del> and added ones in <ins>."""
        return word_diff(self.old.text if self.old else "", self.new.text if self.new else "")


@dataclass
class SectionChanges:
    slug: str
    old: object | None
    new: object | None
    goals: list[ItemChange] = field(default_factory=list)
    activities: list[ItemChange] = field(default_factory=list)

    @property
    def section(self):
        return self.new or self.old

    @property
    def kind(self) -> str:
        if self.old is None:
            return ADDED
        if self.new is None:
            return REMOVED
        return UNCHANGED

    @property
    def heading_changed(self) -> bool:
        return bool(self.old and self.new and _norm(self.old.heading) != _norm(self.new.heading))

    @property
    def changed_goals(self) -> list[ItemChange]:
        return [c for c in self.goals if c.kind != UNCHANGED]

    @property
    def changed_activities(self) -> list[ItemChange]:
        return [c for c in self.activities if c.kind != UNCHANGED]

    @property
    def has_changes(self) -> bool:
        return (
            self.kind != UNCHANGED
            or self.heading_changed
            or bool(self.changed_goals or self.changed_activities)
        )


@dataclass
class PlanChanges:
    old: Plan
    new: Plan
    sections: list[SectionChanges]

    @property
    def changed_sections(self) -> list[SectionChanges]:
        return [s for s in self.sections if s.has_changes]

    def count(self, what: str, kind: str) -> int:
        return sum(1 for s in self.sections for c in getattr(s, what) if c.kind == kind)

    @property
    def summary(self) -> dict:
        return {
            f"{what}_{kind}": self.count(what, kind)
            for what in ("goals", "activities")
            for kind in (ADDED, REMOVED, REWORDED)
        }


def _norm(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def match_items(old: list, new: list) -> list[ItemChange]:
    """Pair the items of two ordered lists (each with ``.text``) as unchanged, reworded,
    removed or added, in the new list's order with removals where they were."""
    a = [_norm(item.text) for item in old]
    b = [_norm(item.text) for item in new]
    changes: list[ItemChange] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            changes += [
                ItemChange(UNCHANGED, o, n) for o, n in zip(old[i1:i2], new[j1:j2], strict=True)
            ]
        elif tag == "delete":
            changes += [ItemChange(REMOVED, o, None) for o in old[i1:i2]]
        elif tag == "insert":
            changes += [ItemChange(ADDED, None, n) for n in new[j1:j2]]
        else:
            changes += _pair_changed(old[i1:i2], new[j1:j2])
    return changes


def _pair_changed(old: list, new: list) -> list[ItemChange]:
    # Every old/new pair scored; the most similar pairs are taken first.
    scored = sorted(
        (
            (difflib.SequenceMatcher(None, _norm(o.text), _norm(n.text)).ratio(), i, j)
            for i, o in enumerate(old)
            for j, n in enumerate(new)
        ),
        reverse=True,
    )
    old_match, new_match = {}, {}
    for ratio, i, j in scored:
        if ratio < REWORD_RATIO:
            break
        if i in old_match or j in new_match:
            continue
        old_match[i] = j
        new_match[j] = i
    changes = [ItemChange(REMOVED, o, None) for i, o in enumerate(old) if i not in old_match]
    for j, n in enumerate(new):
        if j in new_match:
            changes.append(ItemChange(REWORDED, old[new_match[j]], n))
        else:
            changes.append(ItemChange(ADDED, None, n))
    return changes


# Words, runs of whitespace and single punctuation marks.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def word_diff(old: str, new: str) -> SafeString:
    """`new` with the words not in `old` in <ins> and those dropped from `old` in <del>,
    everything escaped."""
    a = _TOKEN.findall(old or "")
    b = _TOKEN.findall(new or "")
    out = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if tag in ("insert", "replace"):
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return mark_safe("".join(out))


def plan_changes(old: Plan, new: Plan) -> PlanChanges:
    """Compare two plans section by section (six queries whatever their size)."""
    old_tree = section_tree(old, with_content=True)
    new_tree = section_tree(new, with_content=True)
    sections = []
    for section in new_tree.sections:
        before = old_tree.by_slug.get(section.slug)
        sections.append(_compare(section.slug, before, section))
    # Sections that are gone follow, in their old order.
    for section in old_tree.sections:
        if section.slug not in new_tree.by_slug:
            sections.append(_compare(section.slug, section, None))
    return PlanChanges(old=old, new=new, sections=sections)


def _compare(slug, old_section, new_section) -> SectionChanges:
    old_goals = list(old_section.goals.all()) if old_section else []
    new_goals = list(new_section.goals.all()) if new_section else []
    old_activities = list(old_section.activities.all()) if old_section else []
    new_activities = list(new_section.activities.all()) if new_section else []
    for item in [*old_activities, *old_goals]:
        item.section = old_section
    for item in [*new_activities, *new_goals]:
        item.section = new_section
    return SectionChanges(
        slug=slug,
        old=old_section,
        new=new_section,
        goals=match_items(old_goals, new_goals),
        activities=match_items(old_activities, new_activities),
    )
