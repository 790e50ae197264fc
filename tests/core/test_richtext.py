"""Narrative rich text (core.richtext): what survives the sanitiser, how plain text and an
editor's leftovers are normalised, the form field end to end, and the Word copy of it."""

from __future__ import annotations

import io
import json

import lxml.html
import pytest
from django import forms
from django.template.loader import render_to_string
from django.utils import translation
from docx import Document

from core.richtext import ALLOWED_TAGS, RichTextField, clean_html, plain_text
from reports.documents.docx import docx_from_parts


@pytest.mark.parametrize(
    "dirty,clean",
    [
        ("<script>alert('x')</script><p>Đánh giá</p>", "<p>Đánh giá</p>"),
        ("<style>p { color: red }</style><p>Tồn tại</p>", "<p>Tồn tại</p>"),
        (
            "<p>a</p><noscript>n</noscript><textarea>t</textarea><svg><script>1</script></svg>",
            "<p>a</p>",
        ),
        (
            '<p class="x" style="color:red" id="y" onclick="alert(1)">Nguyên nhân</p>',
            "<p>Nguyên nhân</p>",
        ),
        (
            '<p>Xem <img src="x" onerror="alert(1)"><b onmouseover="alert(1)">kỹ</b></p>',
            "<p>Xem <b>kỹ</b></p>",
        ),
        ('<p><a href="javascript:alert(1)">liên kết</a></p>', "<p>liên kết</p>"),
        (
            "<h2>Phương hướng</h2><p><span>năm</span> <font>2027</font></p>",
            "<p>Phương hướng</p>\n<p>năm 2027</p>",
        ),
        ("<p>a<!-- comment --></p>", "<p>a</p>"),
        ("<table><tr><td>ô</td></tr></table>", "<p>ô</p>"),
    ],
)
def test_what_is_not_allowed_goes_text_stays(dirty, clean):
    assert clean_html(dirty) == clean


def test_the_allowed_formatting_is_kept():
    html = (
        "<p><strong>Kiến nghị</strong> <b>một</b> <em>hai</em> <i>ba</i> <u>bốn</u><br>dòng</p>\n"
        "<ul><li>Mục <u>một</u></li><li>hai</li></ul>\n"
        "<ol><li>Thứ nhất<ul><li>ý phụ</li></ul></li></ol>"
    )
    assert clean_html(html) == html
    assert {tag.lower() for tag in ALLOWED_TAGS} == ALLOWED_TAGS
    assert clean_html("<P><B>Hoa</B></P>") == "<p><b>Hoa</b></p>"


def test_plain_text_becomes_paragraphs_escaped():
    text = "Đạt 95% kế hoạch, chi phí < dự toán & đúng hạn.\nDòng hai\r\n\r\n  \nĐoạn hai > một"
    assert clean_html(text) == (
        "<p>Đạt 95% kế hoạch, chi phí &lt; dự toán &amp; đúng hạn.<br>Dòng hai</p>\n"
        "<p>Đoạn hai &gt; một</p>"
    )
    # A "<" that opens no tag is text, not markup.
    assert clean_html("x<y và a&b") == "<p>x&lt;y và a&amp;b</p>"
    assert plain_text(clean_html(text)).splitlines()[0] == (
        "Đạt 95% kế hoạch, chi phí < dự toán & đúng hạn."
    )


@pytest.mark.parametrize(
    "value",
    ["", None, "   \n\n ", "<p><br></p>", "<p> </p><ul><li><br></li></ul>", "<script>x</script>"],
)
def test_nothing_readable_is_empty(value):
    assert clean_html(value) == ""
    assert plain_text(clean_html(value)) == ""


@pytest.mark.parametrize(
    "edited,clean",
    [
        # Text typed before the first Enter, and the paragraph Chromium leaves a <br> in.
        ("Dòng đầu<p>Dòng sau<br></p><p><br></p>", "<p>Dòng đầu</p>\n<p>Dòng sau</p>"),
        # Editors that make a <div> of each line.
        ("<div>một</div><div><b>hai</b></div>", "<p>một</p>\n<p><b>hai</b></p>"),
        ("<div><ul><li>a</li></ul></div>sau", "<ul><li>a</li></ul>\n<p>sau</p>"),
        ("<li>lạc</li>", "<p>lạc</p>"),
        ("<ul>chữ<li>a</li></ul>", "<ul><li>chữ</li><li>a</li></ul>"),
    ],
)
def test_an_editors_output_is_paragraphs_and_lists(edited, clean):
    assert clean_html(edited) == clean


@pytest.mark.parametrize(
    "value",
    [
        "Dòng 1\nDòng 2\n\nĐoạn 2 <> &",
        "a &nbsp; b<div>c</div><ul><li>d<br><br></li></ul>e",
        "<p>x &lt;script&gt; y</p>",
    ],
)
def test_cleaning_twice_changes_nothing(value):
    once = clean_html(value)
    assert once and clean_html(once) == once


def test_plain_text_one_line_per_paragraph_item_and_break():
    html = "<p>Đánh  <b>giá</b>\n chung<br>tiếp</p><ul><li>một<ol><li>hai</li></ol></li></ul>"
    assert plain_text(html) == "Đánh giá chung\ntiếp\nmột\nhai"
    assert plain_text("<p>a &amp; b</p>") == "a & b"


class ReportForm(forms.Form):
    assessment = RichTextField(label="Đánh giá")
    recommendations = RichTextField(label="Kiến nghị", required=False)


def test_the_field_cleans_what_is_posted():
    form = ReportForm(
        data={
            "assessment": '<p onclick="x()">Hoàn thành <strong>tốt</strong></p><script>1</script>',
            "recommendations": "Đề nghị bổ sung\nkinh phí",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "assessment": "<p>Hoàn thành <strong>tốt</strong></p>",
        "recommendations": "<p>Đề nghị bổ sung<br>kinh phí</p>",
    }


def test_an_empty_editor_is_a_missing_value():
    form = ReportForm(data={"assessment": "<p><br></p>", "recommendations": "<p> </p>"})
    assert not form.is_valid()
    assert list(form.errors) == ["assessment"]
    assert form.errors.as_data()["assessment"][0].code == "required"


def test_the_widget_is_a_textarea_marked_for_the_editor():
    form = ReportForm(initial={"assessment": "<p>Đã <u>đạt</u></p>"})
    with translation.override("vi"):
        textarea = lxml.html.fragment_fromstring(str(form["assessment"]))
    assert textarea.tag == "textarea"
    assert textarea.text.strip() == "<p>Đã <u>đạt</u></p>"
    labels = json.loads(textarea.get("data-richtext"))
    assert labels["bold"] == "In đậm"
    assert labels["underline"] == "Gạch chân"
    assert labels["numbered"] == "Danh sách đánh số"
    with translation.override("en"):
        english = lxml.html.fragment_fromstring(str(form["assessment"]))
    assert json.loads(english.get("data-richtext"))["bulleted"] == "Bulleted list"
    assert [str(path) for path in form.media._js] == ["js/richtext.js"]


def test_a_refused_form_shows_the_cleaned_text_again():
    form = ReportForm(data={"assessment": "", "recommendations": '<img src=x onerror="alert(1)">Ý'})
    assert not form.is_valid()
    textarea = lxml.html.fragment_fromstring(str(form["recommendations"]))
    assert textarea.text.strip() == "<p>Ý</p>"


def test_the_page_loads_the_editor_once_for_its_form():
    page = render_to_string("base.html", {"form": ReportForm()})
    assert page.count('src="/static/js/richtext.js"') == 1
    assert "richtext.js" not in render_to_string("base.html", {})


def test_the_word_copy_underlines_what_is_underlined():
    narrative = clean_html(
        "<p>Kết quả <u>vượt</u> kế hoạch, <b><u>đúng hạn</u></b></p><p><i>ghi chú</i></p>"
    )
    html = f"<html><body><h2>1. Đánh giá</h2><div>{narrative}</div></body></html>"
    document = Document(io.BytesIO(docx_from_parts({"verification_code": "ABC123"}, html)))
    runs = {
        run.text.strip(): run
        for paragraph in document.paragraphs
        for run in paragraph.runs
        if run.text.strip()
    }
    assert runs["vượt"].underline and not runs["vượt"].bold
    assert runs["đúng hạn"].underline and runs["đúng hạn"].bold
    assert not runs["Kết quả"].underline
    assert runs["ghi chú"].italic and not runs["ghi chú"].underline
    texts = [p.text for p in document.paragraphs]
    assert "Kết quả vượt kế hoạch, đúng hạn" in texts and "ghi chú" in texts
