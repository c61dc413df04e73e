"""Search across the plan's sections, goals and activities, the events and the member
organisations, in both languages: the results the search page shows.

``KINDS`` is the one registry of what can be found. A kind names its translated text
fields, the selector that gives the rows a user may see under the page's filters
(plan.selectors_search), its order among equally good matches and how one row becomes
a hit. Adding a kind (programmes, say) is one entry here, one selector, and an
``AddSearchVectors`` migration for its table (malardal.fulltext).

Matching and ranking are plan.selectors_search's; this module pages the rows of each
kind with Django's paginator and marks the matched words: the database's
``ts_headline`` snippets where it has them (PostgreSQL), otherwise every occurrence of
the words in the text. Text is always escaped first and the ``<mark>`` tags put in
after, so nothing in a title can become markup.

Visibility: draft plans' sections, goals and activities only for users who may see
drafts (plan.selectors.plans_visible_to); members-only events only for users who may
see them (Event.objects.visible_to). Organisations are public.

Queries: one count and one page of results per kind shown, whatever the amount of data.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, QuerySet, Window
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from malardal.fulltext import MARK_END, MARK_START, SearchFields

from . import selectors
from . import selectors_search as queries
from .models import Status

PER_GROUP = 5
PAGE_SIZE = 20
EXCERPT_LENGTH = 220
NO_REPORT = queries.NO_REPORT
query_terms = queries.query_terms


# --- Marking the matched words --------------------------------------------------------


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


_MARKED = re.compile(f"{MARK_START}(.*?){MARK_END}", re.S)


def marked(headline: str | None, *, whole_text: str | None = None) -> SafeString | None:
    """A ts_headline result as HTML: escaped, then its markers made ``<mark>`` (markers
    without a partner are dropped). None when no word was marked. With `whole_text`
    (what the headline is a fragment of), "…" where the fragment was cut."""
    if not headline or MARK_START not in headline:
        return None
    html = _MARKED.sub(r"<mark>\1</mark>", escape(headline))
    html = html.replace(MARK_START, "").replace(MARK_END, "")
    if whole_text is not None:
        plain = " ".join(headline.replace(MARK_START, "").replace(MARK_END, "").split())
        whole = " ".join(whole_text.split())
        if plain and not whole.startswith(plain):
            html = f"… {html}"
        if plain and not whole.endswith(plain):
            html = f"{html} …"
    return mark_safe(html)


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


@dataclass(frozen=True)
class Kind:
    """One kind of result (see the module docstring)."""

    key: str
    label: str
    label_plural: str
    fields: SearchFields
    rows: Callable[[queries.Scope], QuerySet]
    order: tuple
    describe: Callable[[object, "_Context"], dict]
    # Only activities have a status: with a status filter, the other kinds show nothing.
    has_status: bool = False


@dataclass
class Group:
    kind: Kind
    page: Page
    hits: list[Hit] = field(default_factory=list)

    @property
    def count(self) -> int:
        return self.page.paginator.count

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


@dataclass
class _Context:
    terms: list[str]
    statuses: dict[int, Status]


def _safe_reverse(name: str, **kwargs) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _section_label(section) -> str:
    return f"{section.number} {section.heading}".strip()


def _describe_section(section, context: _Context) -> dict:
    return {
        "url": section.get_absolute_url(),
        "context": str(section.plan),
        "is_draft": not section.plan.is_published,
        "prefix": section.number,
    }


def _describe_goal(goal, context: _Context) -> dict:
    return {
        "url": goal.get_absolute_url(),
        "context": f"{_section_label(goal.section)} – {goal.section.plan}",
        "is_draft": not goal.section.plan.is_published,
    }


def _describe_activity(activity, context: _Context) -> dict:
    return {
        **_describe_goal(activity, context),
        "status": context.statuses.get(activity.latest_status_id),
        "progress": activity.latest_progress,
    }


def _describe_event(event, context: _Context) -> dict:
    return {"url": _safe_reverse("events:event_detail", slug=event.slug)}


def _describe_organisation(organisation, context: _Context) -> dict:
    description = organisation.get_kind_display()
    if organisation.county is not None:
        description = f"{description}, {organisation.county}"
    return {
        "url": _safe_reverse("members:organisation_detail", slug=organisation.slug),
        "context": description,
    }


_PLAN_ORDER = ("-section__plan__year", "section__order", "order", "pk")

KINDS = [
    Kind(
        "section",
        _("Section"),
        _("Sections"),
        SearchFields(("heading",), ("body", "closing")),
        queries.section_rows,
        ("-plan__year", "order", "pk"),
        _describe_section,
    ),
    Kind(
        "goal",
        _("Overall goal"),
        _("Overall goals"),
        SearchFields(("text",)),
        queries.goal_rows,
        _PLAN_ORDER,
        _describe_goal,
    ),
    Kind(
        "activity",
        _("Activity"),
        pgettext_lazy("search results", "Activities"),
        SearchFields(("text",)),
        queries.activity_rows,
        _PLAN_ORDER,
        _describe_activity,
        has_status=True,
    ),
    Kind(
        "event",
        _("Event"),
        _("Events"),
        SearchFields(("title",), ("description", "place", "date_note")),
        queries.event_rows,
        (F("start_date").desc(nulls_first=True), "title", "pk"),
        _describe_event,
    ),
    Kind(
        "organisation",
        _("Organisation"),
        _("Organisations"),
        SearchFields(("name",), ("description",)),
        queries.organisation_rows,
        ("name", "pk"),
        _describe_organisation,
    ),
]
KINDS_BY_KEY = {kind.key: kind for kind in KINDS}


def _language() -> str:
    return "en" if (get_language() or "sv").startswith("en") else "sv"


def _other_language() -> str:
    return "sv" if _language() == "en" else "en"


def _text(obj, names, language: str | None = None) -> str:
    suffix = f"_{language}" if language else ""
    return " ".join(getattr(obj, f"{name}{suffix}", "") or "" for name in names)


def _hit(kind: Kind, obj, context: _Context) -> Hit:
    """The hit for `obj`: title and excerpt in the page's language; when none of the
    words are in that text, the excerpt is taken from the other language's text."""
    terms, fields = context.terms, kind.fields
    details = kind.describe(obj, context)
    prefix = details.pop("prefix", "")
    title_text = _text(obj, fields.title)
    title = marked(getattr(obj, "title_marked", None)) or highlight(title_text, terms)
    if prefix:
        title = mark_safe(f"{escape(prefix)} {title}")
    hit = Hit(kind=kind.key, title=title, obj=obj, **details)
    found_here = matches(title_text, terms) or "<mark>" in title
    if fields.body:
        body = _text(obj, fields.body)
        hit.excerpt = marked(getattr(obj, "excerpt_marked", None), whole_text=body)
        for name in fields.body:
            if hit.excerpt:
                break
            hit.excerpt = excerpt(getattr(obj, name), terms)
        found_here = found_here or hit.excerpt is not None
    if not found_here and terms:
        other = _other_language()
        hit.excerpt = marked(
            getattr(obj, "other_marked", None), whole_text=_text(obj, fields.all, other)
        )
        for name in fields.all:
            if hit.excerpt:
                break
            hit.excerpt = excerpt(getattr(obj, f"{name}_{other}", ""), terms)
        if hit.excerpt:
            hit.excerpt_lang = other
    return hit


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
    page `page` (of `page_size`; past the end, the last page) of that kind only.

    `status` is a Status slug or NO_REPORT; it narrows the results to activities whose
    latest status it is. `statuses` are the Status rows (loaded if not given).
    """
    if statuses is None:
        statuses = list(Status.objects.order_by("order", "pk"))
    by_slug = {s.slug: s for s in statuses}
    chosen_status = NO_REPORT if status == NO_REPORT else by_slug.get(status) if status else None
    scope = queries.scope_for(user, year=year, programme=programme, status=chosen_status)
    context = _Context(terms=query_terms(q), statuses={s.pk: s for s in statuses})
    chosen = KINDS_BY_KEY.get(kind) if kind else None
    groups = []
    for each in KINDS:
        base = each.rows(scope)
        # A query of punctuation only has no word to find.
        if (status and not each.has_status) or (q.strip() and not context.terms):
            base = base.none()
        ranked = queries.matching(
            base, each.fields, context.terms, order=each.order, language=_language()
        )
        if chosen is None or chosen == each:
            shown = queries.with_snippets(base, each.fields, context.terms, language=_language())
            per_page = per_group if chosen is None else page_size
            result = counted_page(ranked, shown, per_page, page if chosen else 1)
        else:
            # Counted for the links to the other kinds, not shown.
            result = Page([], 1, Paginator(ranked, page_size))
        group = Group(kind=each, page=result)
        if chosen is None or chosen == each:
            group.hits = [_hit(each, obj, context) for obj in result.object_list]
        groups.append(group)
    return SearchResults(
        terms=context.terms,
        groups=groups,
        kind=chosen,
        status_only_activities=bool(status),
    )


def counted_page(ranked: QuerySet, shown: QuerySet, per_page: int, number: int) -> Page:
    """Page `number` (past the end: the last page) of `ranked`, with the rows loaded from
    `shown`, as Django's paginator gives it. Two queries: the keys of the page's rows
    with the count of all (``COUNT(*) OVER ()``), matched and ranked once on narrow
    rows; then the page's rows in full. A page past the end costs a count and the keys
    of the last page too."""
    keys = ranked.annotate(full_count=Window(Count("pk"))).values_list("pk", "full_count")
    paginator = Paginator(ranked, per_page)
    number = max(1, number)
    found = list(keys[(number - 1) * per_page : number * per_page])
    if found:
        paginator.count = found[0][1]
    elif number == 1:
        paginator.count = 0
    elif paginator.num_pages > 1:
        number = paginator.num_pages
        found = list(keys[(number - 1) * per_page : number * per_page])
    if not found:
        return Page([], 1, paginator)
    order = [pk for pk, _count in found]
    rows = {row.pk: row for row in shown.filter(pk__in=order)}
    return Page([rows[pk] for pk in order if pk in rows], number, paginator)


def search_years(user) -> list[int]:
    """The years a user may filter by: the plans they may read, newest first."""
    return [plan.year for plan in selectors.plan_years(user)]
