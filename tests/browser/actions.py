"""Counting what a user does in a browser test: every click, field typed, option chosen,
box ticked, file picked, key pressed and page opened on one page counts one action
(reading, waiting and screenshots count nothing). Used by the group đề án flow test to
measure how many actions the common work takes (issue 17)."""

import contextlib
from collections import Counter

from playwright.sync_api import Keyboard, Locator, Page

LOCATOR_ACTIONS = (
    "click",
    "dblclick",
    "tap",
    "fill",
    "type",
    "press",
    "press_sequentially",
    "check",
    "uncheck",
    "set_checked",
    "select_option",
    "set_input_files",
    "drag_to",
)
PAGE_ACTIONS = ("goto", "reload", "go_back", "go_forward")
KEYBOARD_ACTIONS = ("press", "type", "insert_text")


class ActionCounter:
    """The actions taken on ``page``, by kind and by step (``step`` names the part of the
    flow the next actions belong to)."""

    def __init__(self, page: Page):
        self.page = page
        self.by_kind: Counter[str] = Counter()
        self.by_step: Counter[str] = Counter()
        self.current = ""

    def step(self, name: str) -> None:
        self.current = name

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    def _count(self, kind: str) -> None:
        self.by_kind[kind] += 1
        self.by_step[self.current] += 1


@contextlib.contextmanager
def counting(page: Page):
    """Count the user's actions on ``page`` while the block runs (other pages, e.g. an
    observer's, are not counted; the keyboard is the page's own in these tests)."""
    counter = ActionCounter(page)
    originals = []

    def wrap(cls, name, belongs):
        original = getattr(cls, name)

        def counted(self, *args, **kwargs):
            if belongs(self):
                counter._count(name)
            return original(self, *args, **kwargs)

        originals.append((cls, name, original))
        setattr(cls, name, counted)

    for name in LOCATOR_ACTIONS:
        wrap(Locator, name, lambda locator: locator.page == page)
    for name in PAGE_ACTIONS:
        wrap(Page, name, lambda p: p == page)
    for name in KEYBOARD_ACTIONS:
        wrap(Keyboard, name, lambda keyboard: keyboard == page.keyboard)
    try:
        yield counter
    finally:
        for cls, name, original in originals:
            setattr(cls, name, original)
