"""compact_html: the template's indentation goes, what a reader sees stays."""

from __future__ import annotations

from builder.compact_html import compact


def test_indentation_and_blank_lines_go() -> None:
    html = "<ul>\n    <li>\n      <a href='x'>\n        事例\n      </a>\n\n\n    </li>\n  </ul>\n"
    assert compact(html) == "<ul>\n<li>\n<a href='x'>\n事例\n</a>\n</li>\n</ul>\n"


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
    assert compact("<div>\n  " + kept[0] + "\n  <p>\n    後</p></div>") == "<div>\n" + kept[0] + "\n<p>\n後</p></div>"
