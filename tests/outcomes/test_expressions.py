"""The XLSForm expression evaluator: parsing, XPath semantics, functions, and refusing anything
unsafe or unsupported — by name and position, never by running it."""

import math
import re
import time
from datetime import date

import pytest

from hearth.outcomes.expressions import (
    FUNCTIONS,
    MAX_LENGTH,
    ExpressionError,
    compile_pattern,
    format_number,
    parse,
)

TODAY = date(2025, 3, 15)


def run(source, values=None, **context):
    context.setdefault("today", TODAY)
    return parse(source).evaluate(values or {}, **context)


def refused(source, **options) -> ExpressionError:
    with pytest.raises(ExpressionError) as caught:
        parse(source, **options)
    return caught.value


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", 7.0),
        ("(1 + 2) * 3", 9.0),
        ("10 - 4 - 3", 3.0),
        ("8 div 2 div 2", 2.0),
        ("7 mod 3 * 2", 2.0),
        ("-2 * 3", -6.0),
        ("- - 3", 3.0),
        ("2 + 3 = 5 and 1 < 2", True),
        ("1 = 1 or 1 = 2 and 1 = 2", True),  # and binds tighter than or
        ("(1 = 1 or 1 = 2) and 1 = 2", False),
        ("1 < 2 = 1", True),  # (1 < 2) = 1: a boolean and a number compare as booleans
        ("3 > 2 > 1", False),  # (3 > 2) > 1: true is 1, and 1 > 1 is false
        ("1 + 2 < 4", True),
        ("2 * 3 = 6", True),
        ("10 div 4", 2.5),
        ("-7 mod 3", -1.0),  # the remainder takes the sign of the dividend
        ("7 mod -3", 1.0),
        (".5 + 1.", 1.5),
    ],
)
def test_precedence_and_associativity(source, expected):
    assert run(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("${missing} > 3", False),
        ("${missing} < 3", False),
        ("${missing} = 3", False),
        ("${missing} != 3", True),
        ("${missing} = ''", True),
        ("${missing} != ''", False),
        ("string-length(${missing})", 0.0),
        ("count-selected(${missing})", 0.0),
        ("selected(${missing}, 'a')", False),
        ("concat('[', ${missing}, ']')", "[]"),
        ("coalesce(${missing}, 'fallback')", "fallback"),
        ("not(${missing})", True),
        ("boolean(${zero})", False),
        ("boolean(${text})", True),
    ],
)
def test_empty_values_follow_xpath(source, expected):
    assert run(source, {"missing": None, "zero": 0, "text": "x"}) == expected


def test_arithmetic_on_an_empty_value_is_nan():
    assert math.isnan(run("${missing} + 1", {"missing": None}))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("'1' = 1", True),
        ("'1.0' = 1", True),
        ("' 12 ' = 12", True),
        ("'abc' = 0", False),
        ("'1e3' = 1000", False),  # XPath 1.0 numbers have no exponent
        ("true() = 'x'", True),
        ("false() = ''", True),
        ("'b' > 'a'", False),  # text compared with < or > becomes NaN
        ("'10' > '9'", True),
        ("${d} = '2025-03-01'", True),
        ("${d} < '2025-03-02'", True),
        ("${d} > today()", False),
        ("today() - ${d}", 14.0),
        ("${d} + 1 = date('2025-03-02')", True),
        ("date('2025-02-30')", ""),
        ("${d} = 'not a date'", False),
        ("${multiple} = 'red blue'", True),
        ("${integer} = 3", True),
        ("${decimal} * 2", 5.0),
    ],
)
def test_comparisons_convert_like_xpath(source, expected):
    values = {
        "d": date(2025, 3, 1),
        "multiple": ("red", "blue"),
        "integer": 3,
        "decimal": 2.5,
    }
    assert run(source, values) == expected


def test_division_by_zero_follows_ieee_and_never_raises():
    assert run("1 div 0") == math.inf
    assert run("-1 div 0") == -math.inf
    assert math.isnan(run("0 div 0"))
    assert math.isnan(run("5 mod 0"))
    assert run("string(1 div 0)") == "Infinity"
    assert run("string(-1 div 0)") == "-Infinity"
    assert run("string(0 div 0)") == "NaN"
    assert run("1 div 0 > 1000000") is True


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (3.0, "3"),
        (-0.0, "0"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e-7, "0.0000001"),
        (2.5, "2.5"),
        (1e21, "1000000000000000000000"),
    ],
)
def test_numbers_become_text_without_exponents(number, text):
    assert format_number(number) == text


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("selected(${colours}, 'red')", True),
        ("selected(${colours}, 'green')", False),
        ("count-selected(${colours})", 2.0),
        ("selected-at(${colours}, 1)", "blue"),
        ("selected-at(${colours}, 5)", ""),
        ("string-length('héllo')", 5.0),
        ("regex('abc123', '^[a-z]+[0-9]{3}$')", True),
        ("regex('abc', 'b')", True),  # a search, as ODK does: anchor with ^ and $
        ("regex('abc', '^b')", False),
        ("today()", TODAY),
        ("int(3.7)", 3.0),
        ("int(-3.7)", -3.0),
        ("int('12.9')", 12.0),
        ("number('4.5')", 4.5),
        ("string(4)", "4"),
        ("string(true())", "true"),
        ("concat('a', 1, true(), ${colours})", "a1truered blue"),
        ("if(1 < 2, 'yes', 'no')", "yes"),
        ("if('', 'yes', 'no')", "no"),
        ("if(true(), 1, 1 div 0)", 1.0),
        ("coalesce('', 'b')", "b"),
        ("coalesce('a', 'b')", "a"),
        ("round(2.5)", 3.0),
        ("round(-2.5)", -3.0),  # halves away from zero, as ODK
        ("round(3.14159, 2)", 3.14),
        ("round(1234, -2)", 1200.0),
        ("floor(-1.5)", -2.0),
        ("ceiling(1.2)", 2.0),
        ("abs(-4)", 4.0),
        ("min(3, 1, 2)", 1.0),
        ("max(3, 1, 2)", 3.0),
        ("contains('trauma-informed', 'inform')", True),
        ("starts-with('hearth', 'he')", True),
        ("ends-with('hearth', 'th')", True),
        ("substr('hearth', 1, 4)", "ear"),
        ("substr('hearth', 3)", "rth"),
        ("normalize-space('  a   b ')", "a b"),
        ("not(1 = 2)", True),
        ("true() and false()", False),
        ("boolean('0')", True),  # any non-empty text is true
    ],
)
def test_functions(source, expected):
    assert run(source, {"colours": ("red", "blue")}) == expected


def test_min_with_an_empty_value_is_nan():
    assert math.isnan(run("min(${missing}, 3)"))


def test_current_value_and_choice_columns():
    assert run(". >= 16", current=18) is True
    assert run(". >= 16", current=None) is False
    expression = parse("region = ${region}", allow_choice_columns=True)
    assert expression.choice_columns == frozenset({"region"})
    assert expression.is_true({"region": "north"}, choice={"region": "north"}) is True
    assert expression.is_true({"region": "north"}, choice={"region": "south"}) is False


def test_references_and_functions_are_collected():
    expression = parse("selected(${a}, 'x') or ${b} + ${a} > 2")
    assert expression.references == frozenset({"a", "b"})
    assert expression.functions == frozenset({"selected"})
    assert expression.uses_current is False


def test_evaluation_is_deterministic_and_does_not_change_the_values():
    values = {"a": 2, "b": ("x", "y")}
    expression = parse("concat(${a} * 3, '-', count-selected(${b}), '-', today())")
    first = expression.evaluate(values, today=TODAY)
    second = expression.evaluate(values, today=TODAY)
    assert first == second == "6-2-2025-03-15"
    assert values == {"a": 2, "b": ("x", "y")}


@pytest.mark.parametrize(
    "name",
    [
        "sum",
        "pulldata",
        "now",
        "random",
        "uuid",
        "once",
        "indexed-repeat",
        "position",
        "jr:choice-name",
        "format-date",
        "__import__",
        "eval",
        "exec",
        "open",
        "getattr",
        "os.system",
    ],
)
def test_unknown_functions_are_refused_by_name(name):
    error = refused(f"{name}('x')")
    assert error.code == "unknown_function"
    assert error.position == 0
    assert error.message == f"The function “{name}” is not supported"
    assert name not in FUNCTIONS


@pytest.mark.parametrize(
    ("source", "code", "position"),
    [
        ("__import__('os').system('ls')", "unknown_function", 0),
        ("${a}.__class__", "unexpected_token", 4),
        ("().__class__", "unexpected_token", 1),
        ("'a' + eval('1')", "unknown_function", 6),
        ("lambda: 1", "unexpected_character", 6),
        ("__builtins__", "bare_name", 0),
        ("${a}; import os", "unexpected_character", 4),
        ("`ls`", "unexpected_character", 0),
        ("${__class__.__mro__}", "unknown_reference_is_fine", None),
    ],
)
def test_injection_attempts_fail_safely(source, code, position):
    if code == "unknown_reference_is_fine":
        # A strange but valid name is only a name: it looks up an answer, nothing else.
        assert parse(source).evaluate({}) == ""
        return
    error = refused(source)
    assert (error.code, error.position) == (code, position)


def test_values_are_never_asked_for_attributes():
    class Trap:
        def __getattr__(self, name):
            raise AssertionError(f"looked up {name}")

        def __str__(self):
            return "trap"

    assert run("concat(${x}, '!')", {"x": Trap()}) == "trap!"


@pytest.mark.parametrize(
    ("source", "code", "position", "message"),
    [
        ("${a} >", "unexpected_end", 6, "The expression ends too soon"),
        ("1 +* 2", "unexpected_token", 3, "Unexpected “*”"),
        ("(1 + 2", "unclosed_parenthesis", 0, "A “(” is not closed"),
        ("selected(${a}, 'x'", "unclosed_parenthesis", 8, "A “(” is not closed"),
        ("1 2", "unexpected_token", 2, "Unexpected “2”"),
        ("'abc", "unterminated_string", 0, "A text in quotes is not closed"),
        ("${a", "unterminated_reference", 0, "“${” is not closed with “}”"),
        ("${a b} = 1", "invalid_reference", 0, "“${a b}” is not a valid question name"),
        ("${1a}", "invalid_reference", 0, "“${1a}” is not a valid question name"),
        (
            "/data/age > 3",
            "unsupported_syntax",
            0,
            "Paths such as /data/age are not supported: write ${age} for the answer to a "
            "question, and div to divide",
        ),
        ("${a} / 2", "unsupported_syntax", 5, None),
        ("${a}[1]", "unsupported_syntax", 4, "Square brackets (predicates) are not supported"),
        ("@id", "unsupported_syntax", 0, "Attributes (@) are not supported"),
        ("$x", "unsupported_syntax", 0, None),
        ("..", "unsupported_syntax", 0, "“..” (the parent) is not supported"),
        (
            "${a} = \u2018yes\u2019",
            "curly_quote",
            7,
            "Use straight quotes (' or \") instead of “\u2018”",
        ),
        ("1 ! 2", "unexpected_character", 2, "Unexpected “!”; to negate, write not(…)"),
        (
            "age > 3",
            "bare_name",
            0,
            "“age” is not understood here; to use the answer to a question, write ${age}",
        ),
        ("selected(${a})", "argument_count", 0, "selected() takes 2 arguments, not 1"),
        ("today(1)", "argument_count", 0, "today() takes 0 arguments, not 1"),
        ("if(1, 2)", "argument_count", 0, "if() takes 3 arguments, not 2"),
        ("round(1, 2, 3)", "argument_count", 0, "round() takes 1 to 2 arguments, not 3"),
        ("concat()", "argument_count", 0, "concat() takes at least 1 arguments, not 0"),
        ("   ", "empty", 0, "The expression is empty"),
    ],
)
def test_syntax_errors_name_the_problem_and_its_position(source, code, position, message):
    error = refused(source)
    assert (error.code, error.position) == (code, position)
    if message is not None:
        assert error.message == message
    assert str(error) == f"{error.message} (at character {position + 1})"


def test_current_value_can_be_refused():
    error = refused(". > 3", allow_current=False)
    assert (error.code, error.position) == ("current_not_allowed", 0)


def test_expressions_are_bounded():
    assert refused("1" * (MAX_LENGTH + 1)).code == "too_long"
    assert refused("(" * 40 + "1" + ")" * 40).code == "too_deep"
    assert refused("-" * 40 + "1").code == "too_deep"
    assert refused("1" + " + 1" * 250).code == "too_deep"
    assert run("1" + " + 1" * 150) == 151.0
    assert run("(" * 30 + "1" + ")" * 30) == 1.0


# -- regex()


def test_regex_patterns_must_be_written_in_quotes():
    error = refused("regex(., ${pattern})")
    assert (error.code, error.position) == ("regex_literal", 9)
    assert error.message == "The pattern of regex() must be written in quotes"


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("(a)\\1", "The pattern of regex() uses back-references, which is not supported"),
        ("a(?=b)", "The pattern of regex() uses look-ahead or look-behind, which is not supported"),
        ("(?i)abc", "regex() patterns cannot set flags such as (?i)"),
        ("a{2000}", "The pattern of regex() is too large"),
        ("(", None),
    ],
)
def test_unsafe_or_invalid_patterns_are_refused(pattern, message):
    error = refused(f"regex(., '{pattern}')")
    assert error.code == "regex_pattern"
    assert error.position == 9
    if message is not None:
        assert error.message == message
    else:
        assert error.message.startswith("The pattern of regex() is not valid")


PATTERNS = [
    r"^[0-9]{3}$",
    r"^\d{3,5}$",
    r"^[A-Z][a-z]*$",
    r"colou?r",
    r"^(cat|dog|bird)s?$",
    r"^[^@ ]+@[^@ ]+\.[a-z]+$",
    r"\bword\b",
    r"\Bor",
    r"^$",
    r"a.c",
    r"^\s*$",
    r"^\w+$",
    r"^[^\d]+$",
    r"x*?y",
    r"^(ab)+$",
    r"^(a|ab)(c|bcd)(d*)$",
    r"end$",
    r"\Aab\Z",
    r"^\+?[0-9 ()-]{7,20}$",
]
TEXTS = [
    "",
    "123",
    "1234",
    "12345",
    "Abc",
    "abc",
    "color",
    "colour",
    "dogs",
    "birds!",
    "me@example.org",
    "me@@example.org",
    "a word here",
    "swordfish",
    "   ",
    "abcd",
    "xy",
    "ababab",
    "abcd\n",
    "the end\n",
    "+1 (555) 010-0000",
    "é ñ ü",
    "a\nc",
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_safe_matcher_agrees_with_python(pattern):
    safe = compile_pattern(pattern)
    for text in TEXTS:
        assert safe.search(text) == (re.search(pattern, text) is not None), (pattern, text)


def test_catastrophic_patterns_run_in_linear_time():
    expression = parse("regex(., '^(a+)+$')")
    started = time.perf_counter()
    assert expression.is_true({}, current="a" * 3000 + "b") is False
    assert expression.is_true({}, current="a" * 3000) is True
    assert time.perf_counter() - started < 2.0
