"""The search page's queries: for each kind of result, the rows a user may see narrowed
by the page's filters (year, programme, status), then matched against the words of a
query and ranked.

Matching (PostgreSQL): every word of the query must match, each in any of the row's
text fields, Swedish or English, in one of three ways:

- as a word, stemmed with the language's text search configuration ("regionen" finds
  "region"): the ``search_sv``/``search_en`` vectors (malardal.fulltext);
- as part of a word, ignoring case ("mälar" finds "Mälardalen", "transport" finds
  "godstransporter"): ``ILIKE '%…%'``, answered by the trigram index, so the results are
  never fewer than a plain substring search would give;
- as a typo of a word in the title (the whole text of goals and activities), for words
  of FUZZY_MIN_LENGTH letters or more that no row has as written ("matchnig" finds
  "matchning"): pg_trgm word similarity.

Ranking: first the rows with every word in their title (as the old search did), then by
``ts_rank`` (the page language's text counts fully, the other language's by half;
titles weigh more than bodies), then the kind's own order (newest plan first, the
plan's order). The rows of a page get ``ts_headline`` snippets (``with_snippets``) with
the matched words between malardal.fulltext.MARK_START and MARK_END (``title_marked``,
``excerpt_marked`` and ``other_marked``, the other language's text).

SQLite (``make run``) has no text search: there every word must occur in a field
(``icontains``; a case-insensitive regular expression for words with letters beyond
ASCII, which SQLite's LIKE does not fold), title hits first, no snippets from the
database.

Each function runs no query itself: it returns a queryset for the caller to page.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, Exists, F, IntegerField, Q, QuerySet, Value, When

from events.models import Event
from malardal.fulltext import (
    FUZZY_MIN_LENGTH,
    LANGUAGES,
    Document,
    Headline,
    ILike,
    InArray,
    Matches,
    Rank,
    SearchFields,
    Typo,
    is_postgresql,
)
from members.models import Organisation, Programme

from . import selectors
from .models import Activity, Goal, Plan, Section, Status

MAX_TERMS = 8
NO_REPORT = "none"
# Deepest section level whose programme a sub-section inherits (the 2023 plan has 3).
SECTION_DEPTH = 5


@dataclass(frozen=True)
class Scope:
    """Who searches, and the filters: `status` is a Status, NO_REPORT or None."""

    user: object
    plans: QuerySet[Plan]
    year: int | None = None
    programme: str | None = None
    status: Status | str | None = None


def scope_for(user, *, year=None, programme=None, status=None) -> Scope:
    return Scope(
        user=user,
        plans=selectors.plans_visible_to(user),
        year=year,
        programme=programme,
        status=status,
    )


def query_terms(q: str) -> list[str]:
    """The distinct words of `q`, at most MAX_TERMS, in order. Punctuation on its own
    ("&", "!", "–") is not a word: it is left out."""
    terms = []
    for word in q.split():
        if not re.search(r"\w", word):
            continue
        if word.casefold() not in (t.casefold() for t in terms):
            terms.append(word)
    return terms[:MAX_TERMS]


# --- The rows of each kind, before matching -------------------------------------------


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


def _in_sections(rows: QuerySet, prefix: str, scope: Scope) -> QuerySet:
    rows = rows.filter(**{f"{prefix}plan__in": scope.plans})
    if scope.year:
        rows = rows.filter(**{f"{prefix}plan__year": scope.year})
    if scope.programme:
        rows = rows.filter(_section_programme(prefix, scope.programme))
    return rows.select_related(f"{prefix}plan")


def section_rows(scope: Scope) -> QuerySet[Section]:
    return _in_sections(Section.objects.all(), "", scope)


def goal_rows(scope: Scope) -> QuerySet[Goal]:
    return _in_sections(Goal.objects.all(), "section__", scope)


def activity_rows(scope: Scope) -> QuerySet[Activity]:
    rows = selectors.with_latest_status(_in_sections(Activity.objects.all(), "section__", scope))
    if scope.status == NO_REPORT:
        rows = rows.filter(latest_status_id__isnull=True)
    elif scope.status is not None:
        rows = rows.filter(latest_status_id=scope.status.pk)
    return rows


def event_rows(scope: Scope) -> QuerySet[Event]:
    rows = Event.objects.visible_to(scope.user)
    if scope.year:
        rows = rows.filter(start_date__year=scope.year)
    if scope.programme:
        linked = Event.objects.filter(
            Q(body__programme=scope.programme)
            | _section_programme("sections__", scope.programme)
            | _section_programme("activities__section__", scope.programme)
        )
        # A subquery rather than joins on the result rows: no duplicates to remove.
        rows = rows.filter(pk__in=linked.values("pk"))
    return rows


def organisation_rows(scope: Scope) -> QuerySet[Organisation]:
    rows = Organisation.objects.select_related("county")
    if scope.programme:
        in_county = {
            Programme.EBS: Q(county__ebs_participation__isnull=False),
            Programme.EBM: Q(county__ebm_participation__isnull=False),
        }[scope.programme]
        linked = Organisation.objects.filter(
            in_county | _section_programme("activities__section__", scope.programme)
        )
        rows = rows.filter(pk__in=linked.values("pk"))
    return rows


# --- Matching and ranking -------------------------------------------------------------


def _columns(names: Sequence[str], language: str) -> list[str]:
    return [f"{name}_{language}" for name in names]


def _term_matches(model, fields: SearchFields, term: str) -> Q:
    """`term` is in the row (PostgreSQL): as a word or part of a word, in any field, in
    either language; or, when no row of `model` has it so, as a typo of a word in its
    title (see _typos)."""
    condition = Q()
    for language in LANGUAGES:
        document = Document(*_columns(fields.all, language))
        condition |= Q(ILike(document, term)) | Q(Matches(language, term))
    if len(term) >= FUZZY_MIN_LENGTH:
        condition |= _typos(model, fields, term, written=condition)
    return condition


def _typos(model, fields: SearchFields, term: str, *, written: Q) -> Q:
    """Rows with a word `term` may be a typo of, when no row has `term` as written.

    Word similarity is worked out for every row the trigram index offers, and for a
    common word that is most rows; on a long text it is slow. So typos are looked for
    in titles (the whole text of goals and activities), and only when needed: the NOT
    EXISTS runs once (it stops at the first row that has the word), and the typo
    subquery finds nothing without reading a row when it is false. The subquery is
    planned on its own, with the trigram index, and joins the other conditions through
    the primary key index (InArray), so PostgreSQL still answers the whole condition
    from indexes.
    """
    similar = Q()
    for language in LANGUAGES:
        similar |= Q(Typo(Document(*_columns(fields.title, language)), term))
    exists = Exists(model.objects.filter(written).order_by())
    return Q(InArray(model.objects.filter(~exists, similar).order_by()))


def _contains(field_name: str, term: str) -> Q:
    if connection.vendor == "sqlite" and not term.isascii():
        return Q(**{f"{field_name}__iregex": re.escape(term)})
    return Q(**{f"{field_name}__icontains": term})


def _term_in_fields(names: Sequence[str], term: str) -> Q:
    """`term` in any of the fields, either language, as a substring (any database)."""
    if is_postgresql():
        condition = Q()
        for language in LANGUAGES:
            condition |= Q(ILike(Document(*_columns(names, language)), term))
        return condition
    condition = Q()
    for name in names:
        for language in LANGUAGES:
            condition |= _contains(f"{name}_{language}", term)
    return condition


def _all_in_title(fields: SearchFields, terms: Sequence[str]):
    """0 when every word is in the title, 1 otherwise: title hits come first."""
    condition = Q()
    for term in terms:
        condition &= _term_in_fields(fields.title, term)
    return Case(When(condition, then=Value(0)), default=Value(1), output_field=IntegerField())


def matching(
    rows: QuerySet,
    fields: SearchFields,
    terms: Sequence[str],
    *,
    order: Sequence,
    language: str,
) -> QuerySet:
    """`rows` that match every word of `terms`, best first, then in `order` (see the
    module docstring). Without terms, `rows` in `order`."""
    if not terms:
        return rows.order_by(*order)
    for term in terms:
        rows = rows.filter(
            _term_matches(rows.model, fields, term)
            if is_postgresql()
            else _term_in_fields(fields.all, term)
        )
    ranking = []
    if fields.body:
        rows = rows.annotate(relevance=_all_in_title(fields, terms))
        ranking.append("relevance")
    if is_postgresql():
        rows = rows.annotate(rank=Rank(language, terms))
        ranking.append(F("rank").desc())
    return rows.order_by(*ranking, *order)


def with_snippets(
    rows: QuerySet, fields: SearchFields, terms: Sequence[str], *, language: str
) -> QuerySet:
    """`rows` with their ts_headline snippets (PostgreSQL; see the module docstring):
    for the few rows of a page, since a snippet is slow to make."""
    if not terms or not is_postgresql():
        return rows
    other = next(code for code in LANGUAGES if code != language)
    rows = rows.annotate(
        title_marked=Headline(
            Document(*_columns(fields.title, language)), language, terms, whole=True
        ),
        other_marked=Headline(Document(*_columns(fields.all, other)), other, terms),
    )
    if fields.body:
        rows = rows.annotate(
            excerpt_marked=Headline(Document(*_columns(fields.body, language)), language, terms)
        )
    return rows
