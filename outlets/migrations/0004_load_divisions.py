from django.db import migrations

from outlets.reference_data import load_reference_data
from recycling_network.tenancy import activate_for_migration


def load(apps, schema_editor):
    activate_for_migration(schema_editor)
    load_reference_data(
        apps.get_model("outlets", "Region"), apps.get_model("outlets", "Division"), schema_editor.connection.alias
    )


class Migration(migrations.Migration):
    dependencies = [("outlets", "0003_row_level_security")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
