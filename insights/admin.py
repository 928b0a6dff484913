"""Only licensed instrument wording is in the admin; screenings are personal and never shown there."""

from django.contrib import admin

from insights.models import InstrumentWording


@admin.register(InstrumentWording)
class InstrumentWordingAdmin(admin.ModelAdmin):
    list_display = ("instrument", "question_id", "licence", "loaded_at")
    list_filter = ("instrument",)
