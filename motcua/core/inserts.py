"""One new row written as `Model.objects.create` writes it, with the INSERT compiled once.

`QuerySet.create` compiles its INSERT for every row: Django resolves the table, the columns,
their placeholders and the RETURNING clause again each time, which costs more CPU than the
statement takes in the database for the three rows a signed receipt writes
(docs/payments.md, "Speed"; ADR 0032). `row_insert` lets Django's own compiler make the
statement for the first row of a model on a connection, keeps its text, and for the next
rows only works out the values as the compiler does (each field's `pre_save(add=True)`, then
`get_db_prep_save`) and reads back what the database returns (the id).

It falls back to `obj.save(force_insert=True)` whenever the shortcut would not be the same:
a model with parents (multi-table inheritance) or `order_with_respect_to`, a pre- or
post-save receiver, a value that is an expression, a backend that cannot return columns
from an INSERT, or a compiled statement whose parameters are not exactly the values.
"""

from __future__ import annotations

from typing import Any, NamedTuple, TypeVar

from django.db import connection, connections, router, transaction
from django.db.models import Field, Model, signals
from django.db.models.sql import InsertQuery

M = TypeVar("M", bound=Model)


class _Statement(NamedTuple):
    sql: str
    fields: list[Any]
    returning: list[Any]
    returning_params: Any


#: (model, database alias) -> its compiled INSERT
_STATEMENTS: dict[tuple[type[Model], str], _Statement] = {}


def table_sql(model: type[Model]) -> str:
    """The model's table, quoted for a statement written out."""
    return str(connection.ops.quote_name(model._meta.db_table))


def column_sql(model: type[Model], name: str) -> str:
    """The column of the model's field `name` (`"pk"`: its primary key), quoted."""
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    column = getattr(field, "column", None)
    if not isinstance(column, str):
        raise ValueError(f"{model.__name__}.{name} has no column")
    return str(connection.ops.quote_name(column))


def insert_plain(model: type[Model]) -> bool:
    """Whether a row of `model` may be written by a statement of its own rather than by
    `save()`: no parents, no `order_with_respect_to`, no pre- or post-save receiver."""
    meta = model._meta
    return not (
        meta.parents
        or meta.order_with_respect_to
        or signals.pre_save.has_listeners(model)
        or signals.post_save.has_listeners(model)
    )


def insert_fields(model: type[Model]) -> list[Any]:
    """The fields an INSERT of `model` writes, in Django's order (not the auto id, not a
    generated column)."""
    meta = model._meta
    return [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]


def insert_values(obj: Model, fields: list[Any], connection: Any) -> list[Any] | None:
    """The values the INSERT compiler would send for `obj` (None: one is an expression)."""
    values = []
    for field in fields:
        value = field.pre_save(obj, add=True)
        if hasattr(value, "resolve_expression"):
            return None
        values.append(field.get_db_prep_save(value, connection=connection))
    return values


def _compiled(
    model: type[Model], obj: Model, fields: list[Any], alias: str
) -> tuple[_Statement, list[Any]] | None:
    """Django's statement for `obj` and its parameters, when every parameter is a plain value
    in a `%s` placeholder of its own (else None)."""
    connection = connections[alias]
    if not connection.features.can_return_columns_from_insert:
        return None
    if any(hasattr(field, "get_placeholder") for field in fields):
        return None
    returning = list(model._meta.db_returning_fields)
    query = InsertQuery(model)
    query.insert_values(fields, [obj])
    compiler = query.get_compiler(using=alias)
    compiler.returning_fields = returning
    statements = compiler.as_sql()
    if len(statements) != 1:
        return None
    sql, params = statements[0]
    values = list(params)
    if len(values) != len(fields) or sql.count("%s") != len(values):
        return None
    if any(hasattr(value, "as_sql") or hasattr(value, "resolve_expression") for value in values):
        return None
    return _Statement(sql, fields, returning, compiler.returning_params), values


def row_insert(obj: M) -> M:
    """Write the new `obj` as `type(obj).objects.create(...)` does (one INSERT, its id and
    any other database-returned field set on it) and answer it."""
    model = type(obj)
    meta = model._meta
    instance: Any = obj  # Django's own methods, not in its stubs
    alias = router.db_for_write(model, instance=obj)
    if not insert_plain(model) or meta.auto_field is None or instance._is_pk_set(meta):
        obj.save(force_insert=True, using=alias)  # an id chosen by the caller, say
        return obj
    instance._prepare_related_fields_for_save(operation_name="save")
    connection = connections[alias]
    statement = _STATEMENTS.get((model, alias))
    values: list[Any] | None
    if statement is None:
        fields = insert_fields(model)
        compiled = _compiled(model, obj, fields, alias)
        if compiled is None:
            obj.save(force_insert=True, using=alias)
            return obj
        statement, values = compiled
        _STATEMENTS[(model, alias)] = statement
    else:
        values = insert_values(obj, statement.fields, connection)
        if values is None:
            obj.save(force_insert=True, using=alias)
            return obj
    with transaction.mark_for_rollback_on_error(using=alias), connection.cursor() as cursor:
        cursor.execute(statement.sql, values)
        row = connection.ops.fetch_returned_insert_columns(  # type: ignore[attr-defined]
            cursor, statement.returning_params
        )
    for value, field in zip(row, statement.returning, strict=True):
        column = field.get_col(meta.db_table)
        for converter in connection.ops.get_db_converters(column) + field.get_db_converters(
            connection
        ):
            value = converter(value, column, connection)
        setattr(obj, field.attname, value)
    obj._state.adding = False
    obj._state.db = alias
    return obj


#: SQLite's oldest limit on a statement's parameters, under PostgreSQL's: more goes to
#: `bulk_create`, which splits the rows into batches.
_MAX_PARAMETERS = 999
#: (model, database alias, rows) -> the fields and the statement of that many rows
_MANY: dict[tuple[type[Model], str, int], tuple[list[Any], str]] = {}
_FIELD_PRE_SAVE = Field.pre_save


def rows_insert(objs: list[M]) -> None:
    """Write the new `objs` (one model) as `bulk_create(objs)` writes them, in one
    multi-row INSERT kept per model and number of rows, without reading their ids back
    (a caller that needs them uses `bulk_create` or `row_insert`). The values are what
    Django's compiler sends (`pre_save(add=True)`, then `get_db_prep_save`); whenever the
    shortcut might differ (see the module's docstring), `bulk_create` itself."""
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    alias = router.db_for_write(model, instance=objs[0])
    instances: list[Any] = list(objs)  # Django's own methods, not in its stubs
    fields = insert_fields(model)
    if (
        not insert_plain(model)
        or meta.auto_field is None
        or any(type(item) is not model for item in instances)
        or any(item._is_pk_set(meta) for item in instances)
        or any(hasattr(field, "get_placeholder") for field in fields)
        or len(objs) * len(fields) > _MAX_PARAMETERS
    ):
        model._default_manager.using(alias).bulk_create(objs)
        return
    connection = connections[alias]
    # the first row's values worked out in full; a next row's value is the first's wherever
    # its attribute is the first's (of the same type) and the field's `pre_save` is Field's
    # own (the attribute as it is): the deliveries of a message differ by one field of ten
    first = instances[0]
    first._prepare_related_fields_for_save(operation_name="bulk_create")
    head = insert_values(first, fields, connection)
    if head is None:
        model._default_manager.using(alias).bulk_create(objs)
        return
    params: list[Any] = list(head)
    attnames = [field.attname for field in fields]
    raws = [getattr(first, name) for name in attnames]
    reads = [type(field).pre_save is _FIELD_PRE_SAVE for field in fields]
    for obj in instances[1:]:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
        for index, field in enumerate(fields):
            raw = getattr(obj, attnames[index])
            if reads[index] and type(raw) is type(raws[index]) and raw == raws[index]:
                params.append(head[index])
                continue
            value = field.pre_save(obj, add=True)
            if hasattr(value, "resolve_expression"):
                model._default_manager.using(alias).bulk_create(objs)
                return
            params.append(field.get_db_prep_save(value, connection=connection))
    key = (model, alias, len(objs))
    cached = _MANY.get(key)
    if cached is None:
        quote = connection.ops.quote_name
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        sql = (
            f"INSERT INTO {quote(meta.db_table)} "  # noqa: S608 (names from the model)
            f"({', '.join(quote(str(field.column)) for field in fields)}) "
            f"VALUES {', '.join([row] * len(objs))}"
        )
        cached = _MANY[key] = (fields, sql)
    with transaction.mark_for_rollback_on_error(using=alias), connection.cursor() as cursor:
        cursor.execute(cached[1], params)
    for obj in instances:
        obj._state.adding = False
        obj._state.db = alias
