"""The instrument library: validated questionnaires, their items and response options in English
and Spanish, and their scoring, bands and meaningful-change thresholds exactly as REFERENCES §4.

Pure Python, no models: `get(code)`, `all_instruments()`, `Instrument.score(answers)`,
`Instrument.change(before, after)` and `needs_safety_pathway(instrument, answers)`.

Rules every instrument keeps:

- Answers are `{item_id: int}`. `None` means "not answered" (every question may be skipped).
  An answer of the wrong type, outside the response options, or for a question the instrument
  does not have is refused with `InvalidAnswers` (an error per item, each with a stable code and
  a translatable message); checked before anything else.
- A missing answer is never treated as 0: scoring is refused with `MissingAnswers`, naming
  exactly the missing items, in the instrument's order. Hearth prorates no instrument. The only
  answers Hearth fills in are ones the instrument's own rules define: PC-PTSD-5 asks its five
  questions only after a "yes" to exposure (no exposure scores 0), and the K10 skip rule (item 3
  is not asked when item 2 is "none of the time", item 6 likewise after item 5; the skipped
  item scores 1). Each instrument's `missing_answers` says what it needs.
- Means and percentages are exact `Fraction`s, so band edges such as the Brief Resilience Scale's
  2.99/3.00 and 4.30/4.31 never suffer float rounding; `Score.display_value` rounds for people.
- Bands carry a plain-language, strengths-based label and meaning in English and Spanish; their
  codes keep the published names so reports stay comparable. No band is a diagnosis.
- PHQ-9 item 9 above 0 raises the `safety-follow-up` flag, and `needs_safety_pathway` answers
  from item 9 alone, so the safety pathway can start before (or without) the other answers.

Trained staff (`for_trained_staff`, for the per-organization switches): PCL-5 (REFERENCES §4),
and by Hearth's choice PHQ-9 (item 9 asks about thoughts of death or self-harm; whoever offers
it must be able to respond at once) and PC-PTSD-5 (it asks directly about traumatic events; a
positive screen needs a trained follow-up). The others are non-diagnostic wellbeing, distress,
resilience and loneliness measures used by non-clinicians in surveys.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType, ModuleType
from typing import Any

from django.utils.functional import Promise, lazy
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _

from hearth.outcomes.instrument_data import (
    brs,
    gad7,
    k6,
    k10,
    pcl5,
    pcptsd5,
    phq9,
    pwi,
    ucla3,
    who5,
)

LANGUAGES = ("en", "es")

# Flags a score can carry (stable codes).
FLAG_SAFETY_FOLLOW_UP = "safety-follow-up"
FLAG_PROVISIONAL_PTSD = "provisional-ptsd"
FLAG_CLUSTER_RULE_MET = "cluster-rule-met"
FLAG_CUT_POINT_MET = "cut-point-met"
FLAG_POSITIVE_SCREEN = "positive-screen"
FLAG_NO_EXPOSURE = "no-exposure"
FLAG_SERIOUS_DISTRESS = "serious-distress"
FLAG_LONELY = "lonely"

# Codes of answer errors (stable; the messages are translatable).
ERROR_WRONG_TYPE = "wrong-type"
ERROR_OUT_OF_RANGE = "out-of-range"
ERROR_UNKNOWN_ITEM = "unknown-item"

_ERROR_MESSAGES: dict[str, Promise] = {
    ERROR_WRONG_TYPE: _("This answer is not one of the choices offered."),
    ERROR_OUT_OF_RANGE: _(
        "This answer is outside the choices offered (from %(lowest)s to %(highest)s)."
    ),
    ERROR_UNKNOWN_ITEM: _("This question is not part of this questionnaire."),
}
_MISSING_MESSAGE = _("Some questions have no answer, so this questionnaire cannot be scored yet.")


def _render(template: Promise, params: Mapping[str, Any]) -> str:
    return str(template) % dict(params)


_render_lazy = lazy(_render, str)


def _active_language() -> str:
    return (get_language() or "en").split("-")[0].lower()


# ---------------------------------------------------------------------------------------------
# Errors


class InstrumentError(ValueError):
    """Base class of the library's errors."""


class UnknownInstrument(LookupError):
    """No instrument has this code."""


class InvalidSettings(InstrumentError):
    """A setting is unknown or outside its allowed values (a configuration mistake)."""


@dataclass(frozen=True, slots=True)
class AnswerError:
    """What is wrong with one answer: a stable `code` and a message in the active language."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> Promise:
        """Lazy: rendered in whichever language is active when it is turned into text."""
        return _render_lazy(_ERROR_MESSAGES[self.code], self.params)

    def message_in(self, language: str) -> str:
        with override(language):
            return str(self.message)

    def __str__(self) -> str:
        return str(self.message)


class InvalidAnswers(InstrumentError):
    """Some answers have the wrong type, are out of range or answer unknown questions."""

    code = "invalid-answers"

    def __init__(self, errors: Mapping[str, AnswerError]) -> None:
        self.errors: dict[str, AnswerError] = dict(errors)
        super().__init__(f"invalid answers: {self.codes}")

    @property
    def codes(self) -> dict[str, str]:
        return {item: error.code for item, error in self.errors.items()}

    def messages(self, language: str | None = None) -> dict[str, str]:
        """`{item: message}`, in `language` or the active language."""
        if language is None:
            return {item: str(error.message) for item, error in self.errors.items()}
        return {item: error.message_in(language) for item, error in self.errors.items()}


class MissingAnswers(InstrumentError):
    """Scoring refused: these items (in the instrument's order) have no answer."""

    code = "missing-answers"

    def __init__(self, items: Sequence[str]) -> None:
        self.items: tuple[str, ...] = tuple(items)
        super().__init__(f"missing answers: {', '.join(self.items)}")

    @property
    def message(self) -> Promise:
        return _MISSING_MESSAGE


# ---------------------------------------------------------------------------------------------
# Data shapes


@dataclass(frozen=True, slots=True)
class Text:
    """A text in English and Spanish."""

    en: str
    es: str

    def in_language(self, language: str | None = None) -> str:
        code = (language or _active_language()).split("-")[0].lower()
        return self.es if code == "es" else self.en

    def __str__(self) -> str:
        return self.in_language()


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    number: int
    text: Text
    reverse_scored: bool = False
    cluster: str | None = None


@dataclass(frozen=True, slots=True)
class Option:
    value: int
    label: Text


@dataclass(frozen=True, slots=True)
class Band:
    code: str
    label: Text
    meaning: Text


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: int
    allowed: tuple[int, ...]
    description: str


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher-is-better"
    HIGHER_IS_WORSE = "higher-is-worse"


class ChangeDirection(StrEnum):
    IMPROVEMENT = "improvement"
    DETERIORATION = "deterioration"
    NO_MEANINGFUL_CHANGE = "no-meaningful-change"
    # The instrument has no published meaningful-change threshold (REFERENCES §4 "—").
    NO_THRESHOLD = "no-threshold"


@dataclass(frozen=True, slots=True)
class Score:
    """One scored check-in. `value` is the number change is measured on (the percentage for
    WHO-5 and PWI, the mean for the Brief Resilience Scale, otherwise the total)."""

    instrument: str
    total: int
    value: Fraction
    band: Band | None
    flags: frozenset[str]
    percentage: Fraction | None = None
    mean: Fraction | None = None
    # PCL-5 only: the sum of each cluster's items, and how many of its items were rated 2 or more.
    clusters: Mapping[str, int] | None = None
    cluster_items_endorsed: Mapping[str, int] | None = None
    settings: Mapping[str, int] = field(default_factory=dict)

    @property
    def band_code(self) -> str | None:
        return self.band.code if self.band else None

    @property
    def band_label(self) -> Text | None:
        return self.band.label if self.band else None

    @property
    def display_value(self) -> str:
        return format_number(self.value)


@dataclass(frozen=True, slots=True)
class Change:
    """From one score to a later one of the same instrument."""

    instrument: str
    before: Fraction
    after: Fraction
    difference: Fraction  # after - before
    threshold: Fraction | None
    meaningful: bool
    direction: ChangeDirection
    # PCL-5 only: an improvement of at least the response threshold (5 points).
    response: bool | None = None


def format_number(value: Fraction, places: int = 2) -> str:
    """A whole number as is; anything else rounded half up to `places` decimals ("2.83")."""
    if value.denominator == 1:
        return str(value.numerator)
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return str(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------------------------------------
# The instrument


Scorer = Callable[["Instrument", Mapping[str, int], Mapping[str, int]], Score]
BandRule = Callable[[Fraction, Mapping[str, int]], str | None]
RequiredItems = Callable[["Instrument", Mapping[str, int]], Sequence[str]]


@dataclass(frozen=True, eq=False)
class Instrument:
    code: str
    short_name: str
    name: Text
    version: str
    licence: str
    citation: str
    for_trained_staff: bool
    instructions: Text
    items: tuple[Item, ...]
    options: tuple[Option, ...]
    bands: tuple[Band, ...]
    direction: Direction
    value_kind: str  # what Score.value is: "total", "percentage" or "mean"
    value_range: tuple[Fraction, Fraction]
    meaningful_change: Fraction | None
    response_change: Fraction | None
    missing_answers: str  # what the instrument needs, in plain English (documentation)
    settings: Mapping[str, Setting]
    safety_items: Mapping[str, int]  # item id -> answers above this value need the safety pathway
    _scorer: Scorer = field(repr=False)
    _band_rule: BandRule | None = field(repr=False)
    _required: RequiredItems | None = field(default=None, repr=False)
    # Derived in __post_init__.
    item_ids: tuple[str, ...] = field(init=False, repr=False)
    option_values: frozenset[int] = field(init=False, repr=False)
    _index: Mapping[str, int] = field(init=False, repr=False)
    _bands_by_code: Mapping[str, Band] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        derived = {
            "item_ids": tuple(item.id for item in self.items),
            "option_values": frozenset(option.value for option in self.options),
            "_index": MappingProxyType({item.id: n for n, item in enumerate(self.items)}),
            "_bands_by_code": MappingProxyType({band.code: band for band in self.bands}),
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)

    def __repr__(self) -> str:
        return f"<Instrument {self.code}>"

    def item(self, item_id: str) -> Item:
        return self.items[self._index[item_id]]

    def band(self, code: str) -> Band:
        return self._bands_by_code[code]

    def band_for(
        self, value: Fraction | int, settings: Mapping[str, int] | None = None
    ) -> Band | None:
        """The band a score value falls in (None for an instrument without bands)."""
        return self._band_from_rule(Fraction(value), self.resolve_settings(settings))

    def _band_from_rule(self, value: Fraction, settings: Mapping[str, int]) -> Band | None:
        if self._band_rule is None:
            return None
        code = self._band_rule(value, settings)
        return None if code is None else self._bands_by_code[code]

    def resolve_settings(self, settings: Mapping[str, int] | None) -> Mapping[str, int]:
        """The effective settings: defaults, overridden by `settings` (checked)."""
        if not settings:
            return {name: setting.default for name, setting in self.settings.items()}
        unknown = sorted(set(settings) - set(self.settings))
        if unknown:
            raise InvalidSettings(f"{self.code} has no setting {', '.join(unknown)}")
        resolved = {}
        for name, setting in self.settings.items():
            value = settings.get(name, setting.default)
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or value not in setting.allowed
            ):
                raise InvalidSettings(
                    f"{self.code} setting {name} must be one of {list(setting.allowed)}"
                )
            resolved[name] = value
        return resolved

    def check_answer(self, item_id: str, value: object) -> AnswerError | None:
        """What is wrong with one answer, or None. `None` (not answered) is not wrong."""
        if item_id not in self._index:
            return AnswerError(ERROR_UNKNOWN_ITEM)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            return AnswerError(ERROR_WRONG_TYPE)
        if value not in self.option_values:
            return AnswerError(
                ERROR_OUT_OF_RANGE,
                {"lowest": min(self.option_values), "highest": max(self.option_values)},
            )
        return None

    def validate(self, answers: Mapping[str, object]) -> dict[str, int]:
        """The answers given, checked: raises InvalidAnswers, then MissingAnswers."""
        if not isinstance(answers, Mapping):
            raise TypeError("answers must be a mapping of item id to integer")
        errors: dict[str, AnswerError] = {}
        given: dict[str, int] = {}
        for item_id, value in answers.items():
            error = self.check_answer(item_id, value)
            if error is not None:
                errors[str(item_id)] = error
            elif value is not None:
                given[item_id] = value  # type: ignore[assignment]
        if errors:
            order = self._index
            ordered = sorted(errors, key=lambda key: (order.get(key, len(order)), key))
            raise InvalidAnswers({key: errors[key] for key in ordered})
        required = self._required(self, given) if self._required else self.item_ids
        missing = [item_id for item_id in required if item_id not in given]
        if missing:
            raise MissingAnswers(items=missing)
        return given

    def score(self, answers: Mapping[str, int], settings: Mapping[str, int] | None = None) -> Score:
        """Score one completed questionnaire exactly by the published rules."""
        resolved = self.resolve_settings(settings)
        given = self.validate(answers)
        return self._scorer(self, given, resolved)

    def change(self, before: Score, after: Score) -> Change:
        """Change from `before` to `after`, judged against the meaningful-change threshold."""
        if before.instrument != self.code or after.instrument != self.code:
            raise ValueError(
                f"change needs two {self.code} scores, not {before.instrument} and "
                f"{after.instrument}"
            )
        difference = after.value - before.value
        better = difference > 0 if self.direction is Direction.HIGHER_IS_BETTER else difference < 0
        threshold = self.meaningful_change
        if threshold is None:
            meaningful = False
            direction = ChangeDirection.NO_THRESHOLD
        else:
            meaningful = abs(difference) >= threshold
            if not meaningful:
                direction = ChangeDirection.NO_MEANINGFUL_CHANGE
            elif better:
                direction = ChangeDirection.IMPROVEMENT
            else:
                direction = ChangeDirection.DETERIORATION
        response = None
        if self.response_change is not None:
            response = better and abs(difference) >= self.response_change
        return Change(
            instrument=self.code,
            before=before.value,
            after=after.value,
            difference=difference,
            threshold=threshold,
            meaningful=meaningful,
            direction=direction,
            response=response,
        )

    def _make_score(
        self,
        *,
        total: int,
        value: Fraction,
        settings: Mapping[str, int],
        flags: set[str] | frozenset[str] = frozenset(),
        **extra: Any,
    ) -> Score:
        return Score(
            instrument=self.code,
            total=total,
            value=value,
            band=self._band_from_rule(value, settings),
            flags=frozenset(flags),
            settings=MappingProxyType(dict(settings)),
            **extra,
        )


# ---------------------------------------------------------------------------------------------
# Scoring rules (REFERENCES §4)


def _by_upper_bounds(*bounds: tuple[int, str]) -> BandRule:
    """Bands by inclusive upper bounds over whole-number totals: ((4, "minimal"), (9, "mild"))."""

    def rule(value: Fraction, settings: Mapping[str, int]) -> str | None:
        for upper, code in bounds:
            if value <= upper:
                return code
        return None

    return rule


def _cut_point_rule(below: str, at_or_above: str, default: int | None = None) -> BandRule:
    """Two bands split at the `cut_point` setting (or a fixed `default`): value >= cut."""

    def rule(value: Fraction, settings: Mapping[str, int]) -> str | None:
        cut = settings.get("cut_point", default)
        return at_or_above if value >= cut else below

    return rule


def _safety_flags(instrument: Instrument, answers: Mapping[str, int]) -> set[str]:
    for item_id, above in instrument.safety_items.items():
        if answers.get(item_id, 0) > above:
            return {FLAG_SAFETY_FOLLOW_UP}
    return set()


def _score_sum(
    instrument: Instrument, answers: Mapping[str, int], settings: Mapping[str, int]
) -> Score:
    total = sum(answers[item_id] for item_id in instrument.item_ids)
    return instrument._make_score(
        total=total,
        value=Fraction(total),
        settings=settings,
        flags=_safety_flags(instrument, answers),
    )


def _score_who5(
    instrument: Instrument, answers: Mapping[str, int], settings: Mapping[str, int]
) -> Score:
    # Raw 0-25, multiplied by 4 to a percentage 0-100; change is read on the percentage.
    total = sum(answers[item_id] for item_id in instrument.item_ids)
    percentage = Fraction(total * 4)
    return instrument._make_score(
        total=total, value=percentage, percentage=percentage, settings=settings
    )


def _who5_band(value: Fraction, settings: Mapping[str, int]) -> str:
    # On the percentage: <= 28 % (raw <= 7) very low; raw < 13 (<= 48 %, i.e. <= 50 %) low.
    if value <= 28:
        return "very-low"
    if value <= 50:
        return "low"
    return "good"


PCL5_CLUSTERS: Mapping[str, tuple[int, ...]] = MappingProxyType(
    {
        "B": (1, 2, 3, 4, 5),
        "C": (6, 7),
        "D": (8, 9, 10, 11, 12, 13, 14),
        "E": (15, 16, 17, 18, 19, 20),
    }
)
# DSM-5 rule with items rated 2 ("Moderately") or more as endorsed: at least this many per cluster.
PCL5_CLUSTER_MINIMUM: Mapping[str, int] = MappingProxyType({"B": 1, "C": 1, "D": 2, "E": 2})
PCL5_ENDORSED_AT = 2


def _score_pcl5(
    instrument: Instrument, answers: Mapping[str, int], settings: Mapping[str, int]
) -> Score:
    clusters: dict[str, int] = {}
    endorsed: dict[str, int] = {}
    for cluster, numbers in PCL5_CLUSTERS.items():
        values = [answers[f"pcl5_{n}"] for n in numbers]
        clusters[cluster] = sum(values)
        endorsed[cluster] = sum(1 for value in values if value >= PCL5_ENDORSED_AT)
    total = sum(clusters.values())
    flags = set()
    cluster_rule = all(endorsed[c] >= minimum for c, minimum in PCL5_CLUSTER_MINIMUM.items())
    cut_point = total >= settings["cut_point"]
    if cluster_rule:
        flags.add(FLAG_CLUSTER_RULE_MET)
    if cut_point:
        flags.add(FLAG_CUT_POINT_MET)
    # Provisional PTSD needs both the symptom-cluster rule and the cut-point (the stricter
    # reading; each is also reported on its own).
    if cluster_rule and cut_point:
        flags.add(FLAG_PROVISIONAL_PTSD)
    return instrument._make_score(
        total=total,
        value=Fraction(total),
        settings=settings,
        flags=flags,
        clusters=MappingProxyType(clusters),
        cluster_items_endorsed=MappingProxyType(endorsed),
    )


PCPTSD5_EXPOSURE = "pcptsd5_exposure"
PCPTSD5_ITEMS = tuple(f"pcptsd5_{n}" for n in range(1, 6))


def _pcptsd5_required(instrument: Instrument, answers: Mapping[str, int]) -> Sequence[str]:
    # The five questions are asked only after a "yes" to the exposure question.
    if answers.get(PCPTSD5_EXPOSURE) == 0:
        return (PCPTSD5_EXPOSURE,)
    if PCPTSD5_EXPOSURE not in answers:
        return (PCPTSD5_EXPOSURE,)
    return (PCPTSD5_EXPOSURE, *PCPTSD5_ITEMS)


def _score_pcptsd5(
    instrument: Instrument, answers: Mapping[str, int], settings: Mapping[str, int]
) -> Score:
    if answers[PCPTSD5_EXPOSURE] == 0:
        # No exposure: the screen total is 0, whatever else was sent.
        return instrument._make_score(
            total=0, value=Fraction(0), settings=settings, flags={FLAG_NO_EXPOSURE}
        )
    total = sum(answers[item_id] for item_id in PCPTSD5_ITEMS)
    flags = {FLAG_POSITIVE_SCREEN} if total >= settings["cut_point"] else set()
    return instrument._make_score(
        total=total, value=Fraction(total), settings=settings, flags=flags
    )


BRS_REVERSED = ("brs_2", "brs_4", "brs_6")


def _score_brs(
    instrument: Instrument, answers: Mapping[str, int], settings: Mapping[str, int]
) -> Score:
    # Items 2, 4 and 6 reversed (1<->5, 2<->4); the score is the mean of the six items.
    total = sum(
        6 - answers[item_id] if item_id in BRS_REVERSED else answers[item_id]
        for item_id in instrument.item_ids
    )
    mean = Fraction(total, len(instrument.item_ids))
    return instrument._make_score(total=total, value=mean, mean=mean, settings=settings)


BRS_NORMAL_FROM = Fraction(3)
BRS_NORMAL_TO = Fraction(430, 100)


def _brs_band(value: Fraction, settings: Mapping[str, int]) -> str:
    # Published as 1.00-2.99 low, 3.00-4.30 normal, 4.31-5.00 high. Compared exactly: anything
    # below 3 is low and anything above 4.30 is high (six items give means in sixths, so no
    # mean falls between 2.99 and 3.00 or between 4.30 and 4.31).
    if value < BRS_NORMAL_FROM:
        return "low"
    if value <= BRS_NORMAL_TO:
        return "normal"
    return "high"


def _score_ucla3(
    instrument: Instrument, answers: Mapping[str, int], settings: Mapping[str, int]
) -> Score:
    total = sum(answers[item_id] for item_id in instrument.item_ids)
    flags = {FLAG_LONELY} if total >= settings["cut_point"] else set()
    return instrument._make_score(
        total=total, value=Fraction(total), settings=settings, flags=flags
    )


K6_SERIOUS_DISTRESS = 13


def _score_k6(
    instrument: Instrument, answers: Mapping[str, int], settings: Mapping[str, int]
) -> Score:
    total = sum(answers[item_id] for item_id in instrument.item_ids)
    flags = {FLAG_SERIOUS_DISTRESS} if total >= K6_SERIOUS_DISTRESS else set()
    return instrument._make_score(
        total=total, value=Fraction(total), settings=settings, flags=flags
    )


# K10 skip rule: the second question of each pair is not asked after "None of the time" (1) to
# the first, and then scores 1.
K10_SKIPS = (("k10_2", "k10_3"), ("k10_5", "k10_6"))
K10_NONE_OF_THE_TIME = 1


def _k10_required(instrument: Instrument, answers: Mapping[str, int]) -> Sequence[str]:
    skipped = {
        follow_up for first, follow_up in K10_SKIPS if answers.get(first) == K10_NONE_OF_THE_TIME
    }
    return tuple(item_id for item_id in instrument.item_ids if item_id not in skipped)


def _score_k10(
    instrument: Instrument, answers: Mapping[str, int], settings: Mapping[str, int]
) -> Score:
    # A follow-up after "None of the time" is not asked and scores 1, whatever else was sent
    # (as PC-PTSD-5 ignores its five questions after no exposure): a person shown every question
    # on one page may still have answered it, and the rule, not that answer, decides its score.
    not_asked = {
        follow_up for first, follow_up in K10_SKIPS if answers.get(first) == K10_NONE_OF_THE_TIME
    }
    total = sum(
        K10_NONE_OF_THE_TIME if item_id in not_asked else answers[item_id]
        for item_id in instrument.item_ids
    )
    return instrument._make_score(total=total, value=Fraction(total), settings=settings)


def _score_pwi(
    instrument: Instrument, answers: Mapping[str, int], settings: Mapping[str, int]
) -> Score:
    # Seven domains 0-10; the index is their mean x 10 (0-100, "% of scale maximum").
    total = sum(answers[item_id] for item_id in instrument.item_ids)
    mean = Fraction(total, len(instrument.item_ids))
    percentage = mean * 10
    return instrument._make_score(
        total=total, value=percentage, mean=mean, percentage=percentage, settings=settings
    )


# ---------------------------------------------------------------------------------------------
# The registry


def _text(pair: Mapping[str, str]) -> Text:
    return Text(en=pair["en"], es=pair["es"])


def _build(
    data: ModuleType,
    *,
    for_trained_staff: bool,
    direction: Direction,
    value_kind: str,
    value_range: tuple[int, int],
    scorer: Scorer,
    band_rule: BandRule | None,
    missing_answers: str,
    meaningful_change: int | None = None,
    response_change: int | None = None,
    settings: Sequence[Setting] = (),
    safety_items: Mapping[str, int] | None = None,
    reverse_scored: Sequence[str] = (),
    clusters: Mapping[str, tuple[int, ...]] | None = None,
    required: RequiredItems | None = None,
) -> Instrument:
    cluster_of = {}
    if clusters:
        prefix = data.ITEMS[0]["id"].rsplit("_", 1)[0]
        cluster_of = {f"{prefix}_{n}": c for c, numbers in clusters.items() for n in numbers}
    items = tuple(
        Item(
            id=row["id"],
            number=number,
            text=_text(row),
            reverse_scored=row["id"] in reverse_scored,
            cluster=cluster_of.get(row["id"]),
        )
        for number, row in enumerate(data.ITEMS, start=1)
    )
    options = tuple(Option(value=row["value"], label=_text(row)) for row in data.OPTIONS)
    bands = tuple(
        Band(code=code, label=_text(texts["label"]), meaning=_text(texts["meaning"]))
        for code, texts in data.BANDS.items()
    )
    return Instrument(
        code=data.CODE,
        short_name=data.SHORT_NAME,
        name=_text(data.NAME),
        version=data.VERSION,
        licence=data.LICENCE,
        citation=data.CITATION,
        for_trained_staff=for_trained_staff,
        instructions=_text(data.INSTRUCTIONS),
        items=items,
        options=options,
        bands=bands,
        direction=direction,
        value_kind=value_kind,
        value_range=(Fraction(value_range[0]), Fraction(value_range[1])),
        meaningful_change=None if meaningful_change is None else Fraction(meaningful_change),
        response_change=None if response_change is None else Fraction(response_change),
        missing_answers=missing_answers,
        settings=MappingProxyType({setting.name: setting for setting in settings}),
        safety_items=MappingProxyType(dict(safety_items or {})),
        _scorer=scorer,
        _band_rule=band_rule,
        _required=required,
    )


_NO_PRORATING = "All {n} items are needed; the {name} is not prorated."

_INSTRUMENTS: tuple[Instrument, ...] = (
    _build(
        who5,
        for_trained_staff=False,
        direction=Direction.HIGHER_IS_BETTER,
        value_kind="percentage",
        value_range=(0, 100),
        scorer=_score_who5,
        band_rule=_who5_band,
        meaningful_change=10,
        missing_answers=_NO_PRORATING.format(n=5, name="WHO-5"),
    ),
    _build(
        phq9,
        for_trained_staff=True,
        direction=Direction.HIGHER_IS_WORSE,
        value_kind="total",
        value_range=(0, 27),
        scorer=_score_sum,
        band_rule=_by_upper_bounds(
            (4, "minimal"), (9, "mild"), (14, "moderate"), (19, "moderately-severe"), (27, "severe")
        ),
        meaningful_change=5,
        safety_items={"phq9_9": 0},
        missing_answers=(
            "All 9 items are needed; the PHQ-9 is not prorated (some adaptations describe "
            "prorating; Hearth follows the original scoring). Item 9 on its own decides the "
            "safety pathway, even when other items are missing."
        ),
    ),
    _build(
        gad7,
        for_trained_staff=False,
        direction=Direction.HIGHER_IS_WORSE,
        value_kind="total",
        value_range=(0, 21),
        scorer=_score_sum,
        band_rule=_by_upper_bounds((4, "minimal"), (9, "mild"), (14, "moderate"), (21, "severe")),
        meaningful_change=4,
        missing_answers=_NO_PRORATING.format(n=7, name="GAD-7"),
    ),
    _build(
        pcl5,
        for_trained_staff=True,
        direction=Direction.HIGHER_IS_WORSE,
        value_kind="total",
        value_range=(0, 80),
        scorer=_score_pcl5,
        band_rule=_cut_point_rule("below-cut-point", "at-or-above-cut-point"),
        meaningful_change=10,
        response_change=5,
        settings=(
            Setting(
                name="cut_point",
                default=33,
                allowed=(31, 32, 33),
                description="Total at or above which the cut-point is met (published: 31-33).",
            ),
        ),
        clusters=PCL5_CLUSTERS,
        missing_answers=_NO_PRORATING.format(n=20, name="PCL-5"),
    ),
    _build(
        pcptsd5,
        for_trained_staff=True,
        direction=Direction.HIGHER_IS_WORSE,
        value_kind="total",
        value_range=(0, 5),
        scorer=_score_pcptsd5,
        band_rule=_cut_point_rule("negative", "positive"),
        settings=(
            Setting(
                name="cut_point",
                default=3,
                allowed=(3, 4),
                description="Number of 'yes' answers at which the screen is positive.",
            ),
        ),
        required=_pcptsd5_required,
        missing_answers=(
            "The exposure question is needed. After 'no' nothing else is asked and the total is "
            "0; after 'yes' all 5 questions are needed (not prorated)."
        ),
    ),
    _build(
        brs,
        for_trained_staff=False,
        direction=Direction.HIGHER_IS_BETTER,
        value_kind="mean",
        value_range=(1, 5),
        scorer=_score_brs,
        band_rule=_brs_band,
        reverse_scored=BRS_REVERSED,
        missing_answers=_NO_PRORATING.format(n=6, name="Brief Resilience Scale"),
    ),
    _build(
        ucla3,
        for_trained_staff=False,
        direction=Direction.HIGHER_IS_WORSE,
        value_kind="total",
        value_range=(3, 9),
        scorer=_score_ucla3,
        band_rule=_cut_point_rule("not-lonely", "lonely"),
        settings=(
            Setting(
                name="cut_point",
                default=6,
                allowed=(4, 5, 6, 7, 8, 9),
                description="Total at or above which a person is counted as lonely.",
            ),
        ),
        missing_answers=_NO_PRORATING.format(n=3, name="UCLA-3"),
    ),
    _build(
        k6,
        for_trained_staff=False,
        direction=Direction.HIGHER_IS_WORSE,
        value_kind="total",
        value_range=(0, 24),
        scorer=_score_k6,
        band_rule=_cut_point_rule(
            "below-serious-distress", "serious-distress", default=K6_SERIOUS_DISTRESS
        ),
        missing_answers=_NO_PRORATING.format(n=6, name="K6"),
    ),
    _build(
        k10,
        for_trained_staff=False,
        direction=Direction.HIGHER_IS_WORSE,
        value_kind="total",
        value_range=(10, 50),
        scorer=_score_k10,
        band_rule=_by_upper_bounds((15, "low"), (21, "moderate"), (29, "high"), (50, "very-high")),
        required=_k10_required,
        missing_answers=(
            "All 10 items are needed, except by the K10's own skip rule: item 3 is not asked "
            "when item 2 is 'None of the time', nor item 6 when item 5 is, and a skipped item "
            "scores 1. Not prorated."
        ),
    ),
    _build(
        pwi,
        for_trained_staff=False,
        direction=Direction.HIGHER_IS_BETTER,
        value_kind="percentage",
        value_range=(0, 100),
        scorer=_score_pwi,
        band_rule=None,
        missing_answers=_NO_PRORATING.format(n=7, name="Personal Wellbeing Index"),
    ),
)

_BY_CODE: Mapping[str, Instrument] = MappingProxyType({i.code: i for i in _INSTRUMENTS})


def all_instruments() -> tuple[Instrument, ...]:
    """Every instrument, in the order of REFERENCES §4."""
    return _INSTRUMENTS


def get(code: str) -> Instrument:
    """The instrument with this code ("who-5", "phq-9", ...; case does not matter)."""
    try:
        return _BY_CODE[code.lower()]
    except (KeyError, AttributeError):
        raise UnknownInstrument(code) from None


def needs_safety_pathway(instrument: Instrument | str, answers: Mapping[str, object]) -> bool:
    """Whether these answers need the safety pathway now (PHQ-9 item 9 above 0).

    Looks only at the safety items, so it answers even when other items are missing or not yet
    given. An invalid answer to a safety item raises InvalidAnswers for that item alone.
    """
    if not isinstance(instrument, Instrument):
        instrument = get(instrument)
    for item_id, above in instrument.safety_items.items():
        value = answers.get(item_id)
        if value is None:
            continue
        error = instrument.check_answer(item_id, value)
        if error is not None:
            raise InvalidAnswers({item_id: error})
        if value > above:  # type: ignore[operator]
            return True
    return False
