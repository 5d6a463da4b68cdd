import datetime
from zoneinfo import ZoneInfo

from django.db import migrations

from recycling_network.tenancy import activate_for_migration
from reports.reference_data import load_nev_fleet, seed_targets


def load(apps, schema_editor):
    activate_for_migration(schema_editor)
    alias = schema_editor.connection.alias
    load_nev_fleet(apps.get_model("reports", "NevFleet"), alias)
    # The target of the year the platform is installed in; later years are set in the admin.
    this_year = datetime.datetime.now(ZoneInfo("Asia/Shanghai")).year
    seed_targets(apps.get_model("reports", "YearlyTarget"), this_year, alias)


class Migration(migrations.Migration):
    dependencies = [
        ("outlets", "0004_load_divisions"),
        ("reports", "0002_row_level_security"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
