"""Keep the Region table in step with the region tree source."""

from __future__ import annotations

from django.db import transaction

from anju_web.regions.models import Region
from anju_web.regions.source import load_region_tree


@transaction.atomic
def sync_regions() -> int:
    """Create or update every region of the tree; returns how many regions there are."""
    records = load_region_tree()
    for position, record in enumerate(records):
        Region.objects.update_or_create(
            code=record.code,
            defaults={
                "name": record.name,
                "level": record.level,
                "parent_id": record.parent,
                "kind": record.kind,
                "report_name": record.report_name if record.report_name != record.name else "",
                "reports": record.reports,
                "valid_from": record.valid_from,
                "valid_to": record.valid_to,
                "position": position,
            },
        )
    return len(records)
