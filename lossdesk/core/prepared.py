"""Reads Django compiles once per process (issue 16, decision 0031).

Compiling a queryset into SQL is most of what a small read costs in Python: 0.5–1.3 ms for
a case's reviews or photos, which the database answers in 0.2 ms, and a case's detail
issues a dozen such reads. A read whose SQL never changes but for its parameter values (a
case's children by the case's id) is compiled here once per process and shape (how many
values a list holds; LossDesk has one database), kept with what Django builds its rows
from, and from then on only run with the new values: the same SQL, the same rows, the same
model instances.

`Prepared(build)`: `build(*values)` returns the queryset for those values. Its SQL must not
depend on them (no `None` meaning IS NULL, no value turned into a pattern); the first
compile checks that each value lands in exactly one parameter, and while
`LOSSDESK_VERIFY_PREPARED` is on (the test suite) every run is compiled anew and compared.

`PreparedPrefetch(lookup, queryset)`: Prefetch(lookup, queryset) for a one-to-many
relation, through a Prepared read: the instances' rows in one statement, handed to each
instance's prefetch cache as prefetch_related_objects would. With `through`, the relation
is read for each instance's loaded to-one `through` (a property item's negotiation's
offers)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import count

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.sql.compiler import SQLCompiler
from django.db.models.sql.query import Query

# Stand-ins for the values while compiling: numbers no id reaches, strings no one types.
_stand_ins = count(-(2**62))


def _stand_in(value):
    n = next(_stand_ins)
    return n if isinstance(value, int) else f"\x00prepared{n}"


def _flat(values) -> list:
    """The values, lists spread out; each an id or a string (None would need IS NULL)."""
    flat = []
    for value in values:
        flat.extend(value if isinstance(value, list | tuple) else (value,))
    for value in flat:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise TypeError(f"A prepared read takes ids and strings, not {value!r}.")
    return flat


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    slots: tuple[int, ...]  # the position in `params` of each value, in order
    queryset: QuerySet  # the compiled queryset: model, database, prefetches to follow
    state: tuple  # what the compiler built the rows from (see _Compiler)


class _Compiler(SQLCompiler):
    """A compiler that has already compiled: the SQL and the select it was built from."""

    def __init__(self, compiled: _Compiled, params, query, connection, using):
        super().__init__(query, connection, using)
        self.sql, self.params = compiled.sql, params
        (
            self.select,
            self.klass_info,
            self.annotation_col_map,
            self.col_count,
            self.has_extra_select,
        ) = compiled.state

    def as_sql(self, with_limits=True, with_col_aliases=False):
        return self.sql, self.params


class _Query(Query):
    """The query of a prepared read's one run; never filtered further (Prepared.fetch
    evaluates it at once)."""

    prepared: tuple

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        return _Compiler(*self.prepared, self, connection or connections[using], using)


class Prepared:
    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self._compiled: dict[tuple, _Compiled] = {}

    def fetch(self, *values) -> list:
        """The rows `build(*values)` returns, read with the SQL compiled for their shape."""
        shape = tuple(len(v) if isinstance(v, list | tuple) else None for v in values)
        flat = _flat(values)
        if 0 in shape:  # `pk__in=[]` reads nothing, and Django compiles no SQL for it
            return []
        compiled = self._compiled.get(shape)
        if compiled is None:
            compiled = self._compiled[shape] = self._compile(values)
        params = list(compiled.params)
        for slot, value in zip(compiled.slots, flat, strict=True):
            params[slot] = value
        if getattr(settings, "LOSSDESK_VERIFY_PREPARED", False):
            self._verify(values, compiled.sql, params)
        queryset = compiled.queryset._chain()
        queryset.query = _Query(queryset.model)
        queryset.query.prepared = (compiled, tuple(params))
        return list(queryset)

    def _compile(self, values) -> _Compiled:
        stand_ins = [
            [_stand_in(v) for v in value] if isinstance(value, list | tuple) else _stand_in(value)
            for value in values
        ]
        queryset = self.build(*stand_ins)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        slots = []
        for stand_in in _flat(stand_ins):
            found = [i for i, p in enumerate(params) if type(p) is type(stand_in) and p == stand_in]
            if len(found) != 1:
                raise ImproperlyConfigured(
                    f"{self.build!r}: a value appears {len(found)} times in the SQL's "
                    "parameters, not once; this read cannot be prepared."
                )
            slots += found
        state = (
            compiler.select,
            compiler.klass_info,
            compiler.annotation_col_map,
            compiler.col_count,
            compiler.has_extra_select,
        )
        return _Compiled(sql, tuple(params), tuple(slots), queryset, state)

    def _verify(self, values, sql, params) -> None:
        queryset = self.build(*values)
        fresh_sql, fresh_params = queryset.query.get_compiler(using=queryset.db).as_sql()
        if (fresh_sql, list(fresh_params)) != (sql, params):
            raise ImproperlyConfigured(
                f"{self.build!r}: the prepared SQL differs from the SQL compiled for "
                f"{values!r}:\n{sql} {params!r}\n{fresh_sql} {list(fresh_params)!r}"
            )


class PreparedPrefetch:
    """Prefetch(lookup, queryset) of a one-to-many relation (a case's reviews), prepared:
    declare it once (a module's constant) and `load` it for the instances."""

    def __init__(self, lookup: str, queryset: QuerySet, *, through: str = ""):
        self.lookup = lookup
        self.queryset = queryset
        self.through = through
        self._prepared = Prepared(self._build)
        self._field = None

    def _through(self, instance):
        try:
            return getattr(instance, self.through)
        except ObjectDoesNotExist:  # a reverse one-to-one with no row
            return None

    def _build(self, ids) -> QuerySet:
        return self.queryset.filter(**{f"{self._field.attname}__in": ids})

    def load(self, instances: Sequence[Model]) -> None:
        """Each instance's rows of the relation in its prefetch cache (`instance.<lookup>
        .all()` reads them), each row's way back to its instance set."""
        if self.through:
            instances = [owner for owner in map(self._through, instances) if owner is not None]
        if not instances:
            return
        if self._field is None:
            relation = type(instances[0])._meta.get_field(self.lookup)
            if not relation.one_to_many:
                raise ImproperlyConfigured(f"{self.lookup}: not a one-to-many relation.")
            self._field = relation.field
        field = self._field
        by_id = {instance.pk: instance for instance in instances}
        rows: dict[object, list] = {pk: [] for pk in by_id}
        for row in self._prepared.fetch([*by_id]):
            owner = by_id[getattr(row, field.attname)]
            field.set_cached_value(row, owner)
            rows[owner.pk].append(row)
        cache_name = field.remote_field.cache_name
        for instance in instances:
            related = getattr(instance, self.lookup)._apply_rel_filters(self.queryset._chain())
            related._result_cache = rows[instance.pk]
            related._prefetch_done = True
            if not hasattr(instance, "_prefetched_objects_cache"):
                instance._prefetched_objects_cache = {}
            instance._prefetched_objects_cache[cache_name] = related
