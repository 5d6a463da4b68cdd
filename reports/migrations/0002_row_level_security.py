from django.db import migrations

from recycling_network.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [
        ("recycling_network", "0001_rls_functions"),
        ("reports", "0001_initial"),
    ]

    operations = [
        EnableRowLevelSecurity("report"),
        EnableRowLevelSecurity("salesfootprint"),
    ]
