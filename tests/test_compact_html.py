"""compact_html: the template's indentation goes, what a reader sees stays."""

from __future__ import annotations

from builder.compact_html import compact


def test_indentation_and_blank_lines_go() -> None:
    html = "<ul>\n    <li>\n      <a href='x'>\n        事例\n      </a>\n\n\n    </li>\n  </ul>\n"
    assert compact(html) == "<ul><li>\n<a href='x'>\n事例\n</a></li></ul>\n"


def test_a_break_goes_only_before_a_tag_that_begins_or_ends_a_block() -> None:
    html = '<div class="a">\n<p>\n<a href="x">一</a>\n<a href="y">二</a>\n<br>\n<span>三</span>\n</p>\n</div>\n<table>\n<tr>\n<td>四</td>\n</tr>\n</table>'
    # Before a link or a span the break is a space a reader may see; before <p>, <br>, </div>, <td>… it is not.
    assert compact(html) == '<div class="a"><p>\n<a href="x">一</a>\n<a href="y">二</a><br>\n<span>三</span></p></div><table><tr><td>四</td></tr></table>'
    # Not before a tag whose name only begins like a block's (<path> is not <p>), nor a script, nor inside text.
    assert compact("<svg>\n<path d=''/>\n</svg>") == "<svg>\n<path d=''/>\n</svg>"
    assert compact("<a>一</a>\n<script>x()</script>\n<a>二</a>") == "<a>一</a>\n<script>x()</script>\n<a>二</a>"
    assert compact("<p>一\n二</p>") == "<p>一\n二</p>"


def test_whitespace_that_is_text_stays() -> None:
    # A full-width space or a no-break space at the start of a line is text, not indentation.
    html = "<p>\n\u3000字下げした段落\n\u00a0と続き</p>"
    assert compact(html) == html


def test_preformatted_elements_are_left_alone() -> None:
    kept = [
        "<pre><code>def f():\n    return 1\n</code></pre>",
        "<textarea>\n  一行目\n    二行目</textarea>",
        "<p>x <code>a\n    b</code> y <kbd>Ctrl\n  C</kbd></p>",
        "<script>\n  if (a) {\n    b();\n  }\n</script>",
        "<STYLE>\n  .a {\n    color: red;\n  }\n</STYLE>",
    ]
    for html in kept:
        assert compact(html) == html
    # The breaks beside a kept element stay (whether they are seen depends on that element).
    assert compact("<div>\n  " + kept[0] + "\n  <p>\n    後</p></div>") == "<div>\n" + kept[0] + "\n<p>\n後</p></div>"
