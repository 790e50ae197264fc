"""Rich text for the narrative parts of the reports (đánh giá, tồn tại hạn chế, nguyên
nhân, phương hướng, kiến nghị): paragraphs, line breaks, bold, italic, underline and
lists, nothing else, so that what an officer writes prints the same in the PDF (WeasyPrint)
and in the Word copy (reports/documents/docx.py reads exactly these tags).

Whatever comes in is sanitised on the server with nh3 (the Ammonia sanitiser): the editor
in static/js/richtext.js is a convenience, never a guarantee. Text typed into the bare
textarea (no JavaScript) becomes paragraphs."""

from __future__ import annotations

import html
import json
import re

import lxml.html
import nh3
from django import forms
from django.utils.translation import gettext

# The one list of tags a narrative may hold; no attribute is kept on any of them.
ALLOWED_TAGS = frozenset({"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li"})
BLOCK_TAGS = frozenset({"p", "ul", "ol"})
# Dropped together with what they hold (other unknown tags lose the tag and keep the text):
# code, styles and the elements whose content is not text to read.
DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "template", "noscript", "noembed", "noframes", "xmp", "textarea"}
    | {"title", "iframe", "object", "svg", "math"}
)
# Something that looks like a tag or a comment: without one, the value is plain text.
_MARKUP = re.compile(r"<!--|</?[a-z][a-z0-9-]*(?:[\s/][^<>]*)?>", re.IGNORECASE)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def clean_html(value: str | None) -> str:
    """The narrative as safe HTML of ``ALLOWED_TAGS`` only, every top-level piece inside a
    paragraph or a list; "" when nothing readable is left. Plain text (no tag in it)
    becomes paragraphs: a blank line starts a new one, a single line break is a <br>.
    Cleaning what it returned gives the same string back."""
    if not value or not value.strip():
        return ""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if not _MARKUP.search(value):
        return _paragraphs(value)
    cleaned = nh3.clean(
        value,
        # A <div> is a paragraph in some browsers' editors: kept until _structure.
        tags=ALLOWED_TAGS | {"div"},
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes={},
        link_rel=None,
        strip_comments=True,
    )
    if not cleaned.strip():
        return ""
    return _structure(lxml.html.fragment_fromstring(cleaned, create_parent="div"))


def plain_text(value: str | None) -> str:
    """The words of a narrative without markup, one line per paragraph, list item or line
    break, spaces collapsed: for emptiness checks, search and previews."""
    if not value or not value.strip():
        return ""
    root = lxml.html.fragment_fromstring(value, create_parent="div")
    for element in root.iter():
        element.text = _collapse(element.text)
        element.tail = _collapse(element.tail)
    for element in root.iter("br", "p", "li", "ul", "ol", "div"):
        if element.tag != "br":
            element.text = "\n" + (element.text or "")
        element.tail = "\n" + (element.tail or "")
    lines = (line.strip() for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


def _collapse(text: str | None) -> str | None:
    return re.sub(r"\s+", " ", text) if text else text


def _paragraphs(text: str) -> str:
    paragraphs = []
    for chunk in _BLANK_LINE.split(text):
        lines = [html.escape(line.strip(), quote=False) for line in chunk.strip().split("\n")]
        if any(lines):
            paragraphs.append("<p>" + "<br>".join(lines) + "</p>")
    return "\n".join(paragraphs)


def _structure(root) -> str:
    """Paragraphs and lists at the top level, without empty ones or trailing breaks."""
    # Innermost first: a <div> around blocks only wraps them, any other is a paragraph.
    for div in reversed(root.findall(".//div")):
        if any(child.tag in BLOCK_TAGS | {"div", "li"} for child in div):
            div.drop_tag()
        else:
            div.tag = "p"
    for item in root.findall("li"):  # a list item outside any list reads as a paragraph
        item.tag = "p"
    _wrap(root, "p", BLOCK_TAGS)
    for listing in root.xpath(".//ul | .//ol"):
        _wrap(listing, "li", {"li"})
    for block in root.xpath(".//p | .//li"):
        while len(block) and block[-1].tag == "br" and not (block[-1].tail or "").strip():
            block.remove(block[-1])
    for block in reversed(root.xpath(".//p | .//li | .//ul | .//ol")):
        if not block.text_content().strip():
            block.drop_tree()
    return "\n".join(
        lxml.html.tostring(block, encoding="unicode", with_tail=False) for block in root
    )


def _wrap(parent, tag: str, blocks) -> None:
    """Each run of text and other elements between the ``blocks`` children of ``parent``
    goes into a new ``tag`` element: the top level holds paragraphs and lists only (text
    typed before an editor's first Enter, after a list), a list holds items only."""
    wrapper = None
    if parent.text and parent.text.strip():
        wrapper = lxml.html.Element(tag)
        wrapper.text = parent.text
        parent.insert(0, wrapper)
    parent.text = None
    for child in list(parent):
        if child is wrapper:
            continue
        if child.tag in blocks:
            wrapper = None
            if child.tail and child.tail.strip():
                wrapper = lxml.html.Element(tag)
                wrapper.text = child.tail
                child.addnext(wrapper)
            child.tail = None
        else:
            if wrapper is None:
                wrapper = lxml.html.Element(tag)
                child.addprevious(wrapper)
            wrapper.append(child)  # with its tail


def toolbar_labels() -> dict[str, str]:
    """The editor's words in the language of the request, for static/js/richtext.js."""
    return {
        "toolbar": gettext("Text formatting"),
        "bold": gettext("Bold"),
        "italic": gettext("Italic"),
        "underline": gettext("Underline"),
        "bulleted": gettext("Bulleted list"),
        "numbered": gettext("Numbered list"),
    }


class RichTextWidget(forms.Textarea):
    """A textarea holding the narrative's HTML, marked ``data-richtext`` (with the toolbar's
    words) for static/js/richtext.js to turn into an editor; without JavaScript it stays a
    textarea, and text typed there becomes paragraphs. The page renders ``{{ form.media }}``
    (base.html does for a context variable named ``form``) to load the script."""

    class Media:
        js = ["js/richtext.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        labels = json.dumps(toolbar_labels(), ensure_ascii=False)
        context["widget"]["attrs"]["data-richtext"] = labels
        return context


class RichTextField(forms.CharField):
    """A narrative: cleaned to ``ALLOWED_TAGS`` (``clean_html``) before any validation, so
    an editor's leftover ``<p><br></p>`` is empty for ``required`` and ``max_length``
    counts the stored HTML."""

    widget = RichTextWidget

    def to_python(self, value):
        return clean_html(super().to_python(value)) or self.empty_value

    def prepare_value(self, value):
        # What the form shows again after an error is what would be kept, never the raw
        # submission: the editor puts it into the page as HTML.
        return clean_html(value) if isinstance(value, str) else value
