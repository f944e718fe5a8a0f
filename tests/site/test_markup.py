"""Rendered markdown is exactly what Python-Markdown makes, whichever converter a text is given."""

import random

import pytest

from welcome_gen.site import markup

# One of each construct the extensions read, written the ways that reach each inline pattern.
SNIPPETS = [
    "Plain words, nothing else.",
    "Some *emphasis*, **strong**, _under_ and __double__, and a lone * star.",
    "Code: `x = [1, 2]` and ``a ` b`` and an escaped \\`tick\\`.",
    "Escapes: \\*not em\\*, \\[not a link\\], \\\\ backslash.",
    "A [link](https://example.net/a \"title\") and [a reference][ref] and [ref] alone.",
    "[ref]: https://example.net/ref",
    "An image ![alt text](pic.png) and ![ref image][ref].",
    "Autolinks: <https://example.net/auto> and <someone@example.net>.",
    "Inline <span class=\"x\">html</span> and an entity &amp; &copy; &#169; and a bare & too.",
    "Two spaces end this line  \nso it breaks.",
    "A tab ends this line\t\nand so does this one \t\nhere.",
    "Windows line ends  \r\nare normalised.\r\n",
    "Footnote here[^1].\n\n[^1]: The note, with *emphasis*.",
    "| a | b |\n|---|---|\n| `c` | [d](e.html) |",
    "```python\ndef f(x):\n    return x * 2  # [not a link]\n```",
    "    indented code with <b> and *stars*",
    "Term\n:   Definition with __strong__.",
    "*[HTML]: Hyper Text Markup Language\n\nSome HTML here.",
    "# Heading with `code` and [link](x.html)\n\n## Another *one* {: #custom-id }",
    "<div markdown=\"1\">\n*inside* html\n</div>",
    "1. one\n2. two\n\n- a\n- b [c](d)",
    "> quoted **text** with <em>html</em>",
    "[TOC]",
    "A line with a \\ lone backslash and ~tildes~ and ^carets^.",
    "Term two\n\n:   Definition after a blank line\n\n    indented continuation with `code`",
    "  : not quite a definition at two spaces",
    "a | b\n--|--\n1 | 2",
    "~~~\nfenced with tildes & <tags>\n~~~",
    "A paragraph with attributes.\n{: .lead #intro }",
    "A ![reference image][pic] and a [collapsed][] one.\n\n[pic]: pic.png \"Pic\"\n[collapsed]: c.html",
    "<div>\nA raw block.\n</div>\n\nAfter it.",
    "[TOC]\n\n# One\n\n## Two\n\n## Two",
    "Tabbed\tdefinition\n\t: with a tab",
    "Line ends\rin old Mac style\r:   and a definition",
    "```\na < b & c | d `e` [f](g) *h* [^1] {: .x } \\ i\n```\n\nAfter the fence, plain.",
    "```{.python #code}\nx = a < b\n```\n\nAfter `code` and <b>html</b>.",
    "```{ broken\n<i>kept</i>\n```",
    "```{.a} b}\n<i>read as text</i> and `code`\n```",
    "~~~~\n```\nnot closed by backticks\n~~~~\n\n| t | u |\n|---|---|\n| 1 | 2 |",
    "```\nan unclosed fence with <b>html</b> and `code`",
    "Text then\n\n    ```\n    indented fence\n    ```\n\n& more",
    # Headings, whose ids a text without [TOC] gets from a lighter processor than `toc`'s own
    "# Fish &amp; chips\n\n## A < B > C\n\n## Tom & Jerry's   day\n\n### Žluťoučký kůň úpěl",
    "# Same\n\n# Same\n\n# Same_1\n\n# same\n\n#\n\n# !!!",
    "A paragraph {: #one }\n\n# One\n\n# One {: #own }\n\nSetext\n======\n\nTwo\n---",
    "## A heading with a note[^n] and <em>html</em>\n\n[^n]: The note.",
    "## **Bold** and _under_ in a heading\n\n## `code` only\n\n## \\*escaped\\*",
    # Blocks that a guarded processor passes over, and the ones it takes
    "Not a fence: ``` in a line, and ~~~ too.\n\n````\nfour ``` ticks\n````\n\n~~~ python\ntilde\n~~~",
    "Rules:\n\n- - -\n\n___\n\n* * *\n\nA - b _ c * d, not rules.",
    "> A quote\n> more\n\nnot > a quote\n\n   > indented three",
    "Title\n===\n\nSub\n---\n\nA line\n- a list, not a heading\n\nx\n= y",
    "####### seven\n\n#no space\n\ntext # not a heading\n\n# Closed #",
    "a | b\n\nno pipe here\n\n| only | header |\n\nx|y\n-|-\n1|2",
    ">A quote without a space\n\n>>nested",
    "\x02stx\x03 and text\x02",
    "   \n\t\n",
    "\tindented by a tab\n\n```\n\tkept\ttabs\n```",
]


@pytest.mark.parametrize("snippet", SNIPPETS)
def test_each_construct_renders_as_python_markdown_renders_it(snippet):
    assert markup.convert(snippet) == markup.full_converter().convert(snippet)


def test_mixed_documents_render_as_python_markdown_renders_them():
    rng = random.Random(7)
    full = markup.full_converter()
    for _ in range(800):
        text = "\n\n".join(rng.sample(SNIPPETS, rng.randint(1, 6)))
        assert markup.convert(text) == full.reset().convert(text), text


def test_fences_are_found_where_the_pattern_itself_finds_them():
    pattern = markup.FencedBlockPreprocessor.FENCED_BLOCK_RE
    rng = random.Random(11)
    parts = ["```", "````", "~~~", "`", "~", "\n", " ", "x", "{.a}", "python", "{", "\n```\n", "\n~~~\n"]
    for _ in range(20000):
        text = "".join(rng.choice(parts) for _ in range(rng.randint(1, 14)))
        pos = rng.randint(0, len(text))
        mine, theirs = markup._FENCE.search(text, pos), pattern.search(text, pos)
        assert (mine and (mine.span(), mine.groupdict())) == (theirs and (theirs.span(), theirs.groupdict())), text


def test_a_text_without_openers_gets_a_converter_without_those_processors():
    plain = markup._converter("Just words and *emphasis*.")
    assert "link" not in plain.inlinePatterns and "em_strong" in plain.inlinePatterns
    assert "table" not in plain.parser.blockprocessors and "attr_list" not in plain.treeprocessors
    fenced = markup._converter("Words.\n\n```\nif a < b: `c` | d\n```\n")
    assert not {"backtick", "html"} & set(fenced.inlinePatterns._data) and "table" not in fenced.parser.blockprocessors
    linked = markup._converter("A [link](x.html) | in a table.")
    assert "link" in linked.inlinePatterns and "table" in linked.parser.blockprocessors
