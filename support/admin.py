from django.contrib import admin

from support.models import Contact


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "phone", "region", "checked_on", "show_in_help_bar", "order")
    list_filter = ("kind", "show_in_help_bar")
    search_fields = ("name", "what_for", "region")
