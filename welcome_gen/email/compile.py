"""Jinja -> Mailchimp merge tags: author-time values render now, subscriber values become merge tags.

The template's syntax tree is rewritten before Jinja renders it: every expression or `{% if %}` that reads
`subscriber` (or `send_date`) is replaced by placeholder tokens, each standing for one merge tag. Tokens are plain
letters and digits, so markdown and the sanitiser leave them alone; `restore()` swaps them for the tags at the end.
Anything that merge-tag language cannot say is a Problem at the author's line, never a silent blank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from jinja2 import StrictUndefined, TemplateError, nodes
from jinja2.sandbox import SandboxedEnvironment

from ..theme.sandbox import BoundedEnvironment

from ..errors import Problem
from ..theme import ENDLESS

SUBSCRIBER = "subscriber"
SEND_DATE = "send_date"
EMAIL_TAG = "EMAIL"
TOKEN_RE = re.compile(r"WGMT(\d+)Z")
LITERAL_TAG_RE = re.compile(r"\*\|([^|*]*)\|\*")
CASE_FILTERS = {"upper": "UPPER", "lower": "LOWER", "title": "TITLE"}
NOOP_FILTERS = {"e", "escape", "string", "trim"}
COMPARE = {"eq": "=", "ne": "!=", "gt": ">", "lt": "<", "gteq": ">=", "lteq": "<="}
# strftime -> the PHP date letters Mailchimp's *|DATE:...|* tag uses
DATE_CODES = {"%d": "d", "%-d": "j", "%e": "j", "%m": "m", "%-m": "n", "%B": "F", "%b": "M", "%Y": "Y",
              "%y": "y", "%A": "l", "%a": "D", "%%": "%"}
DEFAULT_DATE = "%-d %B %Y"
# Statements that read another template: an email step is one file, compiled to merge tags on its own.
OTHER_FILES = {nodes.Include: "include", nodes.Extends: "extends", nodes.Import: "import",
               nodes.FromImport: "from ... import"}


class Tokens:
    """The merge tags a rendering stands for, keyed by placeholder token."""

    def __init__(self) -> None:
        self.tags: list[str] = []
        self.blocks: set[int] = set()  # IF/ELSE/END tokens: may sit on a line or in a paragraph of their own

    def add(self, tag: str, block: bool = False) -> str:
        self.tags.append(tag)
        if block:
            self.blocks.add(len(self.tags) - 1)
        return f"WGMT{len(self.tags) - 1}Z"

    def protect(self, text: str) -> str:
        """Literal `*|TAG|*` written by the author becomes a token too, so markdown cannot mangle it."""
        return LITERAL_TAG_RE.sub(lambda m: self.add(m.group(0)), text)

    def restore(self, text: str, value: Callable[[str], str] | None = None) -> str:
        """Swap tokens for their merge tags (or for `value(tag)`)."""
        def swap(m: re.Match) -> str:
            tag = self.tags[int(m.group(1))]
            return value(tag) if value else tag
        return TOKEN_RE.sub(swap, text)

    def block_token_re(self) -> re.Pattern | None:
        if not self.blocks:
            return None
        alts = "|".join(f"WGMT{i}Z" for i in sorted(self.blocks))
        return re.compile(f"(?:{alts})")


class CompileError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass
class Source:
    """One piece of author text to render: where it lives, and the line its first line is on."""

    text: str
    path: str
    line: int = 1  # subject/preheader: the YAML line; body files: 1


@dataclass
class _Compiler:
    fields: dict[str, str]  # subscriber field -> merge tag name
    tokens: Tokens
    source: Source
    problems: list[Problem] = field(default_factory=list)

    def problem(self, node: nodes.Node, message: str) -> None:
        self.problems.append(Problem(self.source.path, self.source.line + (node.lineno or 1) - 1, message))

    def td(self, tag: str, block: bool = False) -> nodes.TemplateData:
        return nodes.TemplateData(self.tokens.add(tag, block))

    # -- statements --------------------------------------------------------------------------

    def body(self, body: list[nodes.Node]) -> list[nodes.Node]:
        out: list[nodes.Node] = []
        for node in body:
            out.extend(self.stmt(node))
        return out

    def stmt(self, node: nodes.Node) -> list[nodes.Node]:
        if isinstance(node, tuple(OTHER_FILES)):
            self.problem(node, f"{{% {OTHER_FILES[type(node)]} %}} is not supported in an email step: write shared text "
                               "under `vars:` in the sequence and print it with {{ vars.NAME }}, or put it in the "
                               "email layout (templates/email/layout.html.j2)")
            return []
        if isinstance(node, nodes.Output):
            items: list[nodes.Expr] = []
            for expr in node.nodes:
                items.extend(self.expr(expr) if _dynamic(expr) else [expr])
            node.nodes = items
            return [node]
        if isinstance(node, nodes.If) and _dynamic(node.test):
            return self.merge_if(node)
        for attr in ("test", "iter", "node", "target", "call", "filter", "args", "defaults"):
            value = getattr(node, attr, None)
            if value is not None and any(_dynamic(v) for v in (value if isinstance(value, list) else [value])
                                         if isinstance(v, nodes.Node)):
                self.problem(node, f"'{SUBSCRIBER}' can only be printed with {{{{ }}}} or tested with {{% if %}}; "
                                   f"Mailchimp merge tags cannot express {type(node).__name__.lower()} over subscriber values")
                return []
        for attr in ("body", "else_", "elif_"):
            if isinstance(getattr(node, attr, None), list):
                setattr(node, attr, self.body(getattr(node, attr)) if attr != "elif_" else
                        [n for e in node.elif_ for n in self.stmt(e)])
        return [node]

    def merge_if(self, node: nodes.If) -> list[nodes.Node]:
        tag = self.test(node.test)
        if tag is None:
            return []
        out: list[nodes.Node] = [nodes.Output([self.td(tag, True)])]
        out += self.branch(node, node.body)
        for elif_ in node.elif_:
            cond = self.test(elif_.test, elseif=True)
            if cond is None:
                return []
            out.append(nodes.Output([self.td(cond, True)]))
            out += self.branch(elif_, elif_.body)
        if node.else_:
            out.append(nodes.Output([self.td("*|ELSE:|*", True)]))
            out += self.body(node.else_)
        out.append(nodes.Output([self.td("*|END:IF|*", True)]))
        return out

    def branch(self, node: nodes.Node, body: list[nodes.Node]) -> list[nodes.Node]:
        if not any(not isinstance(n, nodes.Output) or any(not isinstance(x, nodes.TemplateData) or x.data.strip()
                                                          for x in n.nodes) for n in body):
            # Mailchimp answers an IF with nothing in it with "Invalid Merge Tag Content"
            self.problem(node, "this {% if %} has an empty branch; Mailchimp refuses empty merge-tag conditionals "
                               "(use {% if not ... %} instead)")
        return self.body(body)

    # -- expressions -------------------------------------------------------------------------

    def field_tag(self, node: nodes.Expr) -> str | None:
        """`subscriber.first_name` -> 'FNAME'."""
        if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name) and node.node.name == SUBSCRIBER:
            name = node.attr
        elif (isinstance(node, nodes.Getitem) and isinstance(node.node, nodes.Name) and node.node.name == SUBSCRIBER
              and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str)):
            name = node.arg.value
        else:
            self.problem(node, f"only a subscriber field such as '{SUBSCRIBER}.first_name' can become a merge tag")
            return None
        if name == "email":
            return EMAIL_TAG
        if name not in self.fields:
            known = ", ".join(["email", *self.fields])
            self.problem(node, f"subscriber field '{name}' has no Mailchimp merge tag (known: {known}; "
                               "map fields under mailchimp.fields in welcome.yaml)")
            return None
        return self.fields[name]

    def expr(self, expr: nodes.Expr) -> list[nodes.Expr]:
        chain: list[nodes.Filter] = []
        base = expr
        while isinstance(base, nodes.Filter) and base.node is not None:
            chain.append(base)
            base = base.node
        chain.reverse()  # innermost first
        if isinstance(base, nodes.Name) and base.name == SEND_DATE:
            return self.send_date(base, chain)
        tag = self.field_tag(base)
        if tag is None:
            return []
        value = f"*|{tag}|*"
        for i, f in enumerate(chain):
            if f.name in NOOP_FILTERS:
                continue
            if f.name in CASE_FILTERS:
                value = f"*|{CASE_FILTERS[f.name]}:{tag}|*"
                continue
            if f.name in ("default", "d"):
                if not f.args or any(_dynamic(a) for a in f.args):
                    self.problem(f, "default(...) needs a fallback that does not read the subscriber, e.g. default(\"friend\")")
                    return []
                fallback: nodes.Expr = f.args[0]
                for later in chain[i + 1:]:  # filters after default() apply to the fallback as well
                    if later.name in CASE_FILTERS:
                        value = f"*|{CASE_FILTERS[later.name]}:{tag}|*"
                    elif later.name not in NOOP_FILTERS:
                        self.problem(later, self.no_filter(later.name))
                        return []
                    fallback = nodes.Filter(fallback, later.name, later.args, later.kwargs, later.dyn_args,
                                            later.dyn_kwargs, lineno=later.lineno)
                return [self.td(f"*|IF:{tag}|*"), self.td(value), self.td("*|ELSE:|*"), fallback,
                        self.td("*|END:IF|*")]
            self.problem(f, self.no_filter(f.name))
            return []
        return [self.td(value)]

    @staticmethod
    def no_filter(name: str) -> str:
        return (f"filter '{name}' cannot be expressed as a Mailchimp merge tag; on subscriber values use only "
                "default(\"...\"), upper, lower or title")

    def send_date(self, base: nodes.Name, chain: list[nodes.Filter]) -> list[nodes.Expr]:
        fmt = DEFAULT_DATE
        if chain:
            f = chain[0]
            if len(chain) > 1 or f.name != "date" or len(f.args) != 1 or not isinstance(f.args[0], nodes.Const):
                self.problem(f, f"'{SEND_DATE}' takes one filter, date(\"%d %B\"), to become Mailchimp's *|DATE:|* tag")
                return []
            fmt = str(f.args[0].value)
        php, pos = "", 0
        for m in re.finditer(r"%-?[a-zA-Z%]", fmt):
            if m.group(0) not in DATE_CODES:
                self.problem(base, f"date code '{m.group(0)}' has no Mailchimp *|DATE:|* equivalent "
                                   f"(use {', '.join(k for k in DATE_CODES if k != '%%')})")
                return []
            php += re.sub(r"([a-zA-Z])", r"\\\1", fmt[pos:m.start()]) + DATE_CODES[m.group(0)]
            pos = m.end()
        php += re.sub(r"([a-zA-Z])", r"\\\1", fmt[pos:])
        return [self.td(f"*|DATE:{php}|*")]

    def test(self, test: nodes.Expr, elseif: bool = False) -> str | None:
        kind = "ELSEIF" if elseif else "IF"
        if isinstance(test, nodes.Not) and not elseif:
            tag = self.field_tag(test.node)
            return f"*|IFNOT:{tag}|*" if tag else None
        if isinstance(test, nodes.Compare) and len(test.ops) == 1 and test.ops[0].op in COMPARE:
            left, right, op = test.expr, test.ops[0].expr, COMPARE[test.ops[0].op]
            if isinstance(left, nodes.Const) and not isinstance(right, nodes.Const):
                left, right = right, left
                op = {">": "<", "<": ">", ">=": "<=", "<=": ">="}.get(op, op)
            if not isinstance(right, nodes.Const) or _dynamic(right):
                self.problem(test, "compare a subscriber field with a literal value, e.g. subscriber.persona == \"maker\"")
                return None
            tag = self.field_tag(left)
            value = str(right.value)
            if tag and re.search(r"[|*]", value):
                self.problem(test, f"'{value}' cannot appear in a merge tag ('|' and '*' are not allowed)")
                return None
            return f"*|{kind}:{tag}{op}{value}|*" if tag else None
        if isinstance(test, (nodes.Getattr, nodes.Getitem)):
            tag = self.field_tag(test)
            return f"*|{kind}:{tag}|*" if tag else None
        self.problem(test, "this condition cannot be expressed in Mailchimp merge tags; test one subscriber field "
                           "(if subscriber.x, if not subscriber.x, if subscriber.x == \"v\") and nest {% if %} for more")
        return None


def _dynamic(node: nodes.Node) -> bool:
    return any(n.name in (SUBSCRIBER, SEND_DATE) for n in node.find_all(nodes.Name)) or (
        isinstance(node, nodes.Name) and node.name in (SUBSCRIBER, SEND_DATE))


def make_env() -> SandboxedEnvironment:
    """The environment author text renders in: sandboxed, strict about undefined names, no autoescape (markdown)."""
    return BoundedEnvironment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)


def render(env: SandboxedEnvironment, source: Source, context: dict[str, Any], fields: dict[str, str],
           tokens: Tokens) -> str:
    """Render author text: author-time values now, subscriber values as merge-tag tokens. Raises CompileError."""
    try:
        tree = env.parse(source.text, filename=source.path)
    except TemplateError as exc:
        line = getattr(exc, "lineno", None) or 1
        raise CompileError([Problem(source.path, source.line + line - 1, f"template error: {exc.message}")]) from None
    compiler = _Compiler(fields, tokens, source)
    tree.body = compiler.body(tree.body)
    if compiler.problems:
        raise CompileError(compiler.problems)
    try:
        template = env.from_string(tree)
        text = template.render(context)
    except TemplateError as exc:
        line = _template_line(exc) or 1
        raise CompileError([Problem(source.path, source.line + line - 1, _message(exc))]) from None
    except RecursionError as exc:
        line = _template_line(exc) or 1
        raise CompileError([Problem(source.path, source.line + line - 1, f"template error: {ENDLESS}")]) from None
    except Exception as exc:  # noqa: BLE001 - an author's expression failed (1/0, bad call): report, don't crash
        line = _template_line(exc) or 1
        raise CompileError([Problem(source.path, source.line + line - 1, f"{type(exc).__name__}: {exc}")]) from None
    return tokens.protect(text)


def _message(exc: TemplateError) -> str:
    msg = str(exc.message or exc)
    if "is undefined" in msg:
        return f"{msg} (available: site, business, links, personas, persona, sequence, step, vars, subscriber, send_date)"
    return msg


def _template_line(exc: BaseException) -> int | None:
    """The template line Jinja's rewritten traceback points at."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
