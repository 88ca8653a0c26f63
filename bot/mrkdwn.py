"""Markdown to Slack mrkdwn, through Python-Markdown's own parser.

``SlackMrkdwnExtension`` swaps Python-Markdown's HTML serializer for one that walks the
parsed ElementTree and writes Slack's mrkdwn: ``*bold*``, ``_italic_``, ``<url|text>``,
"•" and "1." list lines indented by nesting level, headings as bold lines, inline code
in backticks, fenced code in triple backticks, paragraphs separated by a blank line.
Raw HTML is not passed through: it is shown as text, and ``&``, ``<`` and ``>`` in text
are escaped as Slack requires.

Slack has no way to escape ``*``, ``_``, ``~`` or a backtick, so a literal one written
with a backslash in the source reaches Slack as that bare character.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from urllib.parse import quote

import markdown
from markdown.extensions import Extension

OUTPUT_FORMAT = "slack"
INDENT = "    "
BULLET = "•"
RULE = "──────────"
BLOCK_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "pre", "blockquote", "hr", "div"}
)
INLINE_MARKS = {"strong": "*", "b": "*", "em": "_", "i": "_", "del": "~", "s": "~"}


def escape(text: str) -> str:
    """Escape the three characters Slack treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link_target(url: str) -> str:
    """Make a URL safe inside <url|text>: no spaces, pipes or angle brackets."""
    return quote(url.strip(), safe=":/?#[]@!$&'()*+,;=%~.-_")


# --- inline content -------------------------------------------------------------


def _inline(elem: etree.Element, plain: bool = False) -> str:
    """Render an element's text and children as one line of mrkdwn.

    ``plain`` drops emphasis marks, for text that is already bold or inside a link.
    """
    parts = [_text(elem.text)]
    for child in elem:
        parts.append(_inline_child(child, plain))
        tail = _text(child.tail)
        parts.append(tail.lstrip() if child.tag == "br" else tail)
    return "".join(parts)


def _text(text: str | None) -> str:
    """Escape running text, turning soft line breaks into spaces."""
    return escape(" ".join((text or "").split("\n"))) if text else ""


def _inline_child(child: etree.Element, plain: bool) -> str:
    """Render one inline element: emphasis, code, link, image or line break."""
    tag = child.tag
    if tag == "br":
        return "\n"
    if tag == "code":
        return f"`{child.text or ''}`"  # the parser has already escaped & < > in code
    if tag == "a":
        return _link(child.get("href", ""), _inline(child, plain=True))
    if tag == "img":
        return _link(child.get("src", ""), escape(child.get("alt", "")))
    mark = INLINE_MARKS.get(str(tag), "")
    inner = _inline(child, plain or mark == "*")
    if plain or not mark or not inner.strip():
        return inner
    return f"{mark}{inner}{mark}"


def _link(url: str, label: str) -> str:
    """Write Slack link syntax, leaving out the label when it repeats the URL."""
    target = _link_target(url)
    if not target:
        return label
    if not label or label in (url, escape(url)):
        return f"<{target}>"
    return f"<{target}|{label}>"


# --- blocks ------------------------------------------------------------------------


def _blocks(parent: etree.Element, depth: int = 0) -> list[str]:
    """Render the block children of an element, one string per block."""
    blocks: list[str] = []
    for child in parent:
        rendered = _block(child, depth)
        if rendered.strip():
            blocks.append(rendered)
    return blocks


def _block(elem: etree.Element, depth: int) -> str:
    """Render one block element."""
    tag = str(elem.tag)
    if tag in ("ul", "ol"):
        return "\n".join(_list_lines(elem, depth))
    if tag.startswith("h") and tag[1:].isdigit():
        heading = _inline(elem, plain=True).strip()
        return f"*{heading}*" if heading else ""
    if tag == "pre":
        code = elem.find("code")
        source = code.text if code is not None else "".join(elem.itertext())
        return f"```\n{(source or '').rstrip()}\n```"  # already escaped by the parser
    if tag == "blockquote":
        quoted = "\n\n".join(_blocks(elem, depth)).split("\n")
        return "\n".join(f"> {line}".rstrip() for line in quoted)
    if tag == "hr":
        return RULE
    if tag == "div":
        return "\n\n".join(_blocks(elem, depth))
    return _inline(elem).strip()


def _list_lines(listing: etree.Element, depth: int) -> list[str]:
    """Render a bullet or numbered list, nested lists indented one level deeper."""
    ordered = listing.tag == "ol"
    number = int(listing.get("start") or 1)
    lines: list[str] = []
    for item in listing.findall("li"):
        lines += _item_lines(item, depth, f"{number}." if ordered else BULLET)
        number += 1
    return lines


def _item_lines(item: etree.Element, depth: int, marker: str) -> list[str]:
    """Render one list item: the marker and its text, continuation lines hung under it."""
    lead = f"{INDENT * depth}{marker} "
    hang = " " * len(lead)
    lines: list[str] = []
    for is_list, text in _item_parts(item, depth):
        for line in text.split("\n"):
            if is_list or not line:
                lines.append(line)
            else:
                lines.append(f"{hang if lines else lead}{line}")
    if not lines or not lines[0].startswith(lead):
        lines.insert(0, lead.rstrip())
    return lines


def _item_parts(item: etree.Element, depth: int) -> list[tuple[bool, str]]:
    """Split a list item into its inline text and its blocks, flagging nested lists."""
    parts: list[tuple[bool, str]] = []
    fragment = _inline_fragment(item).strip()
    if fragment:
        parts.append((False, fragment))
    for child in item:
        if child.tag in ("ul", "ol"):
            parts.append((True, _block(child, depth + 1)))
        elif child.tag in BLOCK_TAGS:
            parts.append((False, _block(child, depth)))
    return parts


def _inline_fragment(item: etree.Element) -> str:
    """Render the inline content of a list item, skipping its block children."""
    parts = [_text(item.text)]
    for child in item:
        if child.tag in BLOCK_TAGS:
            parts.append(_text(child.tail))
            continue
        parts.append(_inline_child(child, plain=False))
        parts.append(_text(child.tail))
    return "".join(parts)


def serialize(root: etree.Element) -> str:
    """Serialize the parsed document tree as Slack mrkdwn."""
    return "\n\n".join(_blocks(root))


# --- the extension -------------------------------------------------------------------


class SlackMrkdwnExtension(Extension):
    """Make Python-Markdown write Slack mrkdwn instead of HTML."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        """Register the mrkdwn serializer and stop raw HTML from passing through."""
        # Markdown() picks its serializer by name after the extensions are registered, so
        # this instance gets its own table in which every format name means mrkdwn.
        formats = dict.fromkeys([*md.output_formats, OUTPUT_FORMAT], serialize)
        setattr(md, "output_formats", formats)  # noqa: B010 - a ClassVar, shadowed per instance
        md.serializer = serialize
        md.stripTopLevelTags = False
        for registry, name in (
            (md.preprocessors, "html_block"),
            (md.inlinePatterns, "html"),
            (md.inlinePatterns, "entity"),
        ):
            if name in registry:
                registry.deregister(name)


def to_mrkdwn(markdown_text: str) -> str:
    """Convert Markdown to Slack mrkdwn."""
    converter = markdown.Markdown(extensions=[SlackMrkdwnExtension()])
    return converter.convert(markdown_text).strip()
