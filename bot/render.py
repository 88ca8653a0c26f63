"""Render Block Kit messages and views as text a person can read in a terminal.

The offline console and the demo show the bot's output with this. Every interactive
element gets a number, counted across the whole message, so a person can answer
"press 2"; the numbers map back to the element through ``Rendered.actions``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Block = dict[str, Any]

DEFAULT_WIDTH = 88
RULE = "─"
UNDERLINE = "═"
CONTEXT_MARK = "  ↳ "
COLUMN_GAP = "   "
BUTTON_GAP = "   "
BLANK_INPUT = "____"
SELECT_MARK = "▾"
SELECT_TYPES = frozenset(
    {"static_select", "multi_static_select", "overflow", "radio_buttons", "checkboxes"}
)

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CODE = re.compile(r"(```.*?```|`[^`\n]+`)", re.DOTALL)
_ANGLE = re.compile(r"<([^<>\n]+)>")
_STASHED = re.compile(r"\x00(\d+)\x00")
_LIST_PREFIX = re.compile(r"\s*(?:[•◦▪‣*>↳-]|\d+[.)])\s+|\s+")


def _marked(mark: str) -> re.Pattern[str]:
    """Match mrkdwn emphasis: the mark hugging non-space text, not inside a word."""
    m = re.escape(mark)
    return re.compile(rf"(?<![\w{m}]){m}(?=\S)([^{m}\n]*?\S){m}(?![\w{m}])")


_BOLD, _ITALIC, _STRIKE = _marked("*"), _marked("_"), _marked("~")


@dataclass
class Option:
    """One option of a select, overflow menu, radio group or checkbox group."""

    label: str
    value: str | None


@dataclass
class Choice:
    """A numbered interactive element a person can pick in the terminal."""

    number: int
    label: str
    action_id: str | None
    block_id: str | None
    value: str | None
    style: str | None
    element: dict[str, Any]
    options: list[Option] = field(default_factory=list)


@dataclass
class InputField:
    """An input block of a modal, to be filled in before submitting."""

    label: str
    block_id: str | None
    action_id: str | None
    type: str
    optional: bool
    initial: str | None
    element: dict[str, Any]
    options: list[Option] = field(default_factory=list)


@dataclass
class Rendered:
    """Terminal text of a message or view, with what a person can act on."""

    text: str
    actions: list[Choice] = field(default_factory=list)
    inputs: list[InputField] = field(default_factory=list)
    submit: str | None = None
    close: str | None = None

    def choice(self, number: int) -> Choice:
        """Find the element shown as [number]."""
        for choice in self.actions:
            if choice.number == number:
                return choice
        raise KeyError(f"no choice [{number}]; choices are 1..{len(self.actions)}")


class _Style:
    """Apply ANSI styles, or leave text plain when colour is off."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def _wrap(self, text: str, on: str, off: str) -> str:
        return f"\x1b[{on}m{text}\x1b[{off}m" if self.color and text else text

    def bold(self, text: str) -> str:
        """Make text bold."""
        return self._wrap(text, "1", "22")

    def italic(self, text: str) -> str:
        """Make text italic; without colour the markers are just dropped."""
        return self._wrap(text, "3", "23")

    def strike(self, text: str) -> str:
        """Strike text through; without colour keep Slack's ~markers~ so it reads as struck."""
        return self._wrap(text, "9", "29") if self.color else f"~{text}~"

    def dim(self, text: str) -> str:
        """Make text dim."""
        return self._wrap(text, "2", "22")

    def button(self, text: str, style: str | None) -> str:
        """Colour a button label green (primary) or red (danger)."""
        code = {"primary": "32", "danger": "31"}.get(style or "")
        return self._wrap(text, code, "39") if code else text


# --- public API -------------------------------------------------------------------


def render_message(
    blocks: list[Block] | None,
    text: str | None = None,
    *,
    width: int = DEFAULT_WIDTH,
    color: bool = False,
    first: int = 1,
) -> Rendered:
    """Render a message's blocks, or its text when it has no blocks; number its interactive
    elements from `first` on."""
    renderer = _Renderer(width, color, first)
    if blocks:
        lines = renderer.blocks(blocks)
    else:
        lines = renderer.wrap_text(mrkdwn_to_text(text or "", color=color))
    return Rendered(_join(lines), renderer.actions, renderer.inputs)


def render_view(
    view: dict[str, Any], *, width: int = DEFAULT_WIDTH, color: bool = False, first: int = 1
) -> Rendered:
    """Render a modal or Home tab: title, blocks, inputs and the submit/close labels."""
    renderer = _Renderer(width, color, first)
    is_modal = view.get("type", "modal") == "modal"
    title = _plain(view.get("title")) or ("" if is_modal else "Home")
    lines = renderer.header(title) if title else []
    lines += renderer.blocks(view.get("blocks") or [])
    submit = _plain(view.get("submit")) or None
    close = (_plain(view.get("close")) or "Cancel") if is_modal else None
    if is_modal:
        footer = [f"Submit: {submit}"] if submit else []
        lines += [RULE * width, COLUMN_GAP.join([*footer, f"Close: {close}"])]
    return Rendered(_join(lines), renderer.actions, renderer.inputs, submit, close)


def mrkdwn_to_text(text: str, *, color: bool = False) -> str:
    """Turn Slack mrkdwn into terminal text: links spelled out, markers dropped or styled."""
    style = _Style(color)
    parts = _CODE.split(text)
    # split() with one capturing group puts the code spans at the odd indexes
    converted = [part if i % 2 else _format_span(part, style) for i, part in enumerate(parts)]
    return _unescape("".join(converted))


# --- mrkdwn ---------------------------------------------------------------------


def _format_span(text: str, style: _Style) -> str:
    """Convert links and emphasis in text that holds no code."""
    links: list[str] = []

    def stash(match: re.Match[str]) -> str:
        links.append(_angle(match.group(1)))
        return f"\x00{len(links) - 1}\x00"

    # Links are set aside first so emphasis marks inside URLs stay untouched.
    text = _ANGLE.sub(stash, text)
    text = _BOLD.sub(lambda m: style.bold(m.group(1)), text)
    text = _ITALIC.sub(lambda m: style.italic(m.group(1)), text)
    text = _STRIKE.sub(lambda m: style.strike(m.group(1)), text)
    return _STASHED.sub(lambda m: links[int(m.group(1))], text)


def _angle(inner: str) -> str:
    """Spell out one <...> token: a link, mention, channel or special mention."""
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return "@" + (label.lstrip("@") or target[1:])
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!"):
        return _special(target[1:], label)
    if target.startswith("mailto:") and label in ("", target[7:]):
        return target[7:]
    return target if label in ("", target) else f"{label} ({target})"


def _special(target: str, label: str) -> str:
    """Spell out <!here>, <!subteam^S1|@team>, <!date^…|fallback> and the like."""
    name, _, rest = target.partition("^")
    if name in ("here", "channel", "everyone"):
        return "@" + name
    if label:
        return label
    return "@" + (rest.split("^")[0] if name == "subteam" and rest else name)


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _plain(obj: Any) -> str:
    """Read a text object's text (or a bare string) without conversion."""
    if isinstance(obj, dict):
        return str(obj.get("text", ""))
    return obj if isinstance(obj, str) else ""


# --- layout ---------------------------------------------------------------------


def _visible_len(text: str) -> int:
    return len(_ANSI.sub("", text))


def _join(lines: list[str]) -> str:
    return "\n".join(line.rstrip() for line in lines)


def wrap_line(line: str, width: int) -> list[str]:
    """Wrap one line at width without breaking words, indenting bullets' continuations."""
    if _visible_len(line) <= width or not line.strip():
        return [line]
    match = _LIST_PREFIX.match(line)
    prefix = match.group(0) if match else ""
    indent = " " * _visible_len(prefix) if _visible_len(prefix) <= width // 2 else ""
    words = line[len(prefix) :].split()
    if not words:
        return [line]
    lines, current = [], prefix + words[0]
    for word in words[1:]:
        if _visible_len(current) + 1 + _visible_len(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = indent + word
    return [*lines, current]


def _pack(items: list[str], width: int, gap: str) -> list[str]:
    """Lay items out left to right, starting a new line when the next would not fit."""
    lines: list[str] = []
    for item in items:
        if lines and _visible_len(lines[-1] + gap + item) <= width:
            lines[-1] += gap + item
        else:
            lines.append(item)
    return lines


def _options(element: dict[str, Any]) -> list[Option]:
    """List an element's options, flattening option groups."""
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return [Option(mrkdwn_to_text(_plain(o.get("text"))), o.get("value")) for o in options]


def _element_label(element: dict[str, Any]) -> str:
    """Name an element the way Slack shows it before anyone touches it."""
    kind = element.get("type", "")
    initial = element.get("initial_option")
    candidates = [
        _plain(element.get("text")),
        _plain(initial.get("text")) if isinstance(initial, dict) else "",
        _plain(element.get("placeholder")),
        str(element.get("initial_date") or element.get("initial_time") or ""),
        "More" if kind == "overflow" else "",
    ]
    return next((c for c in candidates if c), kind.replace("_", " ") or "element")


class _Renderer:
    """Turn blocks into lines, numbering interactive elements as it goes."""

    def __init__(self, width: int, color: bool, first: int = 1) -> None:
        self.width = width
        self.first = first
        self.style = _Style(color)
        self.actions: list[Choice] = []
        self.inputs: list[InputField] = []
        self._by_type: dict[str, Callable[[Block], list[str]]] = {
            "header": lambda block: self.header(_plain(block.get("text"))),
            "section": self.section,
            "context": self.context,
            "divider": lambda block: [RULE * self.width],
            "actions": self.actions_block,
            "rich_text": self.rich_text,
            "image": lambda block: [f"[image: {block.get('alt_text', '')}]"],
            "input": self.input_block,
        }

    def blocks(self, blocks: list[Block]) -> list[str]:
        """Render blocks in order."""
        lines: list[str] = []
        for block in blocks:
            kind = str(block.get("type", ""))
            render = self._by_type.get(kind)
            lines += render(block) if render else [f"[{kind or 'unknown'} block]"]
        return lines

    def wrap_text(self, text: str) -> list[str]:
        """Wrap every line of text at the renderer's width."""
        return [part for line in text.split("\n") for part in wrap_line(line, self.width)]

    def mrkdwn(self, obj: Any) -> str:
        """Convert a text object: mrkdwn converted, plain_text as is."""
        text = _plain(obj)
        is_plain = isinstance(obj, dict) and obj.get("type") == "plain_text"
        return text if is_plain else mrkdwn_to_text(text, color=self.style.color)

    def header(self, title: str) -> list[str]:
        """Render a title underlined."""
        lines = self.wrap_text(title)
        underline = UNDERLINE * min(max(_visible_len(line) for line in lines), self.width)
        return [*(self.style.bold(line) for line in lines), underline]

    def section(self, block: Block) -> list[str]:
        """Render a section's text, its fields in two columns and its accessory."""
        lines = self.wrap_text(self.mrkdwn(block["text"])) if block.get("text") else []
        if block.get("fields"):
            lines += self.fields([self.mrkdwn(f) for f in block["fields"]])
        accessory = block.get("accessory")
        if isinstance(accessory, dict):
            lines += self.accessory(accessory, block.get("block_id"))
        return lines

    def fields(self, cells: list[str]) -> list[str]:
        """Lay out field texts two per row, the left column padded to line up."""
        column = (self.width - len(COLUMN_GAP)) // 2
        wrapped = [self.wrap_column(cell, column) for cell in cells]
        left_width = max((_visible_len(line) for cell in wrapped[::2] for line in cell), default=0)
        lines: list[str] = []
        for i in range(0, len(wrapped), 2):
            left, right = wrapped[i], (wrapped[i + 1] if i + 1 < len(wrapped) else [])
            for row in range(max(len(left), len(right))):
                cell = left[row] if row < len(left) else ""
                pad = " " * (left_width - _visible_len(cell))
                other = right[row] if row < len(right) else ""
                lines.append(f"{cell}{pad}{COLUMN_GAP}{other}" if other else cell)
        return lines

    def wrap_column(self, text: str, width: int) -> list[str]:
        """Wrap a field's text to one column's width."""
        return [part for line in text.split("\n") for part in wrap_line(line, width)]

    def accessory(self, element: dict[str, Any], block_id: str | None) -> list[str]:
        """Render a section's accessory on its own line below the text."""
        if element.get("type") == "image":
            return [f"[image: {element.get('alt_text', '')}]"]
        return wrap_line(self.element(element, block_id), self.width)

    def context(self, block: Block) -> list[str]:
        """Render each context element on its own dim line."""
        lines: list[str] = []
        for element in block.get("elements") or []:
            is_image = element.get("type") == "image"
            text = f"[image: {element.get('alt_text', '')}]" if is_image else self.mrkdwn(element)
            for line in wrap_line(CONTEXT_MARK + text, self.width):
                lines.append(self.style.dim(line))
        return lines

    def actions_block(self, block: Block) -> list[str]:
        """Render buttons side by side and each menu on its own line."""
        lines: list[str] = []
        buttons: list[str] = []
        for element in block.get("elements") or []:
            shown = self.element(element, block.get("block_id"))
            if element.get("type") == "button":
                buttons.append(shown)
                continue
            lines += _pack(buttons, self.width, BUTTON_GAP) + wrap_line(shown, self.width)
            buttons = []
        return lines + _pack(buttons, self.width, BUTTON_GAP)

    def element(self, element: dict[str, Any], block_id: str | None) -> str:
        """Number an interactive element and return how it reads: "[2] Snooze ▾ 1 hour · …"."""
        choice = Choice(
            number=self.first + len(self.actions),
            label=_element_label(element),
            action_id=element.get("action_id"),
            block_id=block_id,
            value=element.get("value"),
            style=element.get("style"),
            element=element,
            options=_options(element),
        )
        self.actions.append(choice)
        shown = f"[{choice.number}] {self.style.button(choice.label, choice.style)}"
        if element.get("url"):
            shown += f" ({element['url']})"
        if element.get("type") in SELECT_TYPES or choice.options:
            shown += f" {SELECT_MARK} " + " · ".join(option.label for option in choice.options)
        return shown.rstrip()

    def input_block(self, block: Block) -> list[str]:
        """Render an input as "label: [____]", noting it in the inputs list."""
        element = block.get("element") or {}
        field_ = InputField(
            label=_plain(block.get("label")),
            block_id=block.get("block_id"),
            action_id=element.get("action_id"),
            type=str(element.get("type", "")),
            optional=bool(block.get("optional")),
            initial=_initial_value(element),
            element=element,
            options=_options(element),
        )
        self.inputs.append(field_)
        label = field_.label + (" (optional)" if field_.optional else "")
        shown = f"{label}: [{field_.initial or BLANK_INPUT}]"
        if field_.options:
            shown += f" {SELECT_MARK} " + " · ".join(option.label for option in field_.options)
        lines = wrap_line(shown, self.width)
        if block.get("hint"):
            lines += wrap_line(CONTEXT_MARK + _plain(block["hint"]), self.width)
        return lines

    def rich_text(self, block: Block) -> list[str]:
        """Render rich text as its plain text: paragraphs, lists, quotes and code."""
        lines: list[str] = []
        for element in block.get("elements") or []:
            kind = element.get("type")
            if kind == "rich_text_list":
                lines += self.rich_list(element)
                continue
            text = _rich_inline(element.get("elements") or [])
            if kind == "rich_text_quote":
                lines += [f"> {line}" for line in self.wrap_text(text)]
            elif kind == "rich_text_preformatted":
                lines += text.split("\n")
            else:
                lines += self.wrap_text(text)
        return lines

    def rich_list(self, element: dict[str, Any]) -> list[str]:
        """Render a rich-text list with bullets or numbers at its indent level."""
        indent = "  " * int(element.get("indent") or 0)
        ordered = element.get("style") == "ordered"
        start = int(element.get("offset") or 0) + 1
        lines: list[str] = []
        for number, item in enumerate(element.get("elements") or [], start=start):
            marker = f"{number}." if ordered else "•"
            text = _rich_inline(item.get("elements") or [])
            lines += self.wrap_text(f"{indent}{marker} {text}")
        return lines


def _initial_value(element: dict[str, Any]) -> str | None:
    """Read an input element's prefilled value, if any."""
    initial = element.get("initial_option")
    if isinstance(initial, dict):
        return _plain(initial.get("text"))
    for key in ("initial_value", "initial_date", "initial_time", "initial_user"):
        if element.get(key):
            return str(element[key])
    return None


def _rich_inline(elements: list[dict[str, Any]]) -> str:
    """Join rich-text inline elements into plain text."""
    return "".join(_rich_piece(piece) for piece in elements)


def _rich_piece(piece: dict[str, Any]) -> str:
    """Spell out one rich-text inline element."""
    kind = piece.get("type")
    if kind == "link":
        url, label = str(piece.get("url", "")), piece.get("text")
        return f"{label} ({url})" if label and label != url else url
    prefixes = {"user": ("@", "user_id"), "usergroup": ("@", "usergroup_id")}
    prefixes |= {"channel": ("#", "channel_id"), "broadcast": ("@", "range")}
    if kind in prefixes:
        mark, key = prefixes[kind]
        return mark + str(piece.get(key, ""))
    if kind == "emoji":
        return f":{piece.get('name', '')}:"
    if kind == "date":
        return str(piece.get("fallback") or piece.get("timestamp", ""))
    return str(piece.get("text") or piece.get("value") or "")
