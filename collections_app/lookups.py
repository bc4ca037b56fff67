"""``pk__any_of=[…]``: a list of ids as one array parameter on PostgreSQL.

``pk__in`` with 10,000 ids writes 10,000 parameters into the SQL, which Django
then binds one by one and PostgreSQL parses one by one; a quick promise on a
large account spends more time there than on the work itself. On PostgreSQL
this lookup sends ``id = ANY(%s)`` with the whole list as one array; on any
other database it is ``IN (…)``, exactly like ``__in``.
"""

from __future__ import annotations

from django.db.models.lookups import In


class AnyOf(In):
    lookup_name = "any_of"

    def as_postgresql(self, compiler, connection):
        if not self.rhs_is_direct_value():  # a subquery: IN (SELECT …) as usual
            return super().as_sql(compiler, connection)
        values = list(dict.fromkeys(value for value in self.rhs if value is not None))
        if not values:
            # Like ``__in=[]``: no row, and no query sent at all.
            return super().as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        array_type = self.lhs.output_field.cast_db_type(connection)
        return f"{lhs} = ANY(%s::{array_type}[])", (*lhs_params, values)
