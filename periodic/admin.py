from django.contrib import admin

from periodic.models import PeriodicReport, ReportingDeadline


@admin.register(ReportingDeadline)
class ReportingDeadlineAdmin(admin.ModelAdmin):
    list_display = ["kind", "level", "day", "month", "year_offset", "verified"]


@admin.register(PeriodicReport)
class PeriodicReportAdmin(admin.ModelAdmin):
    list_display = ["kind", "province", "year", "program"]
    list_filter = ["kind", "year"]
