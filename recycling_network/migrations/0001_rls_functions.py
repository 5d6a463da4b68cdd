from django.db import migrations

from recycling_network.rls import rls_functions


class Migration(migrations.Migration):
    initial = True
    dependencies: list = []
    operations = [rls_functions()]
