from django.db import migrations


def mark_existing_files(apps, schema_editor):
    """Reports built before the files job had their files made with the snapshot."""
    QuarterReport = apps.get_model("assessments", "QuarterReport")
    QuarterReport.objects.filter(status="done", files__isnull=False).update(
        files_status="done"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0002_report_files_status"),
    ]

    operations = [
        migrations.RunPython(mark_existing_files, migrations.RunPython.noop),
    ]
