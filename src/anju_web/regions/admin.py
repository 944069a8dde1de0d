from django.contrib import admin

from anju_web.regions.models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin[Region]):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False  # the region tree comes from GB/T 2260 data, not from hand edits

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
