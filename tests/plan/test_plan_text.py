"""The `paragraphs` filter that renders the plan's free text."""

from django.template import Context, Template
from django.utils.safestring import SafeString, mark_safe

from plan.templatetags.plan_text import paragraphs


def test_paragraphs_are_separated_by_blank_lines():
    assert paragraphs("Ett.\n\nTvå,\nsamma stycke.") == "<p>Ett.</p>\n<p>Två,\nsamma stycke.</p>"


def test_a_block_of_dash_lines_is_a_list():
    assert paragraphs("Inledning:\n\n- ett\n- två") == (
        "<p>Inledning:</p>\n<ul><li>ett</li><li>två</li></ul>"
    )


def test_a_lead_in_directly_followed_by_a_list_is_split():
    assert paragraphs("Dessa är:\n- ett\n- två\nSlut.") == (
        "<p>Dessa är:</p>\n<ul><li>ett</li><li>två</li></ul>\n<p>Slut.</p>"
    )


def test_windows_line_endings_and_extra_blank_lines():
    text = "\r\n\r\nEtt.\r\n  \r\n\r\n- a\r\n- b\r\n\r\n"
    assert paragraphs(text) == "<p>Ett.</p>\n<ul><li>a</li><li>b</li></ul>"


def test_a_dash_without_space_is_text():
    assert paragraphs("-ingen lista\n2023-2024") == "<p>-ingen lista\n2023-2024</p>"


def test_empty_text_renders_nothing():
    assert paragraphs("") == ""
    assert paragraphs(None) == ""
    assert paragraphs("\n\n  \n") == ""


def test_text_is_escaped_and_the_result_is_safe():
    result = paragraphs('<script>alert(1)</script> & "citat"\n\n- <b>fet</b>')

    assert isinstance(result, SafeString)
    assert result == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;citat&quot;</p>\n"
        "<ul><li>&lt;b&gt;fet&lt;/b&gt;</li></ul>"
    )


def test_text_already_marked_safe_is_still_escaped():
    # User text is never trusted, even if something upstream marked it safe.
    assert paragraphs(mark_safe("<em>x</em>")) == "<p>&lt;em&gt;x&lt;/em&gt;</p>"


def test_filter_in_a_template():
    template = Template("{% load plan_text %}{{ body|paragraphs }}")
    html = template.render(Context({"body": "A <i>.\n\n- b"}))
    assert html == "<p>A &lt;i&gt;.</p>\n<ul><li>b</li></ul>"
