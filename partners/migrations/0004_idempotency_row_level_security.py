from django.db import migrations

from recycling_network.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("partners", "0003_idempotency_record")]

    operations = [EnableRowLevelSecurity("idempotencyrecord")]
