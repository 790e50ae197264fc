"""Template filters for Vietnamese money and dates; loaded as builtins in settings."""

from django import template

from core import formatting

register = template.Library()


@register.filter
def vnd(value):
    """{{ amount|vnd }} -> 1.250.000 ₫"""
    return formatting.format_vnd(value)


@register.filter
def number_vn(value):
    """{{ 12500|number_vn }} -> 12.500"""
    return formatting.format_number(value)


@register.filter
def vnd_words(value):
    return formatting.amount_in_words(value)


@register.filter
def percent(value):
    """{{ rate|percent }} -> "91,37 %" (two decimals, half-up, decimal comma; None -> "—").
    ``rate`` is a percentage already computed by core.measures.percent."""
    from core.measures import format_percent

    return format_percent(value)


@register.simple_tag
def measure_label(key):
    """{% measure_label "rate" %} -> the measure's name from core.measures."""
    from core.measures import label

    return label(key)


@register.simple_tag
def measure_help(key):
    """{% measure_help "rate" %} -> what the measure adds up (for a tooltip or a note)."""
    from core.measures import MEASURES

    return MEASURES[key].definition


@register.filter
def date_words(value):
    """{{ day|date_words }} -> "ngày 05 tháng 3 năm 2026" (Nghị định 30/2020/NĐ-CP,
    Phụ lục I; see core.formatting.date_in_words). Empty for no date."""
    if not value:
        return ""
    return formatting.date_in_words(value)
