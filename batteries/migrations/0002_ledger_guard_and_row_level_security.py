from django.db import migrations

from recycling_network.rls import EnableRowLevelSecurity

# The ledger is append-only (DESIGN §7): UPDATE and DELETE are refused, except an UPDATE
# that changes nothing but ``audience``, in the system context (the audience backfill).
LEDGER_GUARD = """
CREATE OR REPLACE FUNCTION rn_ledger_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND rn_role() = 'system'
     AND (to_jsonb(NEW) - 'audience') = (to_jsonb(OLD) - 'audience') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the custody ledger is append-only: % refused on event %', TG_OP, OLD.id
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER rn_ledger_append_only
  BEFORE UPDATE OR DELETE ON batteries_custodyevent
  FOR EACH ROW EXECUTE FUNCTION rn_ledger_guard();
"""

DROP_LEDGER_GUARD = """
DROP TRIGGER IF EXISTS rn_ledger_append_only ON batteries_custodyevent;
DROP FUNCTION IF EXISTS rn_ledger_guard();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("recycling_network", "0001_rls_functions"),
        ("batteries", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(LEDGER_GUARD, DROP_LEDGER_GUARD),
        EnableRowLevelSecurity("battery"),
        EnableRowLevelSecurity("custodyevent"),
        EnableRowLevelSecurity("feedentry", policy="partner"),
        EnableRowLevelSecurity("consignment"),
        EnableRowLevelSecurity("consignmentitem"),
        EnableRowLevelSecurity("reviewcase"),
        EnableRowLevelSecurity("obligation"),
    ]
