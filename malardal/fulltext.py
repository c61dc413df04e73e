"""Full-text search on PostgreSQL, shared by the apps whose rows the search page finds.

A searchable table gets, through the ``AddSearchVectors`` migration operation:

- two ``tsvector`` columns, ``search_sv`` and ``search_en``, kept up to date by a trigger
  from the Swedish and English text columns (modeltranslation's ``*_sv`` and ``*_en``):
  the title fields with weight A, the others with weight B, parsed with the ``swedish``
  and ``english`` text search configurations (stemming: "regionen" is the lexeme
  "region"). They are not model fields: Django never loads them, so no page pays for
  them, and they cannot go stale, whatever writes the row (services, admin, imports,
  ``bulk_create``, ``update()``). A trigger rather than a generated column, because
  PostgreSQL refuses to change the type of a column a generated column reads (a later
  ``max_length`` change would fail); a trigger reads its columns by name at run time.
- a GIN index on each vector, and a GIN trigram index (``pg_trgm``) on each language's
  text (``Document``: the fields joined with spaces) for partial words (``ILIKE
  '%…%'``) and typos (word similarity).

On SQLite the operation does nothing; the search pages use a simple ``icontains``
fallback there (``make run``).

The expressions below build the queries that these indexes answer. ``Document`` must
produce exactly the expression the migration indexed (``document_sql``): PostgreSQL
uses an expression index only for the same expression.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.postgres.search import SearchVectorField
from django.db import connection
from django.db.migrations.operations.base import Operation
from django.db.models import BooleanField, Expression, F, FloatField, Func, Subquery, TextField

# Text search configuration per language of the portal.
CONFIGS = {"sv": "swedish", "en": "english"}
LANGUAGES = tuple(CONFIGS)
# A term this long or longer also finds words it is a typo of ("matchnig" →
# "matchning"). Shorter words have too few trigrams to tell a typo from another word
# ("gods" and "goda" are as similar as "matchnig" and "matchning").
FUZZY_MIN_LENGTH = 5
# Word similarity (pg_trgm) a typo must reach: "matchnig" is 0.78 like "matchning", while
# "godstransportrådet" is 0.68 like "godstransporter", another word.
FUZZY_THRESHOLD = 0.7
# Private-use characters around the words ts_headline marks: they survive HTML
# escaping, and are replaced with <mark> only afterwards (search.marked).
MARK_START = "\ue000"
MARK_END = "\ue001"
HEADLINE_OPTIONS = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, MaxFragments=1, MaxWords=35, MinWords=15, "
    "ShortWord=2, FragmentDelimiter= … "
)
TITLE_HEADLINE_OPTIONS = f"StartSel={MARK_START}, StopSel={MARK_END}, HighlightAll=true"


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class SearchFields:
    """The translated text fields of a searchable model (names without ``_sv``/``_en``):
    ``title`` ranks above ``body``."""

    title: tuple[str, ...]
    body: tuple[str, ...] = ()

    @property
    def all(self) -> tuple[str, ...]:
        return self.title + self.body


# --- Migration ------------------------------------------------------------------------


def document_sql(columns: Sequence[str]) -> str:
    """The SQL of ``Document(columns)`` as an index expression."""
    return "(" + " || ' ' || ".join(f"COALESCE({column}, '')" for column in columns) + ")"


def _vector_sql(fields: SearchFields, language: str, row: str = "NEW.") -> str:
    config = CONFIGS[language]
    parts = []
    for weight, names in (("A", fields.title), ("B", fields.body)):
        if names:
            text = " || ' ' || ".join(f"COALESCE({row}{name}_{language}, '')" for name in names)
            parts.append(f"setweight(to_tsvector('{config}', {text}), '{weight}')")
    return " || ".join(parts)


class AddSearchVectors(Operation):
    """Make `table` searchable (see the module docstring). PostgreSQL only; a no-op on
    other databases. Creates the pg_trgm extension if it is not there (and leaves it
    when reversed: other tables' indexes may need it)."""

    reversible = True

    def __init__(self, table: str, title: Sequence[str], body: Sequence[str] = ()):
        self.table = table
        self.title = tuple(title)
        self.body = tuple(body)

    def deconstruct(self):
        return (
            self.__class__.__qualname__,
            [],
            {"table": self.table, "title": list(self.title), "body": list(self.body)},
        )

    def state_forwards(self, app_label, state):
        pass

    @property
    def fields(self) -> SearchFields:
        return SearchFields(self.title, self.body)

    def forwards_sql(self) -> list[str]:
        table, fields = self.table, self.fields
        function = f"{table}_search_vectors"
        columns = [f"{name}_{language}" for language in LANGUAGES for name in fields.all]
        statements = [
            # Kept when the operation is reversed: other tables' indexes may use it.
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            f"ALTER TABLE {table} ADD COLUMN search_sv tsvector, ADD COLUMN search_en tsvector",
            f"""CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_sv := {_vector_sql(fields, "sv")};
  NEW.search_en := {_vector_sql(fields, "en")};
  RETURN NEW;
END
$$""",
            f"CREATE TRIGGER {function} BEFORE INSERT OR UPDATE OF {', '.join(columns)} "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()",
            # Fill the vectors of the rows already there (the trigger does it).
            f"UPDATE {table} SET {columns[0]} = {columns[0]}",
        ]
        for language in LANGUAGES:
            statements += [
                f"CREATE INDEX {table}_search_{language} ON {table} USING gin (search_{language})",
                f"CREATE INDEX {table}_trgm_{language} ON {table} USING gin "
                f"({document_sql([f'{name}_{language}' for name in fields.all])} gin_trgm_ops)",
            ]
        # Statistics for the new index expressions, so the planner uses them from the start.
        return [*statements, f"ANALYZE {table}"]

    def backwards_sql(self) -> list[str]:
        table = self.table
        return [
            f"DROP TRIGGER IF EXISTS {table}_search_vectors ON {table}",
            f"DROP FUNCTION IF EXISTS {table}_search_vectors()",
            *(f"DROP INDEX IF EXISTS {table}_trgm_{language}" for language in LANGUAGES),
            f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_sv, DROP COLUMN IF EXISTS search_en",
        ]

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            for statement in self.forwards_sql():
                schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            for statement in self.backwards_sql():
                schema_editor.execute(statement)

    def describe(self):
        return f"Search vectors and indexes for {self.table} (PostgreSQL)"

    @property
    def migration_name_fragment(self):
        return f"search_{self.table}"


# --- Query expressions ----------------------------------------------------------------


class Document(Func):
    """The fields joined with spaces, NULL as empty: the text the trigram index holds."""

    output_field = TextField()

    def __init__(self, *fields: str):
        super().__init__(*(F(name) for name in fields))

    def as_sql(self, compiler, connection, **extra):
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, more = compiler.compile(expression)
            parts.append(f"COALESCE({sql}, '')")
            params.extend(more)
        return "(" + " || ' ' || ".join(parts) + ")", params


class Vector(Expression):
    """The query's base table's ``search_<language>`` column (made by AddSearchVectors,
    not a model field)."""

    output_field = SearchVectorField()

    def __init__(self, language: str):
        super().__init__()
        self.language = language

    def as_sql(self, compiler, connection):
        alias = compiler.query.get_initial_alias()
        column = connection.ops.quote_name(f"search_{self.language}")
        return f"{compiler.quote_name_unless_alias(alias)}.{column}", []


class _Predicate(Func):
    output_field = BooleanField()


class ILike(_Predicate):
    """`text` contains `term`, ignoring case (the trigram index answers it)."""

    def __init__(self, text, term: str):
        super().__init__(text)
        self.term = term

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        pattern = f"%{connection.ops.prep_for_like_query(self.term)}%"
        return f"{sql} ILIKE %s", [*params, pattern]


class Matches(_Predicate):
    """The vector holds the words of `term` (stemmed with `language`'s configuration)."""

    def __init__(self, language: str, term: str):
        super().__init__(Vector(language))
        self.language, self.term = language, term

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return (
            f"{sql} @@ plainto_tsquery(%s::regconfig, %s)",
            [*params, CONFIGS[self.language], self.term],
        )


class Typo(_Predicate):
    """`text` has a word like `term`: pg_trgm word similarity at least FUZZY_THRESHOLD.
    The ``%>`` operator lets the trigram index find the candidates (with pg_trgm's own,
    lower threshold); the function then holds them to ours."""

    def __init__(self, text, term: str):
        super().__init__(text)
        self.term = term

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return (
            f"({sql} %%> %s AND word_similarity(%s, {sql}) >= {FUZZY_THRESHOLD})",
            [*params, self.term, self.term, *params],
        )


def _any_word_query(language: str, terms: Sequence[str]) -> tuple[str, list]:
    """A tsquery that matches any of the terms' words."""
    sql = " || ".join("plainto_tsquery(%s::regconfig, %s)" for _term in terms)
    params = []
    for term in terms:
        params += [CONFIGS[language], term]
    return f"({sql})", params


class Rank(Func):
    """How well the row matches `terms`: ts_rank of the page language's vector (titles
    weigh more than bodies), plus half that of the other language's."""

    output_field = FloatField()

    def __init__(self, language: str, terms: Sequence[str]):
        other = next(code for code in LANGUAGES if code != language)
        super().__init__(Vector(language), Vector(other))
        self.languages = (language, other)
        self.terms = list(terms)

    def as_sql(self, compiler, connection, **extra):
        parts, params = [], []
        for weight, expression, language in zip(
            ("1.0", "0.5"), self.get_source_expressions(), self.languages, strict=True
        ):
            vector, more = compiler.compile(expression)
            query, query_params = _any_word_query(language, self.terms)
            parts.append(f"{weight} * ts_rank({vector}, {query})")
            params += [*more, *query_params]
        return "(" + " + ".join(parts) + ")", params


def headline_query(terms: Sequence[str]) -> str:
    """to_tsquery text for highlighting: every word of the terms, also as a prefix (so
    "mälar" marks "Mälardalen"). Only word characters reach it, so nothing in a query
    can be read as tsquery syntax."""
    words = []
    for term in terms:
        for word in re.findall(r"\w+", term):
            if word.casefold() not in (w.casefold() for w in words):
                words.append(word)
    return " | ".join(f"'{word}':*" for word in words)


class Headline(Func):
    """ts_headline of `text` with the words of `terms` between MARK_START and MARK_END:
    the whole text with ``whole=True`` (titles), otherwise a fragment around the
    matches (or the start of the text when nothing matched)."""

    output_field = TextField()

    def __init__(self, text, language: str, terms: Sequence[str], *, whole: bool = False):
        super().__init__(text)
        self.language, self.terms, self.whole = language, list(terms), whole

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        options = TITLE_HEADLINE_OPTIONS if self.whole else HEADLINE_OPTIONS
        config = CONFIGS[self.language]
        return (
            f"ts_headline(%s::regconfig, {sql}, to_tsquery(%s::regconfig, %s), %s)",
            [config, *params, config, headline_query(self.terms), options],
        )


class InArray(_Predicate):
    """The row's primary key is among those `queryset` selects, written
    ``pk = ANY(ARRAY(subquery))``: PostgreSQL runs the subquery once and looks the keys
    up in the primary key index, so the condition can sit in a BitmapOr with the text
    indexes (``pk IN (subquery)`` cannot, and makes the planner read every row)."""

    def __init__(self, queryset):
        super().__init__(F("pk"), Subquery(queryset.values("pk")))

    def as_sql(self, compiler, connection, **extra):
        key, subquery = self.get_source_expressions()
        key_sql, key_params = compiler.compile(key)
        sub_sql, sub_params = compiler.compile(subquery)
        return f"{key_sql} = ANY(ARRAY{sub_sql})", [*key_params, *sub_params]
