"""XLSForm upload: an `.xlsx` workbook in, a validated `Form` definition out — or every problem.

`parse_xlsform(data)` reads the workbook twice over: with openpyxl, to know the sheet, row and
column of everything (so every error can be located), and through pyxform's `workbook_to_json`,
which turns the sheets into the XLSForm JSON structure the definition is built from. Hearth's own
checks run first and collect every error in the form; pyxform then checks the cleaned sheets
again. If anything is wrong, `XLSFormErrors` lists each problem with sheet, row, column and a
plain-language message, and nothing is returned.

Supported: the types text, integer, decimal, select_one L, select_multiple L, date, note,
calculate and begin/end group (nested); the survey columns type, name, label, hint, required
(yes/no or an expression), required_message, relevant, constraint, constraint_message,
calculation, choice_filter and appearance (kept for the page renderer, otherwise ignored);
translations as `label::Español (es)` (also hint, constraint_message, required_message and choice
labels); the choices sheet (list_name, name, label, plus any extra columns, which choice_filter
expressions may use by bare name); the settings form_title, form_id, version, default_language
and style (ignored: it only changes how other tools lay forms out).

Everything else XLSForm offers — repeats, range, rank, time, datetime, acknowledge, geopoint,
media, files, barcodes, metadata types, external selects, `or_other`, default values, read-only
questions, media columns, entities, unknown functions — is reported by name with its location,
never ignored. Unknown columns are reported too, so a misspelled `relevnt` cannot silently drop a
rule. Unknown sheets are ignored, as by every XLSForm tool (they often hold instructions).

Decisions:

- Every question name is unique in the whole form (XLSForm only requires it within a group),
  because `${name}` must mean one question.
- Every language must carry its code in brackets (`Español (es)`), so a person's language can be
  matched to the form's. Text in columns without a language belongs to `default_language`; with no
  `default_language` setting, to an unnamed default language shown to everyone whose language
  the form lacks (or, when every column names its language, the first language in the survey
  sheet is the default). Each labelled row needs a label in the default language; other
  languages fall back to it.
- `.` (the answer itself) may be used in constraints only; `calculation` only on calculate rows;
  choice_filter only on select rows. Expressions are parsed by `hearth.outcomes.expressions`.
- Calculations and relevance may not depend on themselves, directly or through others; the
  definition carries the order in which the engine evaluates them.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, BinaryIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hearth.outcomes.expressions import NAME_PATTERN, Expression, ExpressionError, parse

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 200
MAX_CELL_CHARACTERS = 10_000

SURVEY, CHOICES, SETTINGS = "survey", "choices", "settings"


class FieldType(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    SELECT_ONE = "select_one"
    SELECT_MULTIPLE = "select_multiple"
    DATE = "date"
    NOTE = "note"
    CALCULATE = "calculate"
    GROUP = "group"


# Types a person answers.
INPUT_TYPES = frozenset(
    {
        FieldType.TEXT,
        FieldType.INTEGER,
        FieldType.DECIMAL,
        FieldType.SELECT_ONE,
        FieldType.SELECT_MULTIPLE,
        FieldType.DATE,
    }
)
SELECT_TYPES = frozenset({FieldType.SELECT_ONE, FieldType.SELECT_MULTIPLE})
LABELLED_TYPES = INPUT_TYPES | {FieldType.NOTE}


# ----------------------------------------------------------------------------------------------
# The definition


@dataclass(frozen=True)
class Language:
    name: str  # as written in the workbook: "Español (es)"
    code: str  # "es"; "" for an unnamed default language


@dataclass(frozen=True)
class Choice:
    name: str
    label: Mapping[str, str]
    properties: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Field:
    """One row of the survey sheet (groups included). Texts map language codes to text."""

    name: str
    type: FieldType
    row: int
    label: Mapping[str, str] = field(default_factory=dict)
    hint: Mapping[str, str] = field(default_factory=dict)
    required: bool = False
    required_if: Expression | None = None
    required_message: Mapping[str, str] = field(default_factory=dict)
    relevant: Expression | None = None
    constraint: Expression | None = None
    constraint_message: Mapping[str, str] = field(default_factory=dict)
    calculation: Expression | None = None
    choice_filter: Expression | None = None
    list_name: str | None = None
    choices: tuple[Choice, ...] = ()
    appearance: str = ""
    group: str | None = None  # the enclosing group's name

    @property
    def is_input(self) -> bool:
        return self.type in INPUT_TYPES


# Evaluation steps: ("relevant", name) decides whether a field is shown; ("value", name) fixes
# the value the rest of the form sees (its answer or its calculation, or empty when hidden).
RELEVANT, VALUE = "relevant", "value"


@dataclass(frozen=True)
class Form:
    form_id: str
    title: str
    version: str
    default_language: str
    languages: tuple[Language, ...]
    fields: tuple[Field, ...]
    order: tuple[tuple[str, str], ...]

    def field(self, name: str) -> Field:
        return self._by_name[name]

    @property
    def _by_name(self) -> dict[str, Field]:
        cached = self.__dict__.get("_by_name_cache")
        if cached is None:
            cached = {item.name: item for item in self.fields}
            object.__setattr__(self, "_by_name_cache", cached)
        return cached

    def children(self, group: str | None) -> list[Field]:
        """The fields directly inside `group` (None: the top level), in order."""
        return [item for item in self.fields if item.group == group]

    def language_code(self, language: str | None) -> str:
        """The form's language that best matches a person's language (Django code)."""
        codes = [item.code for item in self.languages]
        if language:
            requested = language.lower()
            if requested in codes:
                return requested
            primary = requested.split("-")[0]
            if primary in codes:
                return primary
        return self.default_language

    def text(self, texts: Mapping[str, str], language: str | None) -> str:
        """A text in the person's language, else in the form's default language."""
        code = self.language_code(language)
        return texts.get(code) or texts.get(self.default_language) or ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy of the definition; `Form.from_dict` reverses it."""
        return {
            "form_id": self.form_id,
            "title": self.title,
            "version": self.version,
            "default_language": self.default_language,
            "languages": [[item.name, item.code] for item in self.languages],
            "fields": [_field_to_dict(item) for item in self.fields],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Form:
        fields = tuple(_field_from_dict(item) for item in data["fields"])
        order = evaluation_order(fields)
        assert isinstance(order, tuple), "a stored definition has no cycles"
        return cls(
            form_id=data["form_id"],
            title=data["title"],
            version=data["version"],
            default_language=data["default_language"],
            languages=tuple(Language(name, code) for name, code in data["languages"]),
            fields=fields,
            order=order,
        )


EXPRESSION_COLUMNS = ("required_if", "relevant", "constraint", "calculation", "choice_filter")


def _parse_for(column: str, source: str) -> Expression:
    return parse(
        source,
        allow_current=column == "constraint",
        allow_choice_columns=column == "choice_filter",
    )


def _field_to_dict(item: Field) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": item.name,
        "type": item.type.value,
        "row": item.row,
        "label": dict(item.label),
        "hint": dict(item.hint),
        "required": item.required,
        "required_message": dict(item.required_message),
        "constraint_message": dict(item.constraint_message),
        "list_name": item.list_name,
        "choices": [
            {"name": c.name, "label": dict(c.label), "properties": dict(c.properties)}
            for c in item.choices
        ],
        "appearance": item.appearance,
        "group": item.group,
    }
    for column in EXPRESSION_COLUMNS:
        expression = getattr(item, column)
        data[column] = expression.source if expression is not None else None
    return data


def _field_from_dict(data: Mapping[str, Any]) -> Field:
    expressions = {
        column: _parse_for(column, data[column]) if data.get(column) else None
        for column in EXPRESSION_COLUMNS
    }
    return Field(
        name=data["name"],
        type=FieldType(data["type"]),
        row=data["row"],
        label=data["label"],
        hint=data["hint"],
        required=data["required"],
        required_message=data["required_message"],
        constraint_message=data["constraint_message"],
        list_name=data["list_name"],
        choices=tuple(
            Choice(c["name"], c["label"], c.get("properties", {})) for c in data["choices"]
        ),
        appearance=data["appearance"],
        group=data["group"],
        **expressions,
    )


def evaluation_order(
    fields: Iterable[Field],
) -> tuple[tuple[str, str], ...] | list[str]:
    """The order of evaluation steps, or — when relevance and calculations depend on each other
    in a circle — the names of the fields in the circle."""
    return _order(
        [
            (
                item.name,
                item.group,
                item.relevant.references if item.relevant else frozenset(),
                item.calculation.references if item.calculation else frozenset(),
                item.type not in {FieldType.GROUP, FieldType.NOTE},
            )
            for item in fields
        ]
    )


def _order(
    nodes: Sequence[tuple[str, str | None, frozenset[str], frozenset[str], bool]],
) -> tuple[tuple[str, str], ...] | list[str]:
    has_value = {name for name, _group, _rel, _calc, valued in nodes if valued}
    dependencies: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for name, group, relevant_refs, calculation_refs, valued in nodes:
        before = [(RELEVANT, group)] if group else []
        before += [(VALUE, ref) for ref in sorted(relevant_refs) if ref in has_value]
        dependencies[(RELEVANT, name)] = before
        if valued:
            dependencies[(VALUE, name)] = [(RELEVANT, name)] + [
                (VALUE, ref) for ref in sorted(calculation_refs) if ref in has_value
            ]
    order: list[tuple[str, str]] = []
    state: dict[tuple[str, str], int] = {}  # 1: being visited, 2: done
    for start in dependencies:
        if state.get(start):
            continue
        stack: list[tuple[tuple[str, str], int]] = [(start, 0)]
        state[start] = 1
        while stack:
            node, index = stack[-1]
            following = dependencies.get(node, [])
            if index < len(following):
                stack[-1] = (node, index + 1)
                step = following[index]
                if state.get(step) == 1:
                    path = [entry[0] for entry in stack]
                    circle = path[path.index(step) :]
                    return list(dict.fromkeys(name for _kind, name in circle))
                if not state.get(step) and step in dependencies:
                    state[step] = 1
                    stack.append((step, 0))
            else:
                state[node] = 2
                order.append(node)
                stack.pop()
    return tuple(order)


# ----------------------------------------------------------------------------------------------
# Errors


@dataclass(frozen=True)
class XLSFormError:
    """One problem in an uploaded form. `row` is the spreadsheet row number (the header is row
    1); `column` the column letter; `header` the column's heading."""

    sheet: str | None
    row: int | None
    column: str | None
    header: str | None
    code: str
    message: str

    @property
    def location(self) -> str:
        parts = []
        if self.sheet:
            parts.append(_("sheet “%(sheet)s”") % {"sheet": self.sheet})
        if self.row:
            parts.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            if self.header:
                parts.append(
                    _("column %(column)s (%(header)s)")
                    % {"column": self.column, "header": self.header}
                )
            else:
                parts.append(_("column %(column)s") % {"column": self.column})
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class XLSFormErrors(Exception):
    def __init__(self, errors: Sequence[XLSFormError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


# ----------------------------------------------------------------------------------------------
# Reading the workbook


@dataclass(frozen=True)
class _Header:
    index: int
    letter: str
    text: str  # as written, whitespace tidied
    base: str  # canonical column name: "label", "constraint_message"
    language: str | None  # "Español (es)" for "label::Español (es)"

    @property
    def canonical(self) -> str:
        return f"{self.base}::{self.language}" if self.language else self.base


@dataclass
class _Row:
    number: int
    cells: dict[str, str]  # canonical header -> non-empty text


@dataclass
class _Sheet:
    title: str
    headers: list[_Header]
    rows: list[_Row]

    def header(self, canonical: str) -> _Header | None:
        for header in self.headers:
            if header.canonical == canonical:
                return header
        return None


def _cell_text(value: Any) -> str:
    """A cell as text, as pyxform reads it: whole floats without ".0", booleans upper-case."""
    if value is None:
        return ""
    if value is True:
        return "TRUE"
    if value is False:
        return "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\xa0", " ").strip()


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


SURVEY_ALIASES = {
    "relevance": "relevant",
    "caption": "label",
    "calculate": "calculation",
    "constraining_message": "constraint_message",
    "requiredmsg": "required_message",
}
CHOICES_ALIASES = {"caption": "label", "value": "name"}
SETTINGS_ALIASES = {"id_string": "form_id"}


def _split_header(text: str, aliases: Mapping[str, str]) -> tuple[str, str | None]:
    base, separator, language = text.partition("::")
    base = re.sub(r"\s+", "_", base.strip().lower())
    base = aliases.get(base, base)
    return base, (language.strip() or None) if separator else None


# ----------------------------------------------------------------------------------------------
# What Hearth supports, and what it names as unsupported


SURVEY_COLUMNS = {
    "type",
    "name",
    "label",
    "hint",
    "required",
    "required_message",
    "relevant",
    "constraint",
    "constraint_message",
    "calculation",
    "choice_filter",
    "appearance",
}
TRANSLATABLE_SURVEY_COLUMNS = {"label", "hint", "constraint_message", "required_message"}
UNSUPPORTED_SURVEY_COLUMNS = {
    "default": gettext_lazy("default values"),
    "read_only": gettext_lazy("read-only questions"),
    "readonly": gettext_lazy("read-only questions"),
    "repeat_count": gettext_lazy("repeats"),
    "count": gettext_lazy("repeats"),
    "jr:count": gettext_lazy("repeats"),
    "image": gettext_lazy("media"),
    "big-image": gettext_lazy("media"),
    "audio": gettext_lazy("media"),
    "video": gettext_lazy("media"),
    "media": gettext_lazy("media"),
    "guidance_hint": gettext_lazy("guidance hints"),
    "parameters": gettext_lazy("question parameters"),
    "trigger": gettext_lazy("triggers"),
    "body": gettext_lazy("body attributes"),
    "bind": gettext_lazy("bind attributes"),
    "instance": gettext_lazy("instance attributes"),
    "save_to": gettext_lazy("entities"),
    "autoplay": gettext_lazy("media"),
    "rows": gettext_lazy("text rows"),
    "noapperrorstring": gettext_lazy("app error strings"),
    "no_app_error_string": gettext_lazy("app error strings"),
}
CHOICES_COLUMNS = {"list_name", "name", "label"}
UNSUPPORTED_CHOICES_COLUMNS = {"image", "big-image", "audio", "video", "media"}
SETTINGS_COLUMNS = {"form_title", "form_id", "version", "default_language", "style"}
UNSUPPORTED_SHEETS = {
    "external_choices": gettext_lazy("external selects"),
    "entities": gettext_lazy("entities"),
    "osm": gettext_lazy("OpenStreetMap questions"),
}

TYPES = {
    "text": FieldType.TEXT,
    "integer": FieldType.INTEGER,
    "decimal": FieldType.DECIMAL,
    "date": FieldType.DATE,
    "note": FieldType.NOTE,
    "calculate": FieldType.CALCULATE,
}
BEGIN_GROUP = {"begin group", "begin_group"}
END_GROUP = {"end group", "end_group"}
BEGIN_UNSUPPORTED_BLOCK = {"begin repeat", "begin_repeat", "begin loop", "begin_loop"}
END_UNSUPPORTED_BLOCK = {"end repeat", "end_repeat", "end loop", "end_loop"}
SELECT_WORDS = {
    "select_one": FieldType.SELECT_ONE,
    "select one": FieldType.SELECT_ONE,
    "select_multiple": FieldType.SELECT_MULTIPLE,
    "select multiple": FieldType.SELECT_MULTIPLE,
    "select all that apply": FieldType.SELECT_MULTIPLE,
}
UNSUPPORTED_TYPES = {
    "begin repeat",
    "begin_repeat",
    "end repeat",
    "end_repeat",
    "begin loop",
    "begin_loop",
    "end loop",
    "end_loop",
    "range",
    "rank",
    "time",
    "datetime",
    "acknowledge",
    "trigger",
    "geopoint",
    "geotrace",
    "geoshape",
    "start-geopoint",
    "image",
    "photo",
    "audio",
    "video",
    "file",
    "background-audio",
    "background-geopoint",
    "barcode",
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
    "hidden",
    "xml-external",
    "csv-external",
    "osm",
    "select_one_external",
    "select_one_from_file",
    "select_multiple_from_file",
    "select one from file",
    "select multiple from file",
}
YES = {"yes", "true", "true()", "1"}
NO = {"no", "false", "false()", "0"}
LANGUAGE_NAME = re.compile(r"(?P<name>.*\S)\s*\((?P<code>[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\)")
TEXT_REFERENCE = re.compile(r"\$\{([^}]*)\}")


@dataclass
class _Item:
    """A survey row as Hearth understands it, before pyxform's pass."""

    row: int
    name: str
    type: FieldType
    group: str | None
    list_name: str | None = None
    expressions: dict[str, Expression] = field(default_factory=dict)
    text_references: list[tuple[_Header, str]] = field(default_factory=list)


class _Reader:
    def __init__(self) -> None:
        self.errors: list[XLSFormError] = []
        self.sheets: dict[str, _Sheet] = {}
        self.sheet_names: list[str] = []
        self.languages: dict[str, Language] = {}  # by name
        self.default: Language = Language("default", "")
        self.items: list[_Item] = []
        self.choice_lists: dict[str, list[_Row]] = {}
        self.choice_columns: set[str] = set()
        self.settings: dict[str, str] = {}
        self.refused_names: set[str] = set()  # rows refused for another reason

    def error(
        self,
        code: str,
        message: str,
        sheet: str | None = None,
        row: int | None = None,
        header: _Header | None = None,
    ) -> None:
        title = self.sheets[sheet].title if sheet in self.sheets else sheet
        self.errors.append(
            XLSFormError(
                sheet=title,
                row=row,
                column=header.letter if header else None,
                header=header.text if header else None,
                code=code,
                message=message,
            )
        )

    # -- the workbook

    def read_workbook(self, data: bytes) -> bool:
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        if len(data) > MAX_FILE_BYTES:
            self.error(
                "file_too_large",
                _("The file is larger than %(limit)s MB")
                % {"limit": MAX_FILE_BYTES // 1024 // 1024},
            )
            return False
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                unpacked = sum(member.file_size for member in archive.infolist())
            if unpacked > MAX_UNPACKED_BYTES:
                # A small file that unpacks to gigabytes is an attack, not a form.
                self.error(
                    "file_too_large",
                    _("The file is larger than %(limit)s MB")
                    % {"limit": MAX_UNPACKED_BYTES // 1024 // 1024},
                )
                return False
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError):
            self.error("not_xlsx", _("This is not an .xlsx spreadsheet that can be read"))
            return False
        try:
            self.sheet_names = list(workbook.sheetnames)
            lone = len(workbook.sheetnames) == 1
            for title in workbook.sheetnames:
                key = title.strip().lower()
                if lone and key != SURVEY:
                    key = SURVEY  # as pyxform does: a lone sheet is the survey
                if key in UNSUPPORTED_SHEETS:
                    self.errors.append(
                        XLSFormError(
                            title,
                            None,
                            None,
                            None,
                            "unsupported_sheet",
                            _("The “%(sheet)s” sheet (%(feature)s) is not supported")
                            % {"sheet": title, "feature": UNSUPPORTED_SHEETS[key]},
                        )
                    )
                    continue
                if key in {SURVEY, CHOICES, SETTINGS} and key not in self.sheets:
                    self.sheets[key] = self.read_sheet(key, title, workbook[title])
        finally:
            workbook.close()
        if SURVEY not in self.sheets:
            self.error("no_survey", _("The workbook has no “survey” sheet"))
            return False
        return True

    def read_sheet(self, key: str, title: str, worksheet: Any) -> _Sheet:
        aliases = {SURVEY: SURVEY_ALIASES, CHOICES: CHOICES_ALIASES, SETTINGS: SETTINGS_ALIASES}[
            key
        ]
        sheet = _Sheet(title, [], [])
        rows = worksheet.iter_rows(values_only=True)
        first = next(rows, None) or ()
        seen: dict[str, _Header] = {}
        for index, value in enumerate(first[:MAX_COLUMNS]):
            text = re.sub(r"\s+", " ", _cell_text(value))
            if not text:
                continue
            base, language = _split_header(text, aliases)
            header = _Header(index, _letter(index), text, base, language)
            if header.canonical in seen:
                self.errors.append(
                    XLSFormError(
                        title,
                        1,
                        header.letter,
                        text,
                        "duplicate_column",
                        _("This column repeats column %(column)s")
                        % {"column": seen[header.canonical].letter},
                    )
                )
                continue
            seen[header.canonical] = header
            sheet.headers.append(header)
        for number, values in enumerate(rows, start=2):
            if number > MAX_ROWS + 1:
                if number > 2 * MAX_ROWS or any(_cell_text(value) for value in values):
                    self.errors.append(
                        XLSFormError(
                            title,
                            number,
                            None,
                            None,
                            "too_many_rows",
                            _("A sheet may have at most %(limit)s rows") % {"limit": MAX_ROWS},
                        )
                    )
                    break
                continue
            cells: dict[str, str] = {}
            for header in sheet.headers:
                if header.index < len(values):
                    text = _cell_text(values[header.index])
                    if len(text) > MAX_CELL_CHARACTERS:
                        self.errors.append(
                            XLSFormError(
                                title,
                                number,
                                header.letter,
                                header.text,
                                "cell_too_long",
                                _("A cell may hold at most %(limit)s characters")
                                % {"limit": MAX_CELL_CHARACTERS},
                            )
                        )
                        text = text[:MAX_CELL_CHARACTERS]
                    if text:
                        cells[header.canonical] = text
            if cells:
                sheet.rows.append(_Row(number, cells))
        return sheet

    # -- languages and settings

    def read_settings(self) -> None:
        sheet = self.sheets.get(SETTINGS)
        if sheet is None:
            return
        for header in sheet.headers:
            if header.language or header.base not in SETTINGS_COLUMNS:
                self.error(
                    "unsupported_setting",
                    _("The setting “%(setting)s” is not supported") % {"setting": header.text},
                    SETTINGS,
                    1,
                    header,
                )
        if sheet.rows:
            self.settings = {
                key: value for key, value in sheet.rows[0].cells.items() if key in SETTINGS_COLUMNS
            }
            row = sheet.rows[0].number
            form_id = self.settings.get("form_id")
            if form_id and not NAME_PATTERN.fullmatch(form_id):
                self.error(
                    "invalid_form_id",
                    _(
                        "A form_id must start with a letter or underscore and contain only "
                        "letters, digits, underscores, hyphens and full stops"
                    ),
                    SETTINGS,
                    row,
                    sheet.header("form_id"),
                )

    def read_languages(self) -> None:
        for key in (SURVEY, CHOICES):
            sheet = self.sheets.get(key)
            if sheet is None:
                continue
            translatable = TRANSLATABLE_SURVEY_COLUMNS if key == SURVEY else {"label"}
            for header in sheet.headers:
                if header.language is None or header.base not in translatable:
                    continue
                language = self.language(header.language, key, 1, header)
                if language is not None:
                    self.languages.setdefault(language.name, language)
        setting = self.settings.get("default_language")
        # An unnamed default language only when labels are written without a language.
        unsuffixed = any(
            header.language is None and header.base == "label"
            for header in self.sheets[SURVEY].headers
        ) or any(
            header.language is None and header.base == "label"
            for header in (self.sheets[CHOICES].headers if CHOICES in self.sheets else [])
        )
        if setting:
            settings_sheet = self.sheets[SETTINGS]
            language = self.language(
                setting,
                SETTINGS,
                settings_sheet.rows[0].number,
                settings_sheet.header("default_language"),
            )
            if language is not None:
                self.default = self.languages.setdefault(language.name, language)
        elif not unsuffixed and self.languages:
            self.default = next(iter(self.languages.values()))
        codes: dict[str, str] = {}
        for language in self.languages.values():
            if language.code in codes and codes[language.code] != language.name:
                self.error(
                    "language_code_twice",
                    _("The languages “%(first)s” and “%(second)s” have the same code")
                    % {"first": codes[language.code], "second": language.name},
                    SURVEY,
                    1,
                )
            codes[language.code] = language.name

    def language(
        self, name: str, sheet: str, row: int | None, header: _Header | None
    ) -> Language | None:
        match = LANGUAGE_NAME.fullmatch(name.strip())
        if match is None:
            self.error(
                "language_code",
                _("The language “%(language)s” has no language code: write it like “Español (es)”")
                % {"language": name},
                sheet,
                row,
                header,
            )
            return None
        return Language(name.strip(), match["code"].lower())

    def texts(self, row: _Row, base: str) -> dict[str, str]:
        """A translatable column's texts on a row, keyed by language code."""
        texts: dict[str, str] = {}
        plain = row.cells.get(base)
        if plain:
            texts[self.default.code] = plain
        for language in self.languages.values():
            value = row.cells.get(f"{base}::{language.name}")
            if value:
                texts[language.code] = value
        return texts

    def default_header(self, sheet: _Sheet, base: str) -> _Header | None:
        return sheet.header(f"{base}::{self.default.name}") or sheet.header(base)

    # -- choices

    def read_choices(self) -> None:
        sheet = self.sheets.get(CHOICES)
        if sheet is None:
            return
        for header in sheet.headers:
            if header.base in UNSUPPORTED_CHOICES_COLUMNS:
                self.error(
                    "unsupported_column",
                    _("The column “%(column)s” (%(feature)s) is not supported")
                    % {"column": header.text, "feature": UNSUPPORTED_SURVEY_COLUMNS["media"]},
                    CHOICES,
                    1,
                    header,
                )
            elif header.language and header.base != "label":
                self.error(
                    "unknown_column",
                    _("The column “%(column)s” is not an XLSForm column Hearth knows")
                    % {"column": header.text},
                    CHOICES,
                    1,
                    header,
                )
            elif header.base not in CHOICES_COLUMNS:
                self.choice_columns.add(header.base)
        list_header, name_header = sheet.header("list_name"), sheet.header("name")
        for required, header in (("list_name", list_header), ("name", name_header)):
            if header is None and sheet.rows:
                self.error(
                    "missing_column",
                    _("The choices sheet needs a “%(column)s” column") % {"column": required},
                    CHOICES,
                    1,
                )
        if list_header is None or name_header is None:
            return
        label_header = self.default_header(sheet, "label")
        seen: dict[tuple[str, str], int] = {}
        for row in sheet.rows:
            list_name = row.cells.get("list_name")
            name = row.cells.get("name")
            if not list_name:
                self.error(
                    "missing_list_name",
                    _("This choice has no list_name"),
                    CHOICES,
                    row.number,
                    list_header,
                )
                continue
            if not name:
                self.error(
                    "missing_choice_name",
                    _("This choice has no name"),
                    CHOICES,
                    row.number,
                    name_header,
                )
                continue
            if (list_name, name) in seen:
                self.error(
                    "duplicate_choice",
                    _("The list “%(list)s” already has a choice “%(name)s” on row %(row)s")
                    % {"list": list_name, "name": name, "row": seen[(list_name, name)]},
                    CHOICES,
                    row.number,
                    name_header,
                )
                continue
            seen[(list_name, name)] = row.number
            if self.default.code not in self.texts(row, "label"):
                self.missing_label(CHOICES, row.number, label_header)
            self.choice_lists.setdefault(list_name, []).append(row)

    def missing_label(self, sheet: str, row: int, header: _Header | None) -> None:
        if self.default.code:
            message = _("There is no label in the default language (%(language)s)") % {
                "language": self.default.name
            }
        else:
            message = _("There is no label")
        self.error("missing_label", message, sheet, row, header)

    # -- the survey

    def read_survey(self) -> None:
        sheet = self.sheets[SURVEY]
        for header in sheet.headers:
            if header.base in UNSUPPORTED_SURVEY_COLUMNS:
                self.error(
                    "unsupported_column",
                    _("The column “%(column)s” (%(feature)s) is not supported")
                    % {"column": header.text, "feature": UNSUPPORTED_SURVEY_COLUMNS[header.base]},
                    SURVEY,
                    1,
                    header,
                )
            elif header.base not in SURVEY_COLUMNS or (
                header.language and header.base not in TRANSLATABLE_SURVEY_COLUMNS
            ):
                self.error(
                    "unknown_column",
                    _("The column “%(column)s” is not an XLSForm column Hearth knows")
                    % {"column": header.text},
                    SURVEY,
                    1,
                    header,
                )
        type_header, name_header = sheet.header("type"), sheet.header("name")
        if type_header is None or name_header is None:
            for column, header in (("type", type_header), ("name", name_header)):
                if header is None:
                    self.error(
                        "missing_column",
                        _("The survey sheet needs a “%(column)s” column") % {"column": column},
                        SURVEY,
                        1,
                    )
            return
        label_header = self.default_header(sheet, "label")
        groups: list[tuple[str, int, bool]] = []  # name, row, supported
        names: dict[str, int] = {}
        for row in sheet.rows:
            raw_type = row.cells.get("type", "")
            kind = " ".join(raw_type.lower().split())
            if not kind:
                self.error(
                    "missing_type", _("This row has no type"), SURVEY, row.number, type_header
                )
                continue
            if kind in END_GROUP or kind in END_UNSUPPORTED_BLOCK:
                # A repeat is reported once, at its begin row.
                if not groups:
                    self.error(
                        "unmatched_end_group",
                        _("This “%(type)s” row has no matching begin row") % {"type": raw_type},
                        SURVEY,
                        row.number,
                        type_header,
                    )
                else:
                    groups.pop()
                continue
            field_type, list_name = self.field_type(raw_type, kind, row, type_header)
            name = row.cells.get("name", "")
            if not name:
                self.error(
                    "missing_name", _("This row has no name"), SURVEY, row.number, name_header
                )
            elif not NAME_PATTERN.fullmatch(name):
                self.error(
                    "invalid_name",
                    _(
                        "The name “%(name)s” must start with a letter or underscore and contain "
                        "only letters, digits, underscores, hyphens and full stops"
                    )
                    % {"name": name},
                    SURVEY,
                    row.number,
                    name_header,
                )
            elif name in names:
                self.error(
                    "duplicate_name",
                    _("The name “%(name)s” is already used on row %(row)s")
                    % {"name": name, "row": names[name]},
                    SURVEY,
                    row.number,
                    name_header,
                )
            else:
                names[name] = row.number
            enclosing = next((group for group, _row, ok in reversed(groups) if ok), None)
            if kind in BEGIN_GROUP or kind in BEGIN_UNSUPPORTED_BLOCK:
                groups.append((name, row.number, kind in BEGIN_GROUP))
            if field_type is not None:
                # Rows with a bad name are still checked, so all their problems show at once.
                item = _Item(row.number, name, field_type, enclosing, list_name)
                self.check_row(item, row, sheet, label_header)
            if field_type is None or not name or names.get(name) != row.number:
                self.refused_names.add(name)
                continue
            self.items.append(item)
        for name, number, _supported in groups:
            self.error(
                "unclosed_group",
                _("The group “%(name)s” has no “end group” row") % {"name": name},
                SURVEY,
                number,
                type_header,
            )

    def unsupported_type(self, raw_type: str, row: _Row, header: _Header | None) -> None:
        self.error(
            "unsupported_type",
            _("The type “%(type)s” is not supported") % {"type": raw_type},
            SURVEY,
            row.number,
            header,
        )

    def field_type(
        self, raw_type: str, kind: str, row: _Row, header: _Header | None
    ) -> tuple[FieldType | None, str | None]:
        if kind in BEGIN_GROUP:
            return FieldType.GROUP, None
        if kind in TYPES:
            return TYPES[kind], None
        for words, field_type in SELECT_WORDS.items():
            if kind.startswith(words + " "):
                rest = kind[len(words) :].split()
                list_name = raw_type.split()[len(words.split())]
                if rest[1:] == ["or_other"]:
                    self.error(
                        "unsupported_type",
                        _("“or_other” is not supported: add an “other” choice and a text question"),
                        SURVEY,
                        row.number,
                        header,
                    )
                    return None, None
                if len(rest) != 1:
                    break
                if list_name not in self.choice_lists:
                    self.error(
                        "unknown_choice_list",
                        _("The choice list “%(list)s” is not on the choices sheet")
                        % {"list": list_name},
                        SURVEY,
                        row.number,
                        header,
                    )
                    return None, None
                return field_type, list_name
        first = kind.split()[0]
        if kind in UNSUPPORTED_TYPES or first in UNSUPPORTED_TYPES or first == "rank":
            self.unsupported_type(raw_type, row, header)
            return None, None
        if kind in SELECT_WORDS:
            self.error(
                "missing_choice_list",
                _("“%(type)s” needs the name of a choice list after it") % {"type": raw_type},
                SURVEY,
                row.number,
                header,
            )
            return None, None
        self.error(
            "unknown_type",
            _("“%(type)s” is not a question type Hearth knows") % {"type": raw_type},
            SURVEY,
            row.number,
            header,
        )
        return None, None

    def check_row(
        self, item: _Item, row: _Row, sheet: _Sheet, label_header: _Header | None
    ) -> None:
        def misplaced(column: str) -> None:
            self.error(
                "column_not_allowed",
                _("“%(column)s” cannot be used on a “%(type)s” row")
                % {"column": column, "type": row.cells["type"]},
                SURVEY,
                row.number,
                sheet.header(column),
            )

        if item.type in LABELLED_TYPES and self.default.code not in self.texts(row, "label"):
            self.missing_label(SURVEY, row.number, label_header)
        required = row.cells.get("required", "no")
        if required.lower() not in NO:
            if item.type not in INPUT_TYPES:
                misplaced("required")
            elif required.lower() not in YES:
                self.expression(item, row, sheet, "required", "required_if")
        if "constraint" in row.cells:
            if item.type not in INPUT_TYPES:
                misplaced("constraint")
            else:
                self.expression(item, row, sheet, "constraint", "constraint")
        if "calculation" in row.cells:
            if item.type != FieldType.CALCULATE:
                self.error(
                    "unsupported_calculation",
                    _(
                        "A calculation on a “%(type)s” row is not supported: use a separate "
                        "calculate row"
                    )
                    % {"type": row.cells["type"]},
                    SURVEY,
                    row.number,
                    sheet.header("calculation"),
                )
            else:
                self.expression(item, row, sheet, "calculation", "calculation")
        elif item.type == FieldType.CALCULATE:
            self.error(
                "missing_calculation",
                _("A calculate row needs a calculation"),
                SURVEY,
                row.number,
                sheet.header("calculation"),
            )
        if "relevant" in row.cells:
            self.expression(item, row, sheet, "relevant", "relevant")
        if "choice_filter" in row.cells:
            if item.type not in SELECT_TYPES:
                misplaced("choice_filter")
            else:
                self.expression(item, row, sheet, "choice_filter", "choice_filter")
        for header in sheet.headers:
            if header.base in TRANSLATABLE_SURVEY_COLUMNS and header.canonical in row.cells:
                for name in TEXT_REFERENCE.findall(row.cells[header.canonical]):
                    item.text_references.append((header, name))

    def expression(self, item: _Item, row: _Row, sheet: _Sheet, column: str, kind: str) -> None:
        source = row.cells[column]
        try:
            item.expressions[kind] = _parse_for(kind, source)
        except ExpressionError as error:
            self.error(
                "expression",
                _("“%(expression)s”: %(problem)s") % {"expression": source, "problem": error},
                SURVEY,
                row.number,
                sheet.header(column),
            )

    # -- references and circles

    def check_references(self) -> None:
        sheet = self.sheets[SURVEY]
        by_name = {item.name: item for item in self.items}

        def check(item: _Item, name: str, header: _Header | None) -> None:
            target = by_name.get(name)
            if target is None and name not in self.refused_names:
                self.error(
                    "unknown_reference",
                    _("“${%(name)s}” does not match the name of any question") % {"name": name},
                    SURVEY,
                    item.row,
                    header,
                )
            elif target is not None and target.type in {FieldType.GROUP, FieldType.NOTE}:
                self.error(
                    "reference_without_value",
                    _("“${%(name)s}” is a %(type)s, which has no answer")
                    % {"name": name, "type": target.type.value},
                    SURVEY,
                    item.row,
                    header,
                )

        for item in self.items:
            for kind, expression in item.expressions.items():
                header = sheet.header("required" if kind == "required_if" else kind)
                for name in sorted(expression.references):
                    check(item, name, header)
                if kind == "choice_filter":
                    for column_name in sorted(expression.choice_columns):
                        if column_name != "name" and column_name not in self.choice_columns:
                            self.error(
                                "unknown_choice_column",
                                _(
                                    "“%(column)s” is not a column of the choices sheet; to use "
                                    "the answer to a question, write ${%(column)s}"
                                )
                                % {"column": column_name},
                                SURVEY,
                                item.row,
                                header,
                            )
            for header, name in item.text_references:
                check(item, name, header)
        for item in self.items:
            if item.list_name and item.type == FieldType.SELECT_MULTIPLE:
                for choice in self.choice_lists.get(item.list_name, []):
                    if " " in choice.cells["name"]:
                        self.error(
                            "choice_name_space",
                            _(
                                "The choice name “%(name)s” contains a space, which a "
                                "select_multiple question cannot store"
                            )
                            % {"name": choice.cells["name"]},
                            CHOICES,
                            choice.number,
                            self.sheets[CHOICES].header("name"),
                        )

    def check_circles(self) -> None:
        nodes = [
            (
                item.name,
                item.group,
                _references(item.expressions.get("relevant")),
                _references(item.expressions.get("calculation")),
                item.type not in {FieldType.GROUP, FieldType.NOTE},
            )
            for item in self.items
        ]
        result = _order(nodes)
        if isinstance(result, list):
            first = next(item for item in self.items if item.name in result)
            self.error(
                "circular",
                _("These questions depend on each other in a circle: %(names)s")
                % {"names": ", ".join(result)},
                SURVEY,
                first.row,
                self.sheets[SURVEY].header(
                    "calculation" if "calculation" in first.expressions else "relevant"
                ),
            )

    # -- pyxform's pass

    def pyxform_json(self) -> dict[str, Any]:
        from pyxform.errors import PyXFormError
        from pyxform.xls2json import workbook_to_json
        from pyxform.xls2json_backends import DefinitionData

        sheets: dict[str, Any] = {}
        for key, sheet in self.sheets.items():
            rows: list[dict[str, str]] = []
            for row in sheet.rows:
                while len(rows) < row.number - 2:
                    rows.append({})  # keeps pyxform's row numbers those of the workbook
                cells = dict(row.cells)
                if key == SURVEY and "type" in cells:
                    cells["type"] = " ".join(cells["type"].split())
                    cells["type"] = _canonical_type(cells["type"])
                rows.append(cells)
            sheets[key] = rows
            sheets[f"{key}_header"] = [{header.canonical: None for header in sheet.headers}]
        sheets["sheet_names"] = list(self.sheets)
        sheets["fallback_form_name"] = self.settings.get("form_id") or "data"
        warnings: list[str] = []
        try:
            return workbook_to_json(workbook_dict=DefinitionData(**sheets), warnings=warnings)
        except PyXFormError as error:
            message = str(error)
        except Exception as error:  # pyxform may fail in ways it does not classify
            message = _("The form could not be read: %(error)s") % {"error": error}
        # pyxform stops at its first error and writes where it is in the message.
        row_match = re.search(r"\[row\s*:\s*(\d+)\]", message)
        sheet_match = re.search(r"On the '(\w+)' sheet", message)
        column_match = re.search(r"the '([\w:]+)' value", message)
        sheet = sheet_match[1] if sheet_match and sheet_match[1] in self.sheets else SURVEY
        self.error(
            "pyxform",
            re.sub(r"^\[row\s*:\s*\d+\]\s*", "", message),
            sheet,
            int(row_match[1]) if row_match else None,
            self.sheets[sheet].header(column_match[1]) if column_match else None,
        )
        raise XLSFormErrors(self.errors)


def _sorted(reader: _Reader) -> list[XLSFormError]:
    """Errors in the order of the workbook: by sheet, row, then column."""
    ranks = {title: rank for rank, title in enumerate(reader.sheet_names)}

    def key(error: XLSFormError) -> tuple[int, int, int, str]:
        column = error.column or ""
        return (ranks.get(error.sheet or "", -1), error.row or 0, len(column), column)

    return sorted(reader.errors, key=key)


def _references(expression: Expression | None) -> frozenset[str]:
    return expression.references if expression is not None else frozenset()


def _canonical_type(kind: str) -> str:
    """The type as pyxform spells it; choice list names keep their case."""
    lowered = kind.lower()
    for words, field_type in SELECT_WORDS.items():
        if lowered.startswith(words + " "):
            return f"{field_type.value} {kind[len(words) :].strip()}"
    if lowered in BEGIN_GROUP:
        return "begin_group"
    if lowered in END_GROUP:
        return "end_group"
    return lowered


PYXFORM_TYPES = {
    "text": FieldType.TEXT,
    "integer": FieldType.INTEGER,
    "decimal": FieldType.DECIMAL,
    "select one": FieldType.SELECT_ONE,
    "select all that apply": FieldType.SELECT_MULTIPLE,
    "date": FieldType.DATE,
    "note": FieldType.NOTE,
    "calculate": FieldType.CALCULATE,
    "group": FieldType.GROUP,
}


# ----------------------------------------------------------------------------------------------
# Building the definition from pyxform's JSON


def _build(reader: _Reader, document: Mapping[str, Any]) -> Form:
    items = {item.name: item for item in reader.items}
    codes = {language.name: language.code for language in reader.languages.values()}
    codes.setdefault("default", reader.default.code)

    def texts(value: Any) -> dict[str, str]:
        if not value:
            return {}
        if isinstance(value, str):
            return {reader.default.code: value}
        return {codes.get(name, name): text for name, text in value.items() if text}

    def expression(item: _Item, kind: str, source: Any) -> Expression | None:
        if not source:
            return None
        parsed = item.expressions.get(kind)
        if isinstance(parsed, Expression) and parsed.source == source:
            return parsed
        return _parse_for(kind, source)

    fields: list[Field] = []

    def walk(children: Iterable[Mapping[str, Any]], group: str | None) -> None:
        for element in children:
            item = items.get(element.get("name", ""))
            if item is None:
                continue  # what pyxform adds itself, such as the meta group's instanceID
            field_type = PYXFORM_TYPES[element["type"]]
            bind = element.get("bind", {})
            required_text = str(bind.get("required", "")).strip()
            choices: tuple[Choice, ...] = ()
            if field_type in SELECT_TYPES:
                raw_choices = element.get("choices") or document.get("choices", {}).get(
                    item.list_name, []
                )
                choices = tuple(
                    Choice(
                        name=str(choice["name"]),
                        label=texts(choice.get("label")),
                        properties={
                            key: str(value)
                            for key, value in choice.items()
                            if key not in {"name", "label", "media"}
                        },
                    )
                    for choice in raw_choices
                )
            fields.append(
                Field(
                    name=item.name,
                    type=field_type,
                    row=item.row,
                    label=texts(element.get("label")),
                    hint=texts(element.get("hint")),
                    required=required_text.lower() in YES,
                    required_if=expression(item, "required_if", required_text)
                    if required_text and required_text.lower() not in YES | NO
                    else None,
                    required_message=texts(bind.get("jr:requiredMsg")),
                    relevant=expression(item, "relevant", bind.get("relevant")),
                    constraint=expression(item, "constraint", bind.get("constraint")),
                    constraint_message=texts(bind.get("jr:constraintMsg")),
                    calculation=expression(item, "calculation", bind.get("calculate")),
                    choice_filter=expression(item, "choice_filter", element.get("choice_filter")),
                    list_name=item.list_name,
                    choices=choices,
                    appearance=str(element.get("control", {}).get("appearance", "")),
                    group=group,
                )
            )
            if field_type == FieldType.GROUP:
                walk(element.get("children", []), item.name)

    walk(document.get("children", []), None)
    order = evaluation_order(fields)
    assert isinstance(order, tuple), "circles were refused before pyxform's pass"
    languages = [reader.default] + [
        language for language in reader.languages.values() if language != reader.default
    ]
    form_id = reader.settings.get("form_id", "")
    return Form(
        form_id=form_id,
        title=reader.settings.get("form_title", "") or form_id,
        version=reader.settings.get("version", ""),
        default_language=reader.default.code,
        languages=tuple(languages),
        fields=tuple(fields),
        order=order,
    )


def parse_xlsform(source: bytes | BinaryIO) -> Form:
    """Read an uploaded XLSForm and return its definition, or raise `XLSFormErrors` listing
    every problem found (sheet, row, column, message)."""
    data = source if isinstance(source, bytes) else source.read(MAX_FILE_BYTES + 1)
    reader = _Reader()
    if not reader.read_workbook(data):
        raise XLSFormErrors(reader.errors)
    reader.read_settings()
    reader.read_languages()
    reader.read_choices()
    reader.read_survey()
    reader.check_references()
    reader.check_circles()
    if reader.errors:
        raise XLSFormErrors(_sorted(reader))
    document = reader.pyxform_json()
    return _build(reader, document)
