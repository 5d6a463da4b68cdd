from django.db import migrations

from recycling_network.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [
        ("recycling_network", "0001_rls_functions"),
        ("partners", "0001_initial"),
    ]

    operations = [
        EnableRowLevelSecurity("partnercontact"),
        EnableRowLevelSecurity("codeclaim"),
        EnableRowLevelSecurity("auditentry"),
    ]
