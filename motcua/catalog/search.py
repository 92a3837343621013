"""Finding a procedure as people type it (docs/search.md).

One ranking on both databases, computed where the data is:

- **PostgreSQL**: `search_text` (already folded: no diacritics, lower case) carries two GIN
  indexes, a `tsvector` (`to_tsvector('simple', search_text)`, prefix queries: "khai si"
  while typing) and a trigram index (`gin_trgm_ops`, `pg_trgm`'s `<%` word similarity: typos,
  "khai sjnh"). The score is computed in SQL; `unaccent` folds the name for the closeness of
  the whole query to the name.
- **SQLite**: an FTS5 table with the trigram tokenizer (`catalog_procedure_fts`, rowid = the
  procedure's id, the active procedures' `search_text`) gives the candidates sharing a
  trigram with a query word; the same score is computed in Python over them. The catalog
  services that write procedures call `search_index_sync` (no signals).

score = 0.5 if every query word begins a word of the text (prefix match)
      + 0.5 x word similarity (for each query word, the share of its trigrams found in
        one word of the text, weighted by its trigrams)
      + similarity of the query to the folded name (trigram Jaccard: the closest, shortest
        name wins)
      + 1 if the query is the procedure's code
      + use: 0.05 x log10(1 + dossiers in the last 12 months), at most 0.2
A procedure matches when every word begins a word of its text (prefix); only when no
procedure matches so are typos looked for: then those whose word similarity reaches 0.6
(`pg_trgm.word_similarity_threshold`'s default) match. Ties: more used first, then by code.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import BooleanField, FloatField, QuerySet
from django.db.models.expressions import RawSQL

from .models import Procedure
from .text import fold

FTS_TABLE = "catalog_procedure_fts"
WORD_SIMILARITY_THRESHOLD = 0.6
SUGGESTION_THRESHOLD = 0.3
PREFIX_WEIGHT = 0.5
WORD_SIMILARITY_WEIGHT = 0.5
CODE_WEIGHT = 1.0
USE_WEIGHT = 0.05
USE_CAP = 0.2
_WORDS = re.compile(r"[a-z0-9]+")
_CHUNK = 500


def query_words(q: str) -> list[str]:
    """The folded words of a query (what both backends search for)."""
    return _WORDS.findall(fold(q))


def use_boost(use_count: int) -> float:
    return min(USE_WEIGHT * math.log10(1 + use_count), USE_CAP)


# --- trigrams as pg_trgm makes them --------------------------------------------------------


def _word_trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def trigrams(words: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for word in words:
        out |= _word_trigrams(word)
    return out


def word_similarity(words: Sequence[str], text_words: Sequence[str]) -> float:
    """How well the query's words are found among the text's words, in [0, 1]: for each query
    word the best share of its trigrams found in one word of the text, weighted by its number
    of trigrams (close to pg_trgm's `word_similarity`, which looks for the query in one
    contiguous extent of the text)."""
    text_grams = [_word_trigrams(t) for t in set(text_words)]
    found = total = 0
    for word in words:
        grams = _word_trigrams(word)
        total += len(grams)
        found += max((len(grams & t) for t in text_grams), default=0)
    return found / total if total else 0.0


def similarity(a: set[str], b: set[str]) -> float:
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def prefix_match(words: Sequence[str], text_words: Sequence[str]) -> bool:
    return all(any(t.startswith(w) for t in text_words) for w in words)


@dataclass(frozen=True)
class Scored:
    pk: int
    score: float
    use_count: int
    code: str
    matched: bool
    closeness: float  # word similarity, for suggestions
    prefix: bool = False


def score_row(
    *, words: Sequence[str], q_folded: str, pk: int, code: str, name: str, text: str, use: int
) -> Scored:
    """The score of one procedure for a query (the Python twin of `_pg_score`)."""
    text_words = _WORDS.findall(text)
    query_grams = trigrams(words)
    ws = word_similarity(words, text_words)
    prefix = prefix_match(words, text_words)
    score = (
        (PREFIX_WEIGHT if prefix else 0.0)
        + WORD_SIMILARITY_WEIGHT * ws
        + similarity(query_grams, trigrams(_WORDS.findall(fold(name))))
        + (CODE_WEIGHT if code.lower() == q_folded else 0.0)
        + use_boost(use)
    )
    return Scored(
        pk=pk,
        score=score,
        use_count=use,
        code=code,
        matched=prefix or ws >= WORD_SIMILARITY_THRESHOLD,
        closeness=ws,
        prefix=prefix,
    )


# --- SQLite: the FTS5 index (only the constant table name is formatted into SQL) -----------


def sqlite_index_create(cursor: object) -> None:
    """Create the FTS5 table (the migration; `search_index_rebuild` after a flush)."""
    cursor.execute(  # type: ignore[attr-defined]
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} "
        "USING fts5(search_text, tokenize = 'trigram')"
    )


def search_index_sync(*, procedure_ids: Iterable[int]) -> None:
    """Bring the SQLite index in step with these procedures (written, retired or deleted):
    their rows are replaced by the active ones' `search_text`. A no-op on PostgreSQL, where
    the indexes are on the table itself. Called by the catalog services, in their
    transaction."""
    if connection.vendor != "sqlite":
        return
    ids = sorted(set(procedure_ids))
    with connection.cursor() as cursor:
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ",".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", chunk)  # noqa: S608
            rows = list(
                Procedure.objects.filter(pk__in=chunk, is_active=True).values_list(
                    "pk", "search_text"
                )
            )
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, search_text) VALUES (%s, %s)",  # noqa: S608
                rows,
            )


def search_index_rebuild() -> int:
    """Empty the SQLite index and fill it from every active procedure; returns how many.
    A no-op (0) on PostgreSQL."""
    if connection.vendor != "sqlite":
        return 0
    with connection.cursor() as cursor:
        sqlite_index_create(cursor)
        cursor.execute(f"DELETE FROM {FTS_TABLE}")  # noqa: S608
    ids = list(Procedure.objects.filter(is_active=True).values_list("pk", flat=True))
    search_index_sync(procedure_ids=ids)
    return len(ids)


def _fts_match(words: Sequence[str]) -> str | None:
    """An FTS5 query: any trigram of any query word (candidates; the score decides)."""
    grams = sorted({w[i : i + 3] for w in words for i in range(len(w) - 2)})
    if not grams:
        return None
    return " OR ".join(f'"{g}"' for g in grams)


def _fts_all_words(words: Sequence[str]) -> str | None:
    """An FTS5 query: every word of three letters or more as a substring (the words as typed;
    shorter ones are checked in Python)."""
    long = sorted({w for w in words if len(w) >= 3})
    return " AND ".join(f'"{w}"' for w in long) if long else None


def _candidates(qs: QuerySet[Procedure], match: str | None, words: Sequence[str]) -> list[Scored]:
    if match is None:  # only words of one or two letters: no trigram to look up
        rows = qs.filter(search_text__contains=words[0])
    else:
        rows = qs.filter(
            pk__in=RawSQL(  # noqa: S611 (constants; the query is a parameter)
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",  # noqa: S608
                [match],
            )
        )
    q_folded = " ".join(words)
    return [
        score_row(words=words, q_folded=q_folded, pk=pk, code=code, name=name, text=text, use=use)
        for pk, code, name, text, use in rows.values_list(
            "pk", "code", "name", "search_text", "use_count"
        )
    ]


def sqlite_rank(
    qs: QuerySet[Procedure], *, words: Sequence[str], q_folded: str
) -> tuple[list[Scored], list[Scored]]:
    """(matches best first, near misses best first) among `qs`: the words as typed (every
    long word a substring in the index, then every word a prefix), else typos (candidates
    sharing a trigram with a word, word similarity at least 0.6)."""

    def order(items: list[Scored]) -> list[Scored]:
        return sorted(items, key=lambda s: (-s.score, -s.use_count, s.code))

    strict = [s for s in _candidates(qs, _fts_all_words(words), words) if s.prefix]
    if strict:
        return order(strict), []
    scored = _candidates(qs, _fts_match(words), words)
    matched = order([s for s in scored if s.matched])
    near = sorted(
        (s for s in scored if not s.matched and s.closeness >= SUGGESTION_THRESHOLD),
        key=lambda s: (-s.closeness, -s.use_count, s.code),
    )
    return matched, near


# --- PostgreSQL ----------------------------------------------------------------------------

_TSV = 'to_tsvector(\'simple\', "catalog_procedure"."search_text")'
PG_INDEXES = (
    "CREATE INDEX IF NOT EXISTS catalog_procedure_search_trgm "
    "ON catalog_procedure USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS catalog_procedure_search_tsv "
    "ON catalog_procedure USING gin ((to_tsvector('simple', search_text)))",
)


def search_indexes_install() -> None:
    """What the search migration creates, for a database built without migrations (the test
    suite): the extensions and GIN indexes on PostgreSQL, the FTS5 table on SQLite."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            for sql in PG_INDEXES:
                cursor.execute(sql)
        elif connection.vendor == "sqlite":
            sqlite_index_create(cursor)


@contextmanager
def pg_index_scans(
    *, word_similarity_threshold: float = WORD_SIMILARITY_THRESHOLD
) -> Iterator[None]:
    """A transaction in which the planner uses the GIN indexes: it prices `word_similarity`
    like a cheap operator, so on a catalog of a few thousand rows it chose a sequential scan
    computing it for every row (about 10x slower, measured: bench/procedure_search.py).
    `SET LOCAL` ends with the transaction. The threshold of `<%` is set here too (0.3 for
    suggestions)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
            [str(word_similarity_threshold)],
        )
        yield


def _tsquery(words: Sequence[str]) -> str:
    return " & ".join(f"{w}:*" for w in words)


def pg_matching(
    qs: QuerySet[Procedure], *, words: Sequence[str], q_folded: str, typos: bool
) -> QuerySet[Procedure]:
    """`qs` narrowed to the matches, best first (annotated with `search_score`): with
    `typos`, by word similarity (`<%`, the trigram index), otherwise every word a prefix
    (the tsvector index)."""
    joined = " ".join(words)
    tsq = _tsquery(words)
    if typos:
        matches = RawSQL(
            '%s <%% "catalog_procedure"."search_text"', [joined], output_field=BooleanField()
        )
    else:
        matches = RawSQL(  # noqa: S611
            f"{_TSV} @@ to_tsquery('simple', %s)", [tsq], output_field=BooleanField()
        )
    score = RawSQL(  # noqa: S611
        f"({PREFIX_WEIGHT if not typos else 0}"
        f' + {WORD_SIMILARITY_WEIGHT} * word_similarity(%s, "catalog_procedure"."search_text")'
        ' + similarity(%s, unaccent(lower("catalog_procedure"."name")))'
        f' + CASE WHEN lower("catalog_procedure"."code") = %s THEN {CODE_WEIGHT} ELSE 0 END'
        f' + LEAST({USE_WEIGHT} * log(1 + "catalog_procedure"."use_count"), {USE_CAP}))',
        [joined, joined, q_folded],
        output_field=FloatField(),
    )
    return (
        qs.filter(matches)
        .annotate(search_score=score)
        .order_by("-search_score", "-use_count", "code")
    )


def pg_near(
    qs: QuerySet[Procedure], *, words: Sequence[str], limit: int
) -> list[tuple[str, float]]:
    """Names of the procedures closest to a query that found nothing (word similarity at
    least SUGGESTION_THRESHOLD, through the trigram index)."""
    joined = " ".join(words)
    near = RawSQL('%s <%% "catalog_procedure"."search_text"', [joined], output_field=BooleanField())
    closeness = RawSQL(
        'word_similarity(%s, "catalog_procedure"."search_text")',
        [joined],
        output_field=FloatField(),
    )
    with pg_index_scans(word_similarity_threshold=SUGGESTION_THRESHOLD):
        return list(
            qs.filter(near)
            .annotate(closeness=closeness)
            .order_by("-closeness", "-use_count", "code")
            .values_list("name", "closeness")[:limit]
        )
