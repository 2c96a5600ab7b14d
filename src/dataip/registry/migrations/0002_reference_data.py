"""GB/T 4754-2017, Guangdong's rules and its grounds for refusal (see registry/reference.py)."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from dataip.registry.reference import reference_load


def load(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    reference_load(apps)


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
