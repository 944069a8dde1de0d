"""Events carry the submission they belong to, so a unit's 修改记录 lists its own events only.

Before, the history selected return events by ``object_id = submission.pk`` while they were stored
under the return's id (so one unit read another's return reasons). Existing rows are filled from
what they already say: the region and cycle of a unit's event name its submission; a comment row
names its comment, whose submission (if any) is the one.
"""

from django.db import migrations, models

UNIT_OBJECTS = ("submission", "return", "figure", "evidence")


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    AuditEvent = apps.get_model("audit", "AuditEvent")
    Submission = apps.get_model("submissions", "Submission")
    Comment = apps.get_model("reviews", "Comment")
    by_unit = {(s.cycle_id, s.region_id): s.pk for s in Submission.objects.all()}
    for event in AuditEvent.objects.filter(object_type__in=UNIT_OBJECTS, cycle_id__isnull=False, region__isnull=False):
        pk = by_unit.get((event.cycle_id, event.region_id))
        if pk is not None:
            AuditEvent.objects.filter(pk=event.pk).update(submission_id=pk)
    comments = dict(Comment.objects.filter(submission__isnull=False).values_list("pk", "submission_id"))
    for event in AuditEvent.objects.filter(object_type="comment"):
        pk = comments.get(int(event.object_id)) if event.object_id.isdigit() else None
        if pk is not None:
            AuditEvent.objects.filter(pk=event.pk).update(submission_id=pk)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0004_document_audit_vocabulary"),
        ("submissions", "0002_data_version"),
        ("reviews", "0002_data_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="submission_id",
            field=models.BigIntegerField(blank=True, db_index=True, help_text="事件所属的单位填报（该填报的修改记录据此列出）", null=True, verbose_name="填报编号"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
