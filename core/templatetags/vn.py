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
