"""Row-level security: the SQL functions, the model mixin and the migration operation.

A partner-visible table joins the tenancy scheme in two lines:

    class Thing(AudienceMixin, models.Model): ...              # models.py
    EnableRowLevelSecurity("thing"),                          # its migration

Every policy reads the context through ``rn_audience_probe()``: ``ARRAY[partner]``
for a partner, the empty array for the data center and the system (every array
contains it), and NULL otherwise (no row matches). Because the probe is an
inlinable STABLE SQL function, ``audience @> rn_audience_probe()`` is a GIN index
condition, and the planner estimates it from the real value: a small partner's
list uses the GIN index, the data center's a plain scan (measured in bench/).
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import migrations, models

VISIBLE_ROLES = ("partner", "datacenter", "system")
PUBLIC_OUTLET_STATUSES = ("approved", "suspended", "closed")

FUNCTIONS_SQL = """
CREATE OR REPLACE FUNCTION rn_role() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE current_setting('app.role', true)
    WHEN 'partner' THEN 'partner' WHEN 'datacenter' THEN 'datacenter'
    WHEN 'system' THEN 'system' WHEN 'anonymous' THEN 'anonymous' END
$$;
CREATE OR REPLACE FUNCTION rn_partner_id() RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN current_setting('app.role', true) = 'partner'
    THEN nullif(current_setting('app.partner_id', true), '')::bigint END
$$;
CREATE OR REPLACE FUNCTION rn_audience_probe() RETURNS bigint[] LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE current_setting('app.role', true)
    WHEN 'partner' THEN ARRAY[nullif(current_setting('app.partner_id', true), '')::bigint]
    WHEN 'datacenter' THEN '{}'::bigint[]
    WHEN 'system' THEN '{}'::bigint[] END
$$;
"""

DROP_FUNCTIONS_SQL = """
DROP FUNCTION IF EXISTS rn_audience_probe();
DROP FUNCTION IF EXISTS rn_partner_id();
DROP FUNCTION IF EXISTS rn_role();
"""


def rls_functions() -> migrations.RunSQL:
    return migrations.RunSQL(FUNCTIONS_SQL, DROP_FUNCTIONS_SQL)


class AudienceMixin(models.Model):
    """``audience``: the ids of the partners that may see this row (DESIGN §4)."""

    audience = ArrayField(models.BigIntegerField(), default=list, blank=True, editable=False)

    class Meta:
        abstract = True
        indexes = [GinIndex(fields=["audience"], name="%(class)s_audience")]


def _visible_roles_sql() -> str:
    return ", ".join(f"'{role}'" for role in VISIBLE_ROLES)


def policy_sql(table: str, policy: str) -> list[str]:
    """The statements that put ``table`` under row-level security with ``policy``.

    Policies:
    - ``audience``: rows whose audience contains the partner; all rows for the data
      center and the system.
    - ``partner``: rows whose ``partner_id`` is the partner's (the feed).
    - ``outlet``: like ``audience``, plus public outlet rows for any context.
    Inserts are allowed in any signed-in context so that a service can write rows for
    other members of an audience (feed entries); reads, updates and deletes are not.
    """
    if policy == "audience":
        visible = "audience @> rn_audience_probe()"
    elif policy == "partner":
        visible = "(partner_id = rn_partner_id() OR rn_role() IN ('datacenter', 'system'))"
    elif policy == "outlet":
        public = ", ".join(f"'{s}'" for s in PUBLIC_OUTLET_STATUSES)
        visible = f"(audience @> rn_audience_probe() OR (rn_role() IS NOT NULL AND status IN ({public})))"
    else:
        raise ValueError(f"unknown policy {policy!r}")
    writer = f"rn_role() IN ({_visible_roles_sql()})"
    own = "audience @> rn_audience_probe()" if policy != "partner" else visible
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
        f'CREATE POLICY rn_select ON "{table}" FOR SELECT USING ({visible})',
        f'CREATE POLICY rn_insert ON "{table}" FOR INSERT WITH CHECK ({writer})',
        f'CREATE POLICY rn_update ON "{table}" FOR UPDATE USING ({own}) WITH CHECK ({writer})',
        f'CREATE POLICY rn_delete ON "{table}" FOR DELETE USING ({own})',
    ]


def unpolicy_sql(table: str) -> list[str]:
    return [
        *(
            f'DROP POLICY IF EXISTS {name} ON "{table}"'
            for name in ("rn_select", "rn_insert", "rn_update", "rn_delete")
        ),
        f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY',
    ]


class EnableRowLevelSecurity(migrations.operations.base.Operation):
    """Migration operation: put a model's table under the policy of DESIGN §4."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str, policy: str = "audience") -> None:
        self.model_name = model_name
        self.policy = policy

    def state_forwards(self, app_label, state) -> None:
        pass

    def _table(self, app_label, state) -> str:
        return state.apps.get_model(app_label, self.model_name)._meta.db_table

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        for statement in policy_sql(self._table(app_label, to_state), self.policy):
            schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        for statement in unpolicy_sql(self._table(app_label, from_state)):
            schema_editor.execute(statement)

    def describe(self) -> str:
        return f"Enable row-level security ({self.policy}) on {self.model_name}"

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.model_name], {"policy": self.policy})
