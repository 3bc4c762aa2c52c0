"""A safe evaluator for the subset of the XLSForm (XPath 1.0 + ODK) expression language Hearth runs.

Expressions come from spreadsheets uploaded by organizations and are evaluated against answers
from anyone filling a form, so nothing here uses `eval`, `exec`, attribute lookups or imports: a
tokenizer and a recursive-descent parser build a small tree of frozen nodes, and an interpreter
walks it. Only the functions listed in `FUNCTIONS` exist; anything else is refused while parsing,
by name, with its position, so a form that uses it is refused at upload.

Every expression is bounded: at most `MAX_LENGTH` characters, nesting at most `MAX_NESTING` levels
of parentheses, calls and signs, and a tree at most `MAX_DEPTH` deep, so neither the parser nor the
interpreter can exhaust the stack. `regex()` patterns must be written in quotes; they are checked at
upload and run by a small linear-time matcher (`SafePattern`), not by Python's backtracking `re`
engine, so no pattern can make a check take exponential time.

Values follow XPath 1.0, with ODK's dates:

- an empty or unanswered field is the empty string ``""``;
- numbers are floats; converting text that is not a number (including ``""``) gives NaN, so
  ``${age} > 3`` is false and ``${age} != 3`` is true while `age` is unanswered, and
  ``${age} = ''`` tells whether it is unanswered;
- ``=`` and ``!=`` compare as booleans when either side is a boolean, else as numbers when either
  side is a number, else as dates when either side is a date and the other reads as one, else as
  text; ``<``, ``<=``, ``>``, ``>=`` compare dates as dates and everything else as numbers;
- a select_multiple answer is its choice names separated by single spaces (``"red blue"``);
- dates are `datetime.date`; in arithmetic a date counts as days since 1970-01-01, so
  ``today() - ${date_of_event}`` is a number of days;
- ``div`` follows IEEE arithmetic: ``1 div 0`` is Infinity, ``0 div 0`` and ``x mod 0`` are NaN.
  No expression raises at run time: a calculation that comes out NaN or infinite is stored as
  empty by the form engine.
"""

from __future__ import annotations

import math
import re
import re._constants as sre_constants
import re._parser as sre_parser
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_LENGTH = 2000
MAX_NESTING = 32
MAX_DEPTH = 200
MAX_PATTERN_LENGTH = 300
MAX_PATTERN_PROGRAM = 600

XValue = str | float | bool | date

# A field name, as XLSForm (XML) allows: a letter or underscore, then letters, digits, _ . -
NAME_PATTERN = re.compile(r"[^\W\d][\w.\-]*")
EPOCH = date(1970, 1, 1)


class ExpressionError(Exception):
    """An expression that cannot be run. `position` counts characters from 0; `message` is
    plain language in the active language; `code` is stable."""

    def __init__(self, code: str, message: str, position: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return _("%(message)s (at character %(position)s)") % {
            "message": self.message,
            "position": self.position + 1,
        }


# ----------------------------------------------------------------------------------------------
# Tokens

NUMBER, STRING, REFERENCE, CURRENT, NAME, OPERATOR, LPAREN, RPAREN, COMMA, END = (
    "number",
    "string",
    "reference",
    "current",
    "name",
    "operator",
    "(",
    ")",
    ",",
    "end",
)
NUMBER_TOKEN = re.compile(r"\d+(?:\.\d*)?|\.\d+")
# Names as XPath writes them, including prefixed ones (jr:choice-name), so they can be named.
NAME_TOKEN = re.compile(r"[^\W\d][\w.\-]*(?::[^\W\d][\w.\-]*)?")
WORD_OPERATORS = {"and", "or", "div", "mod"}
SMART_QUOTES = "\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2032\u2033"
UNSUPPORTED_SYNTAX = {
    "/": gettext_lazy(
        "Paths such as /data/age are not supported: write ${age} for the answer to a question, "
        "and div to divide"
    ),
    "[": gettext_lazy("Square brackets (predicates) are not supported"),
    "]": gettext_lazy("Square brackets (predicates) are not supported"),
    "@": gettext_lazy("Attributes (@) are not supported"),
    "|": gettext_lazy("“|” (union) is not supported"),
    "$": gettext_lazy(
        "“$” variables are not supported: write ${name} for the answer to a question"
    ),
    "..": gettext_lazy("“..” (the parent) is not supported"),
}


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    position: int
    value: Any = None


def _ends_operand(token: Token | None) -> bool:
    return token is not None and token.kind in {NUMBER, STRING, REFERENCE, CURRENT, NAME, RPAREN}


def tokenize(source: str) -> list[Token]:
    """Split an expression into tokens, refusing XPath syntax Hearth does not run."""
    tokens: list[Token] = []
    index, length = 0, len(source)
    while index < length:
        character = source[index]
        previous = tokens[-1] if tokens else None
        if character.isspace():
            index += 1
        elif character == "$":
            if not source.startswith("${", index):
                raise ExpressionError("unsupported_syntax", str(UNSUPPORTED_SYNTAX["$"]), index)
            closing = source.find("}", index + 2)
            if closing < 0:
                raise ExpressionError(
                    "unterminated_reference", _("“${” is not closed with “}”"), index
                )
            name = source[index + 2 : closing]
            if not NAME_PATTERN.fullmatch(name):
                raise ExpressionError(
                    "invalid_reference",
                    _("“${%(name)s}” is not a valid question name") % {"name": name},
                    index,
                )
            tokens.append(Token(REFERENCE, source[index : closing + 1], index, name))
            index = closing + 1
        elif character in "'\"":
            closing = source.find(character, index + 1)
            if closing < 0:
                raise ExpressionError(
                    "unterminated_string", _("A text in quotes is not closed"), index
                )
            tokens.append(
                Token(STRING, source[index : closing + 1], index, source[index + 1 : closing])
            )
            index = closing + 1
        elif character.isdigit() or (
            character == "." and index + 1 < length and source[index + 1].isdigit()
        ):
            match = NUMBER_TOKEN.match(source, index)
            assert match is not None
            tokens.append(Token(NUMBER, match.group(), index, float(match.group())))
            index = match.end()
        elif character == ".":
            if source.startswith("..", index):
                raise ExpressionError("unsupported_syntax", str(UNSUPPORTED_SYNTAX[".."]), index)
            tokens.append(Token(CURRENT, ".", index))
            index += 1
        elif character.isalpha() or character == "_":
            match = NAME_TOKEN.match(source, index)
            assert match is not None
            word = match.group()
            # XPath: and/or/div/mod are operators only where an operand has just ended.
            kind = OPERATOR if word in WORD_OPERATORS and _ends_operand(previous) else NAME
            tokens.append(Token(kind, word, index))
            index = match.end()
        elif character in "()":
            tokens.append(Token(LPAREN if character == "(" else RPAREN, character, index))
            index += 1
        elif character == ",":
            tokens.append(Token(COMMA, ",", index))
            index += 1
        elif character in "<>!=":
            two = source[index : index + 2]
            if two in {"!=", "<=", ">="}:
                tokens.append(Token(OPERATOR, two, index))
                index += 2
            elif character == "!":
                raise ExpressionError(
                    "unexpected_character",
                    _("Unexpected “%(character)s”; to negate, write not(…)")
                    % {"character": character},
                    index,
                )
            else:
                tokens.append(Token(OPERATOR, character, index))
                index += 1
        elif character in "+-*":
            tokens.append(Token(OPERATOR, character, index))
            index += 1
        elif character in UNSUPPORTED_SYNTAX:
            raise ExpressionError("unsupported_syntax", str(UNSUPPORTED_SYNTAX[character]), index)
        elif character in SMART_QUOTES:
            raise ExpressionError(
                "curly_quote",
                _("Use straight quotes (' or \") instead of “%(character)s”")
                % {"character": character},
                index,
            )
        else:
            raise ExpressionError(
                "unexpected_character",
                _("Unexpected “%(character)s”") % {"character": character},
                index,
            )
    tokens.append(Token(END, "", length))
    return tokens


# ----------------------------------------------------------------------------------------------
# The tree


@dataclass(frozen=True, slots=True)
class Node:
    position: int
    depth: int


@dataclass(frozen=True, slots=True)
class Literal(Node):
    value: XValue


@dataclass(frozen=True, slots=True)
class Reference(Node):
    name: str


@dataclass(frozen=True, slots=True)
class Current(Node):
    pass


@dataclass(frozen=True, slots=True)
class ChoiceColumn(Node):
    """A bare name in a choice_filter: a column of the choices sheet for the choice tested."""

    name: str


@dataclass(frozen=True, slots=True)
class Negate(Node):
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary(Node):
    operator: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Call(Node):
    name: str
    arguments: tuple[Node, ...]
    pattern: SafePattern | None = None


# ----------------------------------------------------------------------------------------------
# Parsing

EQUALITY = {"=", "!="}
RELATIONAL = {"<", "<=", ">", ">="}
ADDITIVE = {"+", "-"}
MULTIPLICATIVE = {"*", "div", "mod"}


@dataclass(frozen=True)
class Expression:
    """A parsed expression: its source, its tree, and what it refers to."""

    source: str
    tree: Node
    references: frozenset[str] = field(default_factory=frozenset)
    uses_current: bool = False
    choice_columns: frozenset[str] = field(default_factory=frozenset)
    functions: frozenset[str] = field(default_factory=frozenset)

    def evaluate(
        self,
        values: Mapping[str, Any],
        *,
        current: Any = None,
        choice: Mapping[str, Any] | None = None,
        today: date | None = None,
    ) -> XValue:
        """The XPath value of the expression given field values (Python values, see
        `from_python`), the current field's value and, for choice filters, the choice's
        columns."""
        context = _Context(values, current, choice or {}, today or date.today())
        return _evaluate(self.tree, context)

    def is_true(self, values: Mapping[str, Any], **context: Any) -> bool:
        return to_boolean(self.evaluate(values, **context))


def parse(
    source: str, *, allow_current: bool = True, allow_choice_columns: bool = False
) -> Expression:
    """Parse an expression or raise `ExpressionError` naming what is wrong and where.

    `allow_current` permits `.` (the field's own answer); `allow_choice_columns` permits bare
    names, which in a choice_filter name columns of the choices sheet."""
    if len(source) > MAX_LENGTH:
        raise ExpressionError(
            "too_long",
            _("The expression is longer than %(limit)s characters") % {"limit": MAX_LENGTH},
            MAX_LENGTH,
        )
    if not source.strip():
        raise ExpressionError("empty", _("The expression is empty"), 0)
    parser = _Parser(tokenize(source), allow_current, allow_choice_columns)
    tree = parser.parse()
    return Expression(
        source=source,
        tree=tree,
        references=frozenset(parser.references),
        uses_current=parser.uses_current,
        choice_columns=frozenset(parser.choice_columns),
        functions=frozenset(parser.functions),
    )


class _Parser:
    def __init__(self, tokens: list[Token], allow_current: bool, allow_choice_columns: bool):
        self.tokens = tokens
        self.index = 0
        self.nesting = 0
        self.allow_current = allow_current
        self.allow_choice_columns = allow_choice_columns
        self.references: set[str] = set()
        self.choice_columns: set[str] = set()
        self.functions: set[str] = set()
        self.uses_current = False

    def peek(self) -> Token:
        return self.tokens[self.index]

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def unexpected(self, token: Token) -> ExpressionError:
        if token.kind == END:
            return ExpressionError(
                "unexpected_end", _("The expression ends too soon"), token.position
            )
        return ExpressionError(
            "unexpected_token", _("Unexpected “%(token)s”") % {"token": token.text}, token.position
        )

    def parse(self) -> Node:
        tree = self.expression()
        token = self.peek()
        if token.kind != END:
            raise self.unexpected(token)
        return tree

    def expression(self) -> Node:
        return self.binary(0)

    LEVELS = ({"or"}, {"and"}, EQUALITY, RELATIONAL, ADDITIVE, MULTIPLICATIVE)

    def binary(self, level: int) -> Node:
        if level == len(self.LEVELS):
            return self.unary()
        operators = self.LEVELS[level]
        left = self.binary(level + 1)
        while (token := self.peek()).kind == OPERATOR and token.text in operators:
            self.take()
            right = self.binary(level + 1)
            left = Binary(token.position, self.depth(left, right), token.text, left, right)
        return left

    def depth(self, *children: Node) -> int:
        depth = 1 + max(child.depth for child in children) if children else 1
        if depth > MAX_DEPTH:
            raise ExpressionError(
                "too_deep", _("The expression is nested too deeply"), children[0].position
            )
        return depth

    def enter(self, token: Token) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise ExpressionError(
                "too_deep", _("The expression is nested too deeply"), token.position
            )

    def unary(self) -> Node:
        token = self.peek()
        if token.kind == OPERATOR and token.text == "-":
            self.take()
            self.enter(token)
            operand = self.unary()
            self.nesting -= 1
            return Negate(token.position, self.depth(operand), operand)
        return self.primary()

    def primary(self) -> Node:
        token = self.take()
        if token.kind == NUMBER or token.kind == STRING:
            return Literal(token.position, 1, token.value)
        if token.kind == REFERENCE:
            self.references.add(token.value)
            return Reference(token.position, 1, token.value)
        if token.kind == CURRENT:
            if not self.allow_current:
                raise ExpressionError(
                    "current_not_allowed",
                    _("“.” (this answer) can only be used in a constraint"),
                    token.position,
                )
            self.uses_current = True
            return Current(token.position, 1)
        if token.kind == LPAREN:
            self.enter(token)
            inner = self.expression()
            self.nesting -= 1
            closing = self.take()
            if closing.kind != RPAREN:
                raise (
                    self.unexpected(closing)
                    if closing.kind != END
                    else ExpressionError(
                        "unclosed_parenthesis", _("A “(” is not closed"), token.position
                    )
                )
            return inner
        if token.kind == NAME:
            if self.peek().kind == LPAREN:
                return self.call(token)
            if not self.allow_choice_columns:
                raise ExpressionError(
                    "bare_name",
                    _(
                        "“%(name)s” is not understood here; to use the answer to a question, "
                        "write ${%(name)s}"
                    )
                    % {"name": token.text},
                    token.position,
                )
            self.choice_columns.add(token.text)
            return ChoiceColumn(token.position, 1, token.text)
        raise self.unexpected(token)

    def call(self, name: Token) -> Node:
        opening = self.take()
        self.enter(opening)
        arguments: list[Node] = []
        if self.peek().kind != RPAREN:
            while True:
                arguments.append(self.expression())
                if self.peek().kind != COMMA:
                    break
                self.take()
        closing = self.take()
        if closing.kind != RPAREN:
            if closing.kind == END:
                raise ExpressionError(
                    "unclosed_parenthesis", _("A “(” is not closed"), opening.position
                )
            raise self.unexpected(closing)
        self.nesting -= 1
        specification = FUNCTIONS.get(name.text)
        if specification is None:
            raise ExpressionError(
                "unknown_function",
                _("The function “%(name)s” is not supported") % {"name": name.text},
                name.position,
            )
        low, high = specification.arguments
        if len(arguments) < low or (high is not None and len(arguments) > high):
            if high is None:
                expected = _("at least %(count)s") % {"count": low}
            elif low == high:
                expected = str(low)
            else:
                expected = _("%(low)s to %(high)s") % {"low": low, "high": high}
            raise ExpressionError(
                "argument_count",
                _("%(name)s() takes %(expected)s arguments, not %(count)s")
                % {"name": name.text, "expected": expected, "count": len(arguments)},
                name.position,
            )
        self.functions.add(name.text)
        pattern = None
        if name.text == "regex":
            argument = arguments[1]
            if not (isinstance(argument, Literal) and isinstance(argument.value, str)):
                raise ExpressionError(
                    "regex_literal",
                    _("The pattern of regex() must be written in quotes"),
                    argument.position,
                )
            try:
                pattern = compile_pattern(argument.value)
            except PatternError as error:
                raise ExpressionError("regex_pattern", error.message, argument.position) from None
        depth = self.depth(*arguments) if arguments else 1
        return Call(name.position, depth, name.text, tuple(arguments), pattern)


# ----------------------------------------------------------------------------------------------
# Values


def from_python(value: Any) -> XValue:
    """The XPath value of a stored answer: empty is "", a choice list is space-separated."""
    if value is None:
        return ""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float | Decimal):
        return float(value)
    if isinstance(value, list | tuple | set | frozenset):
        return " ".join(str(item) for item in value)
    return str(value)


XPATH_NUMBER = re.compile(r"\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*")
ISO_DATE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.+\-Z]*)?\s*")


def to_number(value: XValue) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if isinstance(value, date):
        return float((value - EPOCH).days)
    if XPATH_NUMBER.fullmatch(value):
        return float(value)
    return math.nan


def to_string(value: XValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def format_number(number: float) -> str:
    """XPath's string(): whole numbers without a decimal point, never an exponent."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == int(number) and abs(number) < 1e21:
        return str(int(number))
    text = format(Decimal(repr(number)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def to_boolean(value: XValue) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, date):
        return True
    return value != ""


def to_date(value: XValue) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value) or abs(value) > 3_000_000:
            return None
        return EPOCH + timedelta(days=math.floor(value))
    if isinstance(value, str):
        match = ISO_DATE.fullmatch(value)
        if match:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                return None
    return None


def _equal(left: XValue, right: XValue) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return to_boolean(left) == to_boolean(right)
    if isinstance(left, float) or isinstance(right, float):
        return to_number(left) == to_number(right)
    if isinstance(left, date) or isinstance(right, date):
        left_date, right_date = to_date(left), to_date(right)
        if left_date is not None and right_date is not None:
            return left_date == right_date
    return to_string(left) == to_string(right)


def _compare(operator: str, left: XValue, right: XValue) -> bool:
    if isinstance(left, date) or isinstance(right, date):
        left_date, right_date = to_date(left), to_date(right)
        if left_date is not None and right_date is not None:
            left_number, right_number = float(left_date.toordinal()), float(right_date.toordinal())
        else:
            left_number, right_number = to_number(left), to_number(right)
    else:
        left_number, right_number = to_number(left), to_number(right)
    if operator == "<":
        return left_number < right_number
    if operator == "<=":
        return left_number <= right_number
    if operator == ">":
        return left_number > right_number
    return left_number >= right_number


def _arithmetic(operator: str, left: float, right: float) -> float:
    if operator == "+":
        return left + right
    if operator == "-":
        return left - right
    if operator == "*":
        return left * right
    if operator == "div":
        if right == 0:
            if left == 0 or math.isnan(left):
                return math.nan
            return math.copysign(math.inf, left) * math.copysign(1, right)
        return left / right
    # mod: XPath's remainder takes the sign of the dividend, like C's fmod.
    if right == 0 or math.isinf(left) or math.isnan(left) or math.isnan(right):
        return math.nan
    return math.fmod(left, right)


@dataclass(frozen=True, slots=True)
class _Context:
    values: Mapping[str, Any]
    current: Any
    choice: Mapping[str, Any]
    today: date


def _evaluate(node: Node, context: _Context) -> XValue:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Reference):
        return from_python(context.values.get(node.name))
    if isinstance(node, Current):
        return from_python(context.current)
    if isinstance(node, ChoiceColumn):
        return from_python(context.choice.get(node.name))
    if isinstance(node, Negate):
        return -to_number(_evaluate(node.operand, context))
    if isinstance(node, Binary):
        operator = node.operator
        if operator == "or":
            return to_boolean(_evaluate(node.left, context)) or to_boolean(
                _evaluate(node.right, context)
            )
        if operator == "and":
            return to_boolean(_evaluate(node.left, context)) and to_boolean(
                _evaluate(node.right, context)
            )
        left, right = _evaluate(node.left, context), _evaluate(node.right, context)
        if operator == "=":
            return _equal(left, right)
        if operator == "!=":
            return not _equal(left, right)
        if operator in RELATIONAL:
            return _compare(operator, left, right)
        return _arithmetic(operator, to_number(left), to_number(right))
    if isinstance(node, Call):
        return _call(node, context)
    raise TypeError(node)  # pragma: no cover - the parser builds no other node


# ----------------------------------------------------------------------------------------------
# Functions


@dataclass(frozen=True)
class Function:
    arguments: tuple[int, int | None]
    implementation: Callable[..., XValue] | None  # None: evaluated lazily in `_call`


def _round(number: float, places: float = 0.0) -> float:
    """ODK's round(): halves away from zero, to `places` decimal places."""
    if math.isnan(places):
        return math.nan
    if math.isnan(number) or math.isinf(number):
        return number
    digits = max(-20, min(20, int(places)))
    try:
        rounded = Decimal(repr(number)).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
    except InvalidOperation:
        return number
    return float(rounded)


def _int(number: float) -> float:
    if math.isnan(number) or math.isinf(number):
        return number
    return float(math.trunc(number))


def _substr(text: str, start: float, end: float | None = None) -> str:
    """ODK's substr(): 0-based start, exclusive end."""
    if math.isnan(start):
        return ""
    begin = max(0, int(start))
    if end is None:
        return text[begin:]
    if math.isnan(end):
        return ""
    return text[begin : max(begin, int(min(end, len(text))))]


def _min_max(choose: Callable[..., float], *numbers: float) -> float:
    if any(math.isnan(number) for number in numbers):
        return math.nan
    return choose(numbers)


def _date(value: XValue) -> XValue:
    result = to_date(value)
    return result if result is not None else ""


def _selected_at(selection: str, index: float) -> str:
    names = selection.split()
    if math.isnan(index) or not 0 <= index < len(names):
        return ""
    return names[int(index)]


def _identity(value: XValue) -> XValue:
    return value


S, N, B, X = to_string, to_number, to_boolean, _identity
SIGNATURES: dict[str, tuple[Callable[[XValue], Any], ...]] = {
    "selected": (S, S),
    "count-selected": (S,),
    "selected-at": (S, N),
    "string-length": (S,),
    "regex": (S, S),
    "int": (N,),
    "number": (N,),
    "string": (S,),
    "boolean": (B,),
    "not": (B,),
    "round": (N, N),
    "floor": (N,),
    "ceiling": (N,),
    "abs": (N,),
    "contains": (S, S),
    "starts-with": (S, S),
    "ends-with": (S, S),
    "substr": (S, N, N),
    "normalize-space": (S,),
    "date": (X,),
}

FUNCTIONS: dict[str, Function] = {
    "selected": Function((2, 2), lambda selection, name: name.strip() in selection.split()),
    "count-selected": Function((1, 1), lambda selection: float(len(selection.split()))),
    "selected-at": Function((2, 2), _selected_at),
    "string-length": Function((1, 1), lambda text: float(len(text))),
    "regex": Function((2, 2), None),
    "today": Function((0, 0), None),
    "true": Function((0, 0), lambda: True),
    "false": Function((0, 0), lambda: False),
    "not": Function((1, 1), lambda value: not value),
    "boolean": Function((1, 1), lambda value: value),
    "int": Function((1, 1), _int),
    "number": Function((1, 1), lambda number: number),
    "string": Function((1, 1), lambda text: text),
    "round": Function((1, 2), _round),
    "floor": Function(
        (1, 1), lambda n: n if math.isnan(n) or math.isinf(n) else float(math.floor(n))
    ),
    "ceiling": Function(
        (1, 1), lambda n: n if math.isnan(n) or math.isinf(n) else float(math.ceil(n))
    ),
    "abs": Function((1, 1), abs),
    "min": Function((1, None), None),
    "max": Function((1, None), None),
    "concat": Function((1, None), None),
    "if": Function((3, 3), None),
    "coalesce": Function((2, 2), None),
    "contains": Function((2, 2), lambda text, part: part in text),
    "starts-with": Function((2, 2), lambda text, part: text.startswith(part)),
    "ends-with": Function((2, 2), lambda text, part: text.endswith(part)),
    "substr": Function((2, 3), _substr),
    "normalize-space": Function((1, 1), lambda text: " ".join(text.split())),
    "date": Function((1, 1), _date),
}


def _call(node: Call, context: _Context) -> XValue:
    name, arguments = node.name, node.arguments
    if name == "if":
        chosen = arguments[1] if to_boolean(_evaluate(arguments[0], context)) else arguments[2]
        return _evaluate(chosen, context)
    if name == "coalesce":
        first = _evaluate(arguments[0], context)
        return first if to_string(first) != "" else _evaluate(arguments[1], context)
    if name == "today":
        return context.today
    if name == "concat":
        return "".join(to_string(_evaluate(argument, context)) for argument in arguments)
    if name in {"min", "max"}:
        numbers = [to_number(_evaluate(argument, context)) for argument in arguments]
        return _min_max(min if name == "min" else max, *numbers)
    values = [_evaluate(argument, context) for argument in arguments]
    converters = SIGNATURES.get(name, ())
    converted = [converter(value) for converter, value in zip(converters, values, strict=False)]
    if name == "regex":
        assert node.pattern is not None
        return node.pattern.search(converted[0])
    implementation = FUNCTIONS[name].implementation
    assert implementation is not None
    return implementation(*converted)


# ----------------------------------------------------------------------------------------------
# regex(): a linear-time matcher for a safe subset of Python's pattern syntax


class PatternError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_CHAR, _SPLIT, _JUMP, _ASSERT, _MATCH = range(5)
_CATEGORIES: dict[Any, Callable[[str], bool]] = {
    sre_constants.CATEGORY_DIGIT: str.isdecimal,
    sre_constants.CATEGORY_NOT_DIGIT: lambda c: not c.isdecimal(),
    sre_constants.CATEGORY_SPACE: str.isspace,
    sre_constants.CATEGORY_NOT_SPACE: lambda c: not c.isspace(),
    sre_constants.CATEGORY_WORD: lambda c: c.isalnum() or c == "_",
    sre_constants.CATEGORY_NOT_WORD: lambda c: not (c.isalnum() or c == "_"),
}
_UNSUPPORTED_PATTERN_PARTS = {
    sre_constants.GROUPREF: gettext_lazy("back-references"),
    sre_constants.GROUPREF_EXISTS: gettext_lazy("conditional groups"),
    sre_constants.ASSERT: gettext_lazy("look-ahead or look-behind"),
    sre_constants.ASSERT_NOT: gettext_lazy("look-ahead or look-behind"),
    sre_constants.ATOMIC_GROUP: gettext_lazy("atomic groups"),
}


def _is_word(character: str) -> bool:
    return character.isalnum() or character == "_"


class SafePattern:
    """A compiled regex() pattern, matched by simulating all paths at once (Thompson's
    construction), so matching takes time proportional to text length times pattern size."""

    def __init__(self, source: str, program: list[tuple[Any, ...]]) -> None:
        self.source = source
        self.program = program

    def __repr__(self) -> str:
        return f"SafePattern({self.source!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SafePattern) and other.source == self.source

    def __hash__(self) -> int:
        return hash(self.source)

    def _add(self, threads: list[int], seen: set[int], start: int, text: str, at: int) -> bool:
        """Follow jumps, splits and assertions from `start`; True when the pattern matches."""
        program, stack = self.program, [start]
        while stack:
            pc = stack.pop()
            if pc in seen:
                continue
            seen.add(pc)
            instruction = program[pc]
            kind = instruction[0]
            if kind == _MATCH:
                return True
            if kind == _JUMP:
                stack.append(instruction[1])
            elif kind == _SPLIT:
                stack.append(instruction[2])
                stack.append(instruction[1])
            elif kind == _ASSERT:
                if self._holds(instruction[1], text, at):
                    stack.append(pc + 1)
            else:
                threads.append(pc)
        return False

    @staticmethod
    def _holds(assertion: Any, text: str, at: int) -> bool:
        if assertion in (sre_constants.AT_BEGINNING, sre_constants.AT_BEGINNING_STRING):
            return at == 0
        if assertion == sre_constants.AT_END:
            return at == len(text) or (at == len(text) - 1 and text[at] == "\n")
        if assertion == sre_constants.AT_END_STRING:
            return at == len(text)
        before = at > 0 and _is_word(text[at - 1])
        after = at < len(text) and _is_word(text[at])
        if assertion == sre_constants.AT_BOUNDARY:
            return before != after
        return before == after  # AT_NON_BOUNDARY

    def search(self, text: str) -> bool:
        threads: list[int] = []
        for at in range(len(text) + 1):
            seen: set[int] = set()
            following: list[int] = []
            for pc in threads:
                if self._add(following, seen, pc, text, at):
                    return True
            # Unanchored search: a new attempt starts at every position.
            if self._add(following, seen, 0, text, at):
                return True
            if at == len(text):
                break
            character = text[at]
            threads = [pc + 1 for pc in following if self.program[pc][1](character)]
            # Threads that advanced are re-expanded at the next position.
        return False


def compile_pattern(source: str) -> SafePattern:
    """Check and compile a regex() pattern, or raise `PatternError` saying why not."""
    return _compile_pattern_cached(source)


@lru_cache(maxsize=512)
def _compile_pattern_cached(source: str) -> SafePattern:
    if len(source) > MAX_PATTERN_LENGTH:
        raise PatternError(
            _("The pattern is longer than %(limit)s characters") % {"limit": MAX_PATTERN_LENGTH}
        )
    try:
        parsed = sre_parser.parse(source)
    except (re.error, RecursionError, OverflowError) as error:
        raise PatternError(
            _("The pattern of regex() is not valid: %(reason)s") % {"reason": str(error)}
        ) from None
    if parsed.state.flags & ~re.UNICODE:
        raise PatternError(_("regex() patterns cannot set flags such as (?i)"))
    program: list[tuple[Any, ...]] = []
    _emit_sequence(list(parsed), program)
    program.append((_MATCH,))
    return SafePattern(source, program)


def _unsupported_pattern(feature: str) -> PatternError:
    return PatternError(
        _("The pattern of regex() uses %(feature)s, which is not supported") % {"feature": feature}
    )


def _emit(program: list[tuple[Any, ...]], instruction: tuple[Any, ...]) -> int:
    if len(program) >= MAX_PATTERN_PROGRAM:
        raise PatternError(_("The pattern of regex() is too large"))
    program.append(instruction)
    return len(program) - 1


def _class_predicate(items: list[tuple[Any, Any]]) -> Callable[[str], bool]:
    negate = False
    tests: list[Callable[[str], bool]] = []
    for op, argument in items:
        if op is sre_constants.NEGATE:
            negate = True
        elif op is sre_constants.LITERAL:
            tests.append(lambda c, code=argument: ord(c) == code)
        elif op is sre_constants.RANGE:
            low, high = argument
            tests.append(lambda c, low=low, high=high: low <= ord(c) <= high)
        elif op is sre_constants.CATEGORY and argument in _CATEGORIES:
            tests.append(_CATEGORIES[argument])
        else:
            raise _unsupported_pattern(str(op).lower())
    if negate:
        return lambda c: not any(test(c) for test in tests)
    return lambda c: any(test(c) for test in tests)


def _emit_sequence(items: list[tuple[Any, Any]], program: list[tuple[Any, ...]]) -> None:
    for op, argument in items:
        if op is sre_constants.LITERAL:
            _emit(program, (_CHAR, lambda c, code=argument: ord(c) == code))
        elif op is sre_constants.NOT_LITERAL:
            _emit(program, (_CHAR, lambda c, code=argument: ord(c) != code))
        elif op is sre_constants.ANY:
            _emit(program, (_CHAR, lambda c: c != "\n"))
        elif op is sre_constants.IN:
            _emit(program, (_CHAR, _class_predicate(argument)))
        elif op is sre_constants.AT:
            if argument not in (
                sre_constants.AT_BEGINNING,
                sre_constants.AT_BEGINNING_STRING,
                sre_constants.AT_END,
                sre_constants.AT_END_STRING,
                sre_constants.AT_BOUNDARY,
                sre_constants.AT_NON_BOUNDARY,
            ):
                raise _unsupported_pattern(str(argument).lower())
            _emit(program, (_ASSERT, argument))
        elif op is sre_constants.SUBPATTERN:
            _group, add_flags, del_flags, inner = argument
            if add_flags or del_flags:
                raise PatternError(_("regex() patterns cannot set flags such as (?i)"))
            _emit_sequence(list(inner), program)
        elif op is sre_constants.BRANCH:
            _emit_branch(argument[1], program)
        elif op in (
            sre_constants.MAX_REPEAT,
            sre_constants.MIN_REPEAT,
            sre_constants.POSSESSIVE_REPEAT,
        ):
            _emit_repeat(*argument, program)
        elif op in _UNSUPPORTED_PATTERN_PARTS:
            raise _unsupported_pattern(_UNSUPPORTED_PATTERN_PARTS[op])
        else:
            raise _unsupported_pattern(str(op).lower())


def _emit_branch(alternatives: list[Any], program: list[tuple[Any, ...]]) -> None:
    jumps_to_end: list[int] = []
    for number, alternative in enumerate(alternatives):
        if number < len(alternatives) - 1:
            split = _emit(program, (_SPLIT, len(program) + 1, None))
            _emit_sequence(list(alternative), program)
            jumps_to_end.append(_emit(program, (_JUMP, None)))
            program[split] = (_SPLIT, split + 1, len(program))
        else:
            _emit_sequence(list(alternative), program)
    for jump in jumps_to_end:
        program[jump] = (_JUMP, len(program))


def _emit_repeat(low: int, high: Any, inner: Any, program: list[tuple[Any, ...]]) -> None:
    if low > MAX_PATTERN_PROGRAM or (
        high is not sre_constants.MAXREPEAT and high > MAX_PATTERN_PROGRAM
    ):
        raise PatternError(_("The pattern of regex() is too large"))
    for _count in range(low):
        _emit_sequence(list(inner), program)
    if high is sre_constants.MAXREPEAT:
        split = _emit(program, (_SPLIT, None, None))
        _emit_sequence(list(inner), program)
        _emit(program, (_JUMP, split))
        program[split] = (_SPLIT, split + 1, len(program))
        return
    splits: list[int] = []
    for _count in range(high - low):
        splits.append(_emit(program, (_SPLIT, None, None)))
        _emit_sequence(list(inner), program)
    for split in splits:
        program[split] = (_SPLIT, split + 1, len(program))
