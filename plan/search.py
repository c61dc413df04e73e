"""Search across the plan's sections, goals and activities, the events and the member
organisations, in both languages.

Matching: the query is split into words; an item matches when every word occurs in one
of its text fields, Swedish or English, ignoring case. On PostgreSQL that is
``icontains`` (UPPER … LIKE, which folds å, ä and ö too). SQLite's LIKE folds only ASCII
letters, so there a word with other letters is matched with a case-insensitive regular
expression instead (Django evaluates REGEXP on SQLite with Python's ``re``, which folds
Unicode).

Visibility: draft plans' sections, goals and activities only for users who may see
drafts (plan.selectors.plans_visible_to); members-only events only for users who may
see them (Event.objects.visible_to). Organisations are public.

Queries: one count per kind and one page of results per kind shown, whatever the
amount of data; the filter choices add two (years, statuses).
"""

import math
import re
from dataclasses import dataclass, field

from django import forms
from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models import F as Field
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from events.models import Event
from members.models import Organisation, Programme

from . import selectors
from .models import Activity, Goal, Section, Status

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
PER_GROUP = 5
PAGE_SIZE = 20
EXCERPT_LENGTH = 220
NO_REPORT = "none"
# Deepest section level whose programme a sub-section inherits (the 2023 plan has 3).
SECTION_DEPTH = 5


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    label_plural: str


KINDS = [
    Kind("section", _("Section"), _("Sections")),
    Kind("goal", _("Overall goal"), _("Overall goals")),
    Kind("activity", _("Activity"), pgettext_lazy("search results", "Activities")),
    Kind("event", _("Event"), _("Events")),
    Kind("organisation", _("Organisation"), _("Organisations")),
]
KINDS_BY_KEY = {kind.key: kind for kind in KINDS}


class SearchForm(forms.Form):
    """The search page's query and filters. Invalid filter values are ignored rather than
    reported: a search link with a stale year or status still shows results."""

    q = forms.CharField(label=_("Search for"), required=False, max_length=MAX_QUERY_LENGTH)
    year = forms.TypedChoiceField(
        label=_("Plan year"), required=False, coerce=int, empty_value=None
    )
    programme = forms.ChoiceField(label=_("Programme"), required=False)
    status = forms.ChoiceField(label=_("Status of activities"), required=False)
    kind = forms.ChoiceField(required=False)
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, data, *, years: list[int], statuses: list[Status]):
        data = data.copy()
        # A pasted essay is cut rather than refused.
        data["q"] = " ".join(data.get("q", "").split())[:MAX_QUERY_LENGTH]
        super().__init__(data)
        self.fields["year"].choices = [("", _("All years"))] + [(y, str(y)) for y in years]
        self.fields["programme"].choices = [("", _("All programmes")), *Programme.choices]
        self.fields["status"].choices = [
            ("", _("Any status")),
            *[(status.slug, status.name) for status in statuses],
            (NO_REPORT, _("No report yet")),
        ]
        self.fields["kind"].choices = [("", "")] + [(k.key, k.label) for k in KINDS]

    def value(self, name):
        """The cleaned value of `name`, or None when it was missing or invalid."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or None


# --- Matching -------------------------------------------------------------------------


def query_terms(q: str) -> list[str]:
    """The distinct words of `q`, at most MAX_TERMS, in order."""
    terms = []
    for word in q.split():
        if word.casefold() not in (t.casefold() for t in terms):
            terms.append(word)
    return terms[:MAX_TERMS]


def _contains(field_name: str, term: str) -> Q:
    if connection.vendor == "sqlite" and not term.isascii():
        return Q(**{f"{field_name}__iregex": re.escape(term)})
    return Q(**{f"{field_name}__icontains": term})


def _any_field(fields: list[str], term: str) -> Q:
    """`term` in any of `fields` (translated fields: both languages)."""
    condition = Q()
    for name in fields:
        for language in ("sv", "en"):
            condition |= _contains(f"{name}_{language}", term)
    return condition


def _all_terms(fields: list[str], terms: list[str]) -> Q:
    condition = Q()
    for term in terms:
        condition &= _any_field(fields, term)
    return condition


def _relevance(title_fields: list[str], terms: list[str]):
    """0 when every word is in the title, 1 otherwise: title hits come first."""
    return Case(
        When(_all_terms(title_fields, terms), then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )


def _section_programme(prefix: str, code: str) -> Q:
    """The section at `prefix` belongs to programme `code`: its own programme, or, when
    it has none, the nearest section above it that has one."""
    condition = Q()
    path = prefix
    empty_so_far = Q()
    for _level in range(SECTION_DEPTH):
        condition |= empty_so_far & Q(**{f"{path}programme": code})
        empty_so_far &= Q(**{f"{path}programme": ""})
        path += "parent__"
    return condition


# --- Highlighting ---------------------------------------------------------------------


def _pattern(terms: list[str]) -> re.Pattern | None:
    if not terms:
        return None
    alternatives = sorted((re.escape(term) for term in terms), key=len, reverse=True)
    return re.compile("|".join(alternatives), re.IGNORECASE)


def highlight(text: str, terms: list[str]) -> SafeString:
    """`text` escaped, with every occurrence of the terms wrapped in ``<mark>``. The
    matches are found in the raw text and each piece is escaped on its own, so no
    markup in the text can survive and no entity is cut in two."""
    text = text or ""
    pattern = _pattern(terms)
    if pattern is None:
        return escape(text)
    pieces = []
    position = 0
    for match in pattern.finditer(text):
        pieces.append(escape(text[position : match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))


def matches(text: str, terms: list[str]) -> bool:
    pattern = _pattern(terms)
    return bool(text and pattern and pattern.search(text))


def excerpt(text: str, terms: list[str], *, length: int = EXCERPT_LENGTH) -> SafeString | None:
    """About `length` characters of `text` around its first match, highlighted, with
    "…" where it was cut; None when nothing matches."""
    pattern = _pattern(terms)
    text = " ".join((text or "").split())
    match = pattern.search(text) if pattern else None
    if match is None:
        return None
    start = max(0, match.start() - length // 3)
    end = min(len(text), start + length)
    start = max(0, min(start, end - length))
    # Cut at spaces, not inside words.
    if start > 0:
        space = text.find(" ", start, match.start())
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", match.end(), end)
        end = space if space != -1 else end
    snippet = highlight(text[start:end], terms)
    return mark_safe(f"{'… ' if start > 0 else ''}{snippet}{' …' if end < len(text) else ''}")


# --- Results --------------------------------------------------------------------------


@dataclass
class Hit:
    kind: str
    url: str
    title: SafeString
    obj: object
    excerpt: SafeString | None = None
    # Set when the words were found only in the other language's text, which is then
    # what the excerpt shows (marked with its language for screen readers).
    excerpt_lang: str | None = None
    context: str = ""
    is_draft: bool = False
    status: Status | None = None
    progress: int | None = None


@dataclass
class Group:
    kind: Kind
    count: int
    hits: list[Hit] = field(default_factory=list)
    page: int = 1
    num_pages: int = 1

    @property
    def has_more(self) -> bool:
        return self.count > len(self.hits)


@dataclass
class SearchResults:
    terms: list[str]
    groups: list[Group]
    kind: Kind | None  # one kind, paged; None: every kind, the first few of each
    status_only_activities: bool = False

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)

    @property
    def shown_groups(self) -> list[Group]:
        if self.kind is not None:
            return [g for g in self.groups if g.kind == self.kind]
        return [g for g in self.groups if g.count]


def _other_language() -> str:
    return "en" if (get_language() or "sv").startswith("sv") else "sv"


def _text_hit(obj, *, kind, url, title_field, body_fields, terms, **extra) -> Hit:
    """A hit whose title and excerpt are in the page's language; when none of the words
    are in that text, the excerpt is taken from the other language's text."""
    title = getattr(obj, title_field) or ""
    hit = Hit(kind=kind, url=url, title=highlight(title, terms), obj=obj, **extra)
    found_here = matches(title, terms)
    for name in body_fields:
        snippet = excerpt(getattr(obj, name), terms)
        if snippet:
            hit.excerpt = snippet
            found_here = True
            break
    if not found_here and terms:
        other = _other_language()
        for name in [title_field, *body_fields]:
            snippet = excerpt(getattr(obj, f"{name}_{other}", ""), terms)
            if snippet:
                hit.excerpt, hit.excerpt_lang = snippet, other
                break
    return hit


def _safe_reverse(name: str, **kwargs) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _section_label(section: Section) -> str:
    return f"{section.number} {section.heading}".strip()


class _Search:
    def __init__(self, user, *, terms, year, programme, status, statuses):
        self.user = user
        self.terms = terms
        self.year = year
        self.programme = programme
        self.status = status
        self.statuses = {s.pk: s for s in statuses}
        self.status_by_slug = {s.slug: s for s in statuses}
        self.plans = selectors.plans_visible_to(user)

    # Each kind: the matching queryset in result order, and how one row becomes a hit.

    def sections(self) -> QuerySet:
        fields = ["heading", "body", "closing"]
        rows = Section.objects.filter(plan__in=self.plans).select_related("plan")
        if self.terms:
            rows = rows.filter(_all_terms(fields, self.terms)).annotate(
                relevance=_relevance(["heading"], self.terms)
            )
        else:
            rows = rows.annotate(relevance=Value(0))
        if self.year:
            rows = rows.filter(plan__year=self.year)
        if self.programme:
            rows = rows.filter(_section_programme("", self.programme))
        return rows.order_by("relevance", "-plan__year", "order", "pk")

    def section_hit(self, section: Section) -> Hit:
        hit = _text_hit(
            section,
            kind="section",
            url=section.get_absolute_url(),
            title_field="heading",
            body_fields=["body", "closing"],
            terms=self.terms,
            context=str(section.plan),
            is_draft=not section.plan.is_published,
        )
        if section.number:
            hit.title = mark_safe(f"{escape(section.number)} {hit.title}")
        return hit

    def _in_sections(self, rows: QuerySet, prefix: str) -> QuerySet:
        rows = rows.filter(**{f"{prefix}plan__in": self.plans})
        if self.year:
            rows = rows.filter(**{f"{prefix}plan__year": self.year})
        if self.programme:
            rows = rows.filter(_section_programme(prefix, self.programme))
        return rows.select_related(f"{prefix}plan")

    def goals(self) -> QuerySet:
        rows = self._in_sections(Goal.objects.all(), "section__")
        if self.terms:
            rows = rows.filter(_all_terms(["text"], self.terms))
        return rows.order_by("-section__plan__year", "section__order", "order", "pk")

    def goal_hit(self, goal: Goal) -> Hit:
        return _text_hit(
            goal,
            kind="goal",
            url=goal.get_absolute_url(),
            title_field="text",
            body_fields=[],
            terms=self.terms,
            context=f"{_section_label(goal.section)} – {goal.section.plan}",
            is_draft=not goal.section.plan.is_published,
        )

    def activities(self) -> QuerySet:
        rows = selectors.with_latest_status(self._in_sections(Activity.objects.all(), "section__"))
        if self.terms:
            rows = rows.filter(_all_terms(["text"], self.terms))
        if self.status == NO_REPORT:
            rows = rows.filter(latest_status_id__isnull=True)
        elif self.status:
            rows = rows.filter(latest_status_id=self.status_by_slug[self.status].pk)
        return rows.order_by("-section__plan__year", "section__order", "order", "pk")

    def activity_hit(self, activity: Activity) -> Hit:
        return _text_hit(
            activity,
            kind="activity",
            url=activity.get_absolute_url(),
            title_field="text",
            body_fields=[],
            terms=self.terms,
            context=f"{_section_label(activity.section)} – {activity.section.plan}",
            is_draft=not activity.section.plan.is_published,
            status=self.statuses.get(activity.latest_status_id),
            progress=activity.latest_progress,
        )

    def events(self) -> QuerySet:
        fields = ["title", "description", "place", "date_note"]
        rows = Event.objects.visible_to(self.user)
        if self.terms:
            rows = rows.filter(_all_terms(fields, self.terms)).annotate(
                relevance=_relevance(["title"], self.terms)
            )
        else:
            rows = rows.annotate(relevance=Value(0))
        if self.year:
            rows = rows.filter(start_date__year=self.year)
        if self.programme:
            linked = Event.objects.filter(
                Q(body__programme=self.programme)
                | _section_programme("sections__", self.programme)
                | _section_programme("activities__section__", self.programme)
            )
            # A subquery rather than joins on the result rows: no duplicates to remove.
            rows = rows.filter(pk__in=linked.values("pk"))
        return rows.order_by("relevance", Field("start_date").desc(nulls_first=True), "title", "pk")

    def event_hit(self, event: Event) -> Hit:
        return _text_hit(
            event,
            kind="event",
            url=_safe_reverse("events:event_detail", slug=event.slug),
            title_field="title",
            body_fields=["description", "place", "date_note"],
            terms=self.terms,
        )

    def organisations(self) -> QuerySet:
        fields = ["name", "description"]
        rows = Organisation.objects.select_related("county")
        if self.terms:
            rows = rows.filter(_all_terms(fields, self.terms)).annotate(
                relevance=_relevance(["name"], self.terms)
            )
        else:
            rows = rows.annotate(relevance=Value(0))
        if self.programme:
            in_county = {
                Programme.EBS: Q(county__ebs_participation__isnull=False),
                Programme.EBM: Q(county__ebm_participation__isnull=False),
            }[self.programme]
            linked = Organisation.objects.filter(
                in_county | _section_programme("activities__section__", self.programme)
            )
            rows = rows.filter(pk__in=linked.values("pk"))
        return rows.order_by("relevance", "name", "pk")

    def organisation_hit(self, organisation: Organisation) -> Hit:
        context = organisation.get_kind_display()
        if organisation.county is not None:
            context = f"{context}, {organisation.county}"
        return _text_hit(
            organisation,
            kind="organisation",
            url=_safe_reverse("members:organisation_detail", slug=organisation.slug),
            title_field="name",
            body_fields=["description"],
            terms=self.terms,
            context=context,
        )

    def queryset(self, kind: str) -> QuerySet:
        rows = getattr(self, {"activity": "activities"}.get(kind, f"{kind}s"))()
        # The status filter concerns activities only: the other kinds have no status.
        if self.status and kind != "activity":
            return rows.none()
        return rows

    def hit(self, kind: str, obj) -> Hit:
        return getattr(self, f"{kind}_hit")(obj)


def search(
    user,
    *,
    q: str = "",
    year: int | None = None,
    programme: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    page: int = 1,
    statuses: list[Status] | None = None,
    per_group: int = PER_GROUP,
    page_size: int = PAGE_SIZE,
) -> SearchResults:
    """Everything `user` may see that matches `q` and the filters, grouped by kind with a
    count per kind. Without `kind`, the first `per_group` hits of each kind; with it,
    page `page` (of `page_size`) of that kind only.

    `status` is a Status slug or NO_REPORT; it narrows the results to activities whose
    latest status it is. `statuses` are the Status rows (loaded if not given).
    """
    if statuses is None:
        statuses = list(Status.objects.order_by("order", "pk"))
    finder = _Search(
        user,
        terms=query_terms(q),
        year=year,
        programme=programme,
        status=status,
        statuses=statuses,
    )
    chosen = KINDS_BY_KEY.get(kind) if kind else None
    groups = []
    for each in KINDS:
        rows = finder.queryset(each.key)
        count = 0 if rows.query.is_empty() else rows.count()
        group = Group(kind=each, count=count)
        if chosen is None:
            objects = list(rows[:per_group]) if count else []
        elif chosen == each:
            group.num_pages = max(1, math.ceil(count / page_size))
            group.page = min(max(1, page), group.num_pages)
            offset = (group.page - 1) * page_size
            objects = list(rows[offset : offset + page_size]) if count else []
        else:
            objects = []
        group.hits = [finder.hit(each.key, obj) for obj in objects]
        groups.append(group)
    return SearchResults(
        terms=finder.terms,
        groups=groups,
        kind=chosen,
        status_only_activities=bool(status),
    )


def search_years(user) -> list[int]:
    """The years a user may filter by: the plans they may read, newest first."""
    return [plan.year for plan in selectors.plan_years(user)]
