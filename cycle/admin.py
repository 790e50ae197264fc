from django.contrib import admin

from cycle.models import Call, PlanDecision, RegistrationBatch


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("title", "level", "province", "deadline", "status")
    list_filter = ("level", "status")


@admin.register(RegistrationBatch)
class RegistrationBatchAdmin(admin.ModelAdmin):
    list_display = ("reference", "call", "province", "status", "sent_at")
    readonly_fields = ("status", "sent_at", "sent_by")


@admin.register(PlanDecision)
class PlanDecisionAdmin(admin.ModelAdmin):
    list_display = ("number", "plan", "kind", "date", "status")
    readonly_fields = ("status", "recorded_by", "recorded_at")
