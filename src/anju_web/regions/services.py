"""Keep the Region table in step with the region tree source."""

from __future__ import annotations

from django.db import transaction

from anju_web.regions.models import Region
from anju_web.regions.source import load_region_tree

FIELDS = ["name", "level", "parent_id", "kind", "report_name", "reports", "valid_from", "valid_to", "position"]


@transaction.atomic
def sync_regions() -> int:
    """Create or update every region of the tree (a few bulk queries for ~3,000 regions);
    returns how many regions there are."""
    records = load_region_tree()
    existing = {r.code: r for r in Region.objects.all()}
    new: list[Region] = []
    changed: list[Region] = []
    for position, record in enumerate(records):
        values = {
            "name": record.name,
            "level": record.level,
            "parent_id": record.parent,
            "kind": record.kind,
            "report_name": record.report_name if record.report_name != record.name else "",
            "reports": record.reports,
            "valid_from": record.valid_from,
            "valid_to": record.valid_to,
            "position": position,
        }
        region = existing.get(record.code)
        if region is None:
            new.append(Region(code=record.code, **values))
        elif any(getattr(region, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(region, key, value)
            changed.append(region)
    Region.objects.bulk_create(new, batch_size=500)
    if changed:
        Region.objects.bulk_update(changed, FIELDS, batch_size=500)
    return len(records)
