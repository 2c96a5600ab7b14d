"""The years of the chinesecalendar package, complete (see workdays/package.py)."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.utils import timezone

from dataip.workdays.package import package_load


def load(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    package_load(apps, now=timezone.now())


def unload(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # Years an administrator entered or edited stay; the package's go with this migration.
    apps.get_model("workdays", "CalendarYear").objects.filter(source="package").delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
