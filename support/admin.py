from django.contrib import admin

from support.models import Contact


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    """Contacts are data: phone numbers, hours and sources change and are corrected here, never in templates."""

    list_display = ("name", "kind", "phone", "hours", "region", "checked_on", "show_in_help_bar", "order")
    list_filter = ("kind", "nations", "show_in_help_bar", "checked_on")
    search_fields = ("name", "slug", "what_for", "region", "source")
    ordering = ("order", "name")
    fieldsets = (
        (None, {"fields": ("name", "slug", "kind", "nations", "region", "what_for")}),
        ("How to get in touch", {"fields": ("phone", "textphone", "other_contact", "hours")}),
        (
            "Where the details come from",
            {
                "fields": ("source", "checked_on", "unverified", "checker_notes"),
                "description": "Check the service's own page before changing anything, then update the checked-on date.",
            },
        ),
        ("Where it is shown", {"fields": ("show_in_help_bar", "order")}),
    )
