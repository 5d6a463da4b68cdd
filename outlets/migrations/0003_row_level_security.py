from django.db import migrations

from recycling_network.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [
        ("recycling_network", "0001_rls_functions"),
        ("outlets", "0002_initial"),
    ]

    operations = [
        EnableRowLevelSecurity("outlet", policy="outlet"),
        EnableRowLevelSecurity("outletcontact"),
        EnableRowLevelSecurity("outlettransition"),
        EnableRowLevelSecurity("outletchangerequest"),
        EnableRowLevelSecurity("sharinggrant"),
    ]
