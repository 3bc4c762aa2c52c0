"""The instrument library, against hand-worked examples of the published scoring rules
(REFERENCES §4): every band edge on both sides, the PCL-5 cluster rule and cut-point settings,
PC-PTSD-5 without exposure, the Brief Resilience Scale's reversal and exact band edges, the
PWI's mean x 10, refusals of missing and invalid answers, the PHQ-9 safety item and the
meaningful-change thresholds."""

from fractions import Fraction

import pytest
from django.utils import translation

from hearth.outcomes import instruments
from hearth.outcomes.instruments import (
    ChangeDirection,
    Direction,
    InvalidAnswers,
    InvalidSettings,
    MissingAnswers,
    UnknownInstrument,
    get,
    needs_safety_pathway,
)


def answers_for(code: str, values: list[int]) -> dict[str, int]:
    """Answers in item order: answers_for("gad-7", [0, 1, 2, 3, 0, 1, 2])."""
    item_ids = get(code).item_ids
    assert len(values) == len(item_ids)
    return dict(zip(item_ids, values, strict=True))


def spread(count: int, total: int, lowest: int, highest: int) -> list[int]:
    """`count` answers between lowest and highest adding up to `total`, filled from the first."""
    values = [lowest] * count
    rest = total - lowest * count
    assert 0 <= rest <= (highest - lowest) * count
    for n in range(count):
        step = min(highest - lowest, rest)
        values[n] += step
        rest -= step
    return values


# ---------------------------------------------------------------------------------------------
# The library


EXPECTED = {
    # code: (items, option values, value kind, direction, meaningful change, trained staff)
    "who-5": (5, range(0, 6), "percentage", Direction.HIGHER_IS_BETTER, 10, False),
    "phq-9": (9, range(0, 4), "total", Direction.HIGHER_IS_WORSE, 5, True),
    "gad-7": (7, range(0, 4), "total", Direction.HIGHER_IS_WORSE, 4, False),
    "pcl-5": (20, range(0, 5), "total", Direction.HIGHER_IS_WORSE, 10, True),
    "pc-ptsd-5": (6, range(0, 2), "total", Direction.HIGHER_IS_WORSE, None, True),
    "brs": (6, range(1, 6), "mean", Direction.HIGHER_IS_BETTER, None, False),
    "ucla-3": (3, range(1, 4), "total", Direction.HIGHER_IS_WORSE, None, False),
    "k6": (6, range(0, 5), "total", Direction.HIGHER_IS_WORSE, None, False),
    "k10": (10, range(1, 6), "total", Direction.HIGHER_IS_WORSE, None, False),
    "pwi": (7, range(0, 11), "percentage", Direction.HIGHER_IS_BETTER, None, False),
}


def test_the_library_holds_the_ten_instruments_in_the_order_of_references():
    assert [i.code for i in instruments.all_instruments()] == list(EXPECTED)


@pytest.mark.parametrize("code", list(EXPECTED))
def test_each_instrument_has_its_published_shape(code):
    items, values, kind, direction, change, trained = EXPECTED[code]
    instrument = get(code)

    assert len(instrument.items) == items
    assert instrument.option_values == frozenset(values)
    assert instrument.value_kind == kind
    assert instrument.direction is direction
    assert instrument.meaningful_change == (None if change is None else Fraction(change))
    assert instrument.for_trained_staff is trained
    assert [item.number for item in instrument.items] == list(range(1, items + 1))
    assert len(set(instrument.item_ids)) == items
    assert instrument.version and instrument.licence and instrument.citation
    assert instrument.missing_answers


def test_get_ignores_case_and_refuses_unknown_codes():
    assert get("PHQ-9") is get("phq-9")
    with pytest.raises(UnknownInstrument):
        get("ace")  # adverse-childhood-experience checklists are never scored per person
    with pytest.raises(UnknownInstrument):
        get(None)  # type: ignore[arg-type]


def test_licence_notes_follow_references():
    assert "Public domain" in get("pcl-5").licence
    assert "trained staff" in get("pcl-5").licence
    assert "©" in get("k10").licence
    assert "citation" in get("brs").licence
    assert "citation" in get("pwi").licence
    assert "reproduce" in get("phq-9").licence


@pytest.mark.parametrize("code", list(EXPECTED))
def test_every_item_option_and_band_has_english_and_spanish(code):
    instrument = get(code)
    texts = [instrument.name, instrument.instructions]
    texts += [item.text for item in instrument.items]
    texts += [option.label for option in instrument.options]
    texts += [band.label for band in instrument.bands] + [band.meaning for band in instrument.bands]
    for text in texts:
        assert text.en.strip() and text.es.strip()
    for item in instrument.items:
        assert item.text.en != item.text.es
    same_in_both = {"No", "Neutral", "5 — Neutral"}  # and the PWI's bare numbers
    for option in instrument.options:
        label = option.label
        assert label.en != label.es or label.en.isdigit() or label.en in same_in_both


def test_texts_follow_the_active_language():
    item = get("who-5").items[0]
    with translation.override("es"):
        assert str(item.text) == "Me he sentido alegre y de buen humor"
    with translation.override("en"):
        assert str(item.text) == "I have felt cheerful and in good spirits"
    assert item.text.in_language("es-mx") == "Me he sentido alegre y de buen humor"


DIAGNOSTIC_WORDS = {
    "en": ("depress", "ptsd", "disorder", "diagnos", "severe", "symptom", "patient"),
    "es": ("depresi", "tept", "trastorno", "diagn", "grave", "sever", "síntoma", "paciente"),
}


@pytest.mark.parametrize("code", list(EXPECTED))
def test_band_labels_and_meanings_are_plain_language_not_diagnoses(code):
    for band in get(code).bands:
        for language, words in DIAGNOSTIC_WORDS.items():
            for text in (band.label, band.meaning):
                wording = text.in_language(language).lower()
                assert not [w for w in words if w in wording], (code, band.code, wording)


def test_bands_cover_every_possible_value():
    for instrument in instruments.all_instruments():
        if not instrument.bands:
            continue
        low, high = instrument.value_range
        step = Fraction(1, 6) if instrument.code == "brs" else Fraction(1)
        step = 4 if instrument.code == "who-5" else step
        value = low
        while value <= high:
            assert instrument.band_for(value) is not None, (instrument.code, value)
            value += step


def test_trained_staff_instruments_are_pcl5_phq9_and_pcptsd5():
    assert [i.code for i in instruments.all_instruments() if i.for_trained_staff] == [
        "phq-9",
        "pcl-5",
        "pc-ptsd-5",
    ]


# ---------------------------------------------------------------------------------------------
# WHO-5: raw 0-25 x 4; <= 28 % very low (raw <= 7); raw < 13 (<= 50 %) low; change 10 points


def test_who5_hand_worked_example():
    # 3 + 2 + 4 + 1 + 3 = 13 raw, x 4 = 52 %: just above the low band.
    score = get("who-5").score(answers_for("who-5", [3, 2, 4, 1, 3]))

    assert score.total == 13
    assert score.percentage == 52
    assert score.value == 52
    assert score.band_code == "good"
    assert score.flags == frozenset()


@pytest.mark.parametrize(
    ("raw", "percentage", "band"),
    [
        (0, 0, "very-low"),
        (7, 28, "very-low"),
        (8, 32, "low"),
        (12, 48, "low"),
        (13, 52, "good"),
        (25, 100, "good"),
    ],
)
def test_who5_band_edges(raw, percentage, band):
    score = get("who-5").score(answers_for("who-5", spread(5, raw, 0, 5)))

    assert (score.total, score.percentage, score.band_code) == (raw, percentage, band)


def test_who5_band_text_is_strengths_based():
    band = get("who-5").band("low")
    assert band.label.en == "Lower wellbeing lately"
    assert "worth talking about" in band.meaning.en


# ---------------------------------------------------------------------------------------------
# PHQ-9: sum 0-27; 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately severe, 20-27 severe


def test_phq9_hand_worked_example():
    # 1 + 2 + 3 + 2 + 0 + 1 + 1 + 0 + 0 = 10: moderate, no safety flag.
    score = get("phq-9").score(answers_for("phq-9", [1, 2, 3, 2, 0, 1, 1, 0, 0]))

    assert score.total == 10
    assert score.band_code == "moderate"
    assert score.percentage is None and score.mean is None
    assert score.flags == frozenset()


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately-severe"),
        (19, "moderately-severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_band_edges(total, band):
    score = get("phq-9").score(answers_for("phq-9", spread(9, total, 0, 3)))

    assert (score.total, score.band_code) == (total, band)


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_phq9_item9_above_zero_flags_a_safety_follow_up(item9):
    values = [0] * 8 + [item9]
    score = get("phq-9").score(answers_for("phq-9", values))

    assert score.total == item9
    assert score.band_code == "minimal"  # a low total never hides item 9
    assert "safety-follow-up" in score.flags
    assert needs_safety_pathway("phq-9", answers_for("phq-9", values)) is True


def test_phq9_item9_at_zero_needs_no_safety_pathway():
    values = [3] * 8 + [0]
    score = get("phq-9").score(answers_for("phq-9", values))

    assert score.total == 24
    assert "safety-follow-up" not in score.flags
    assert needs_safety_pathway(get("phq-9"), answers_for("phq-9", values)) is False


def test_the_safety_pathway_triggers_from_item9_alone_while_other_items_are_missing():
    partial = {"phq9_1": 2, "phq9_9": 1}

    assert needs_safety_pathway("phq-9", partial) is True
    assert needs_safety_pathway("phq-9", {"phq9_9": 2}) is True
    assert needs_safety_pathway("phq-9", {"phq9_9": 2, "phq9_2": None}) is True
    # ...while scoring the same answers is refused, naming the missing items.
    with pytest.raises(MissingAnswers) as refused:
        get("phq-9").score(partial)
    assert refused.value.items == tuple(f"phq9_{n}" for n in range(2, 9))


def test_the_safety_pathway_is_not_triggered_without_an_item9_answer_above_zero():
    assert needs_safety_pathway("phq-9", {}) is False
    assert needs_safety_pathway("phq-9", {"phq9_9": None, "phq9_1": 3}) is False
    assert needs_safety_pathway("phq-9", {"phq9_9": 0}) is False
    for code in EXPECTED.keys() - {"phq-9"}:
        instrument = get(code)
        top = max(instrument.option_values)
        assert needs_safety_pathway(code, dict.fromkeys(instrument.item_ids, top)) is False


def test_an_invalid_item9_answer_is_refused_by_the_safety_check():
    with pytest.raises(InvalidAnswers) as refused:
        needs_safety_pathway("phq-9", {"phq9_9": "1", "phq9_1": "junk"})
    assert refused.value.codes == {"phq9_9": "wrong-type"}  # only the safety item is judged
    with pytest.raises(InvalidAnswers) as refused:
        needs_safety_pathway("phq-9", {"phq9_9": 4})
    assert refused.value.codes == {"phq9_9": "out-of-range"}


# ---------------------------------------------------------------------------------------------
# GAD-7: sum 0-21; 0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe; change 4


def test_gad7_hand_worked_example():
    # 0 + 1 + 2 + 3 + 0 + 1 + 2 = 9: mild, one below moderate.
    score = get("gad-7").score(answers_for("gad-7", [0, 1, 2, 3, 0, 1, 2]))

    assert (score.total, score.band_code) == (9, "mild")


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_band_edges(total, band):
    score = get("gad-7").score(answers_for("gad-7", spread(7, total, 0, 3)))

    assert (score.total, score.band_code) == (total, band)


# ---------------------------------------------------------------------------------------------
# PCL-5: sum 0-80; clusters B 1-5, C 6-7, D 8-14, E 15-20; provisional PTSD when items rated
# >= 2 number at least 1 B, 1 C, 2 D, 2 E, and the total reaches the cut-point (31-33, 33)


def pcl5(**ratings: int) -> dict[str, int]:
    """All 20 PCL-5 items at 0 except the ones given as item_<n>=rating."""
    values = dict.fromkeys(get("pcl-5").item_ids, 0)
    for name, rating in ratings.items():
        values[f"pcl5_{name.removeprefix('item_')}"] = rating
    return values


def test_pcl5_clusters_are_items_1_5_6_7_8_14_15_20():
    instrument = get("pcl-5")
    by_cluster: dict[str, list[int]] = {}
    for item in instrument.items:
        by_cluster.setdefault(item.cluster, []).append(item.number)

    assert by_cluster == {
        "B": [1, 2, 3, 4, 5],
        "C": [6, 7],
        "D": [8, 9, 10, 11, 12, 13, 14],
        "E": [15, 16, 17, 18, 19, 20],
    }


def test_pcl5_hand_worked_example_meeting_both_the_clusters_and_the_cut_point():
    # B: 3 3 2 2 1 = 11; C: 2 1 = 3; D: 0 2 2 1 1 1 1 = 8; E: 2 2 1 1 1 4 = 11; total 33.
    # Rated 2 or more: B 4 (>= 1), C 1 (>= 1), D 2 (>= 2), E 3 (>= 2) -> cluster rule met.
    values = [3, 3, 2, 2, 1, 2, 1, 0, 2, 2, 1, 1, 1, 1, 2, 2, 1, 1, 1, 4]
    score = get("pcl-5").score(answers_for("pcl-5", values))

    assert dict(score.clusters) == {"B": 11, "C": 3, "D": 8, "E": 11}
    assert dict(score.cluster_items_endorsed) == {"B": 4, "C": 1, "D": 2, "E": 3}
    assert score.total == 33
    assert score.flags == {"cluster-rule-met", "cut-point-met", "provisional-ptsd"}
    assert score.band_code == "at-or-above-cut-point"
    assert score.settings == {"cut_point": 33}


def test_pcl5_cut_point_met_but_not_the_clusters_is_not_provisional():
    # Every B and C item at 4 (28), every D and E item at 1 (13): total 41, but no D or E item
    # rated 2 or more.
    values = [4] * 7 + [1] * 13
    score = get("pcl-5").score(answers_for("pcl-5", values))

    assert score.total == 41
    assert dict(score.cluster_items_endorsed) == {"B": 5, "C": 2, "D": 0, "E": 0}
    assert score.flags == {"cut-point-met"}
    assert score.band_code == "at-or-above-cut-point"


def test_pcl5_clusters_met_but_not_the_cut_point_is_not_provisional():
    # The smallest pattern meeting the rule: items 1, 6, 8, 9, 15, 16 at 2, the rest 0 = 12.
    score = get("pcl-5").score(pcl5(item_1=2, item_6=2, item_8=2, item_9=2, item_15=2, item_16=2))

    assert score.total == 12
    assert score.flags == {"cluster-rule-met"}
    assert score.band_code == "below-cut-point"


@pytest.mark.parametrize(
    "short",
    [
        {"item_1": 1},  # B: rated 1, not endorsed
        {"item_6": 1},  # C
        {"item_9": 1},  # D: only one item at 2 or more
        {"item_16": 1},  # E: only one item at 2 or more
    ],
)
def test_pcl5_each_cluster_must_reach_its_minimum_of_items_rated_2_or_more(short):
    base = {"item_1": 2, "item_6": 2, "item_8": 2, "item_9": 2, "item_15": 2, "item_16": 2}
    # The other items of every cluster at 1 keep the total high without being endorsed.
    fill = {f"item_{n}": 1 for n in range(1, 21) if f"item_{n}" not in base}
    score = get("pcl-5").score(pcl5(**{**fill, **base, **short}))

    assert "cluster-rule-met" not in score.flags
    assert "provisional-ptsd" not in score.flags


def with_total(total: int) -> dict[str, int]:
    """PCL-5 answers meeting the cluster rule with exactly this total (>= 12)."""
    values = pcl5(item_1=2, item_6=2, item_8=2, item_9=2, item_15=2, item_16=2)
    rest = total - 12
    for item_id in values:
        step = min(4 - values[item_id], rest)
        values[item_id] += step
        rest -= step
    assert rest == 0
    return values


@pytest.mark.parametrize(
    ("cut_point", "total", "provisional"),
    [
        (31, 30, False),
        (31, 31, True),
        (32, 31, False),
        (32, 32, True),
        (33, 32, False),
        (33, 33, True),
    ],
)
def test_pcl5_cut_point_setting_31_32_33(cut_point, total, provisional):
    score = get("pcl-5").score(with_total(total), settings={"cut_point": cut_point})

    assert score.total == total
    assert "cluster-rule-met" in score.flags
    assert ("provisional-ptsd" in score.flags) is provisional
    assert ("cut-point-met" in score.flags) is provisional
    expected_band = "at-or-above-cut-point" if provisional else "below-cut-point"
    assert score.band_code == expected_band
    assert score.settings == {"cut_point": cut_point}


def test_pcl5_default_cut_point_is_33():
    assert get("pcl-5").score(with_total(32)).flags == {"cluster-rule-met"}
    assert "provisional-ptsd" in get("pcl-5").score(with_total(33)).flags


@pytest.mark.parametrize("cut_point", [30, 34, 33.0, "33", True])
def test_pcl5_cut_point_outside_31_33_is_refused(cut_point):
    with pytest.raises(InvalidSettings):
        get("pcl-5").score(with_total(33), settings={"cut_point": cut_point})


def test_unknown_settings_are_refused():
    with pytest.raises(InvalidSettings):
        get("pcl-5").score(with_total(33), settings={"cutpoint": 31})
    with pytest.raises(InvalidSettings):
        get("phq-9").score(answers_for("phq-9", [0] * 9), settings={"cut_point": 10})


# ---------------------------------------------------------------------------------------------
# PC-PTSD-5: exposure, then 5 yes/no; 0 without exposure; positive at >= 3 (setting 3 or 4)


def pcptsd5(exposure: int | None, *answers: int) -> dict[str, int | None]:
    values: dict[str, int | None] = {"pcptsd5_exposure": exposure}
    values.update({f"pcptsd5_{n}": value for n, value in enumerate(answers, start=1)})
    return values


def test_pcptsd5_without_exposure_scores_0_and_asks_nothing_else():
    score = get("pc-ptsd-5").score(pcptsd5(0))

    assert score.total == 0
    assert score.band_code == "negative"
    assert score.flags == {"no-exposure"}


def test_pcptsd5_without_exposure_scores_0_even_when_answers_were_sent():
    score = get("pc-ptsd-5").score(pcptsd5(0, 1, 1, 1, 1, 1))

    assert score.total == 0
    assert "positive-screen" not in score.flags


def test_pcptsd5_needs_the_exposure_answer_first():
    with pytest.raises(MissingAnswers) as refused:
        get("pc-ptsd-5").score({})
    assert refused.value.items == ("pcptsd5_exposure",)
    with pytest.raises(MissingAnswers) as refused:
        get("pc-ptsd-5").score(pcptsd5(None, 1, 1, 1, 1, 1))
    assert refused.value.items == ("pcptsd5_exposure",)


def test_pcptsd5_after_exposure_needs_all_five_answers():
    with pytest.raises(MissingAnswers) as refused:
        get("pc-ptsd-5").score(pcptsd5(1, 1, 0))
    assert refused.value.items == ("pcptsd5_3", "pcptsd5_4", "pcptsd5_5")


@pytest.mark.parametrize(
    ("answers", "cut_point", "positive"),
    [
        ((0, 0, 0, 0, 0), 3, False),
        ((1, 0, 1, 0, 0), 3, False),  # 2
        ((1, 0, 1, 0, 1), 3, True),  # 3
        ((1, 0, 1, 0, 1), 4, False),  # 3 under the stricter setting
        ((1, 1, 1, 0, 1), 4, True),  # 4
        ((1, 1, 1, 1, 1), 4, True),  # 5
    ],
)
def test_pcptsd5_positive_screen_edges(answers, cut_point, positive):
    score = get("pc-ptsd-5").score(pcptsd5(1, *answers), settings={"cut_point": cut_point})

    assert score.total == sum(answers)
    assert ("positive-screen" in score.flags) is positive
    assert score.band_code == ("positive" if positive else "negative")


def test_pcptsd5_default_cut_point_is_3_and_only_3_or_4_are_allowed():
    assert get("pc-ptsd-5").score(pcptsd5(1, 1, 1, 1, 0, 0)).flags == {"positive-screen"}
    for cut_point in (2, 5):
        with pytest.raises(InvalidSettings):
            get("pc-ptsd-5").score(pcptsd5(0), settings={"cut_point": cut_point})


# ---------------------------------------------------------------------------------------------
# Brief Resilience Scale: items 2, 4, 6 reversed; mean; 1.00-2.99 low, 3.00-4.30 normal,
# 4.31-5.00 high — compared exactly (means come in sixths)


def test_brs_reverses_items_2_4_and_6():
    # Strongly agree with everything: 5, (6-5)=1, 5, 1, 5, 1 -> 18 / 6 = 3.00.
    score = get("brs").score(answers_for("brs", [5, 5, 5, 5, 5, 5]))
    assert (score.total, score.mean, score.band_code) == (18, Fraction(3), "normal")

    # Agree with the positive items, disagree with the negative ones: 4 4 4 4 4 4 -> 4.00.
    score = get("brs").score(answers_for("brs", [4, 2, 4, 2, 4, 2]))
    assert (score.total, score.mean) == (24, Fraction(4))

    # The most resilient pattern: 5 1 5 1 5 1 -> every item scores 5.
    score = get("brs").score(answers_for("brs", [5, 1, 5, 1, 5, 1]))
    assert (score.mean, score.band_code, score.display_value) == (Fraction(5), "high", "5")

    assert [item.reverse_scored for item in get("brs").items] == [False, True] * 3


@pytest.mark.parametrize(
    ("values", "mean", "shown", "band"),
    [
        ([1, 5, 1, 5, 1, 5], Fraction(1), "1", "low"),
        # 3 + (6-3) + 3 + (6-3) + 3 + (6-4) = 17 -> 2.83, the highest "low" mean possible
        ([3, 3, 3, 3, 3, 4], Fraction(17, 6), "2.83", "low"),
        # 18 -> exactly 3.00: "normal" (a float mean of 17.999.../6 would be wrong here)
        ([3, 3, 3, 3, 3, 3], Fraction(3), "3", "normal"),
        # 25 -> 4.17: still normal
        ([5, 2, 4, 2, 4, 2], Fraction(25, 6), "4.17", "normal"),
        # 26 -> 4.33: the lowest "high" mean possible
        ([5, 1, 4, 2, 4, 2], Fraction(26, 6), "4.33", "high"),
    ],
)
def test_brs_band_edges_with_exact_means(values, mean, shown, band):
    score = get("brs").score(answers_for("brs", values))

    assert score.mean == mean
    assert score.value == mean
    assert score.display_value == shown
    assert score.band_code == band


@pytest.mark.parametrize(
    ("mean", "band"),
    [
        (Fraction("1.00"), "low"),
        (Fraction("2.99"), "low"),
        (Fraction("2.999"), "low"),
        (Fraction("3.00"), "normal"),
        (Fraction("4.30"), "normal"),
        (Fraction("4.301"), "high"),
        (Fraction("4.31"), "high"),
        (Fraction("5.00"), "high"),
    ],
)
def test_brs_published_band_edges(mean, band):
    assert get("brs").band_for(mean).code == band


def test_a_float_mean_would_misplace_a_brs_edge_that_fractions_get_right():
    # Why exact arithmetic: 0.1 * 3 != 0.3 in floats; sums of thirds and sixths drift the same way.
    assert 0.1 * 3 != 0.3
    assert Fraction(1, 10) * 3 == Fraction(3, 10)
    assert get("brs").band_for(Fraction(43, 10)).code == "normal"


# ---------------------------------------------------------------------------------------------
# UCLA 3-item: sum 3-9; lonely at >= 6 (a setting)


@pytest.mark.parametrize(
    ("values", "cut_point", "lonely"),
    [
        ([1, 1, 1], 6, False),
        ([2, 2, 1], 6, False),  # 5
        ([2, 2, 2], 6, True),  # 6
        ([3, 3, 3], 6, True),  # 9
        ([2, 2, 2], 7, False),  # 6 under a stricter setting
        ([3, 2, 2], 7, True),  # 7
    ],
)
def test_ucla3_lonely_edges(values, cut_point, lonely):
    score = get("ucla-3").score(answers_for("ucla-3", values), settings={"cut_point": cut_point})

    assert score.total == sum(values)
    assert ("lonely" in score.flags) is lonely
    assert score.band_code == ("lonely" if lonely else "not-lonely")


def test_ucla3_default_cut_point_is_6():
    assert get("ucla-3").score(answers_for("ucla-3", [2, 2, 2])).flags == {"lonely"}
    assert get("ucla-3").score(answers_for("ucla-3", [1, 2, 2])).flags == frozenset()
    with pytest.raises(InvalidSettings):
        get("ucla-3").score(answers_for("ucla-3", [2, 2, 2]), settings={"cut_point": 3})


# ---------------------------------------------------------------------------------------------
# K6: sum 0-24; serious distress at >= 13


@pytest.mark.parametrize(
    ("total", "serious"),
    [(0, False), (12, False), (13, True), (24, True)],
)
def test_k6_serious_distress_edges(total, serious):
    score = get("k6").score(answers_for("k6", spread(6, total, 0, 4)))

    assert score.total == total
    assert ("serious-distress" in score.flags) is serious
    assert score.band_code == ("serious-distress" if serious else "below-serious-distress")


def test_k6_hand_worked_example():
    # 2 + 3 + 2 + 1 + 3 + 2 = 13: serious distress, exactly at the cut.
    score = get("k6").score(answers_for("k6", [2, 3, 2, 1, 3, 2]))

    assert (score.total, score.flags) == (13, {"serious-distress"})


# ---------------------------------------------------------------------------------------------
# K10: items 1-5; sum 10-50; 10-15 low, 16-21 moderate, 22-29 high, 30-50 very high


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (10, "low"),
        (15, "low"),
        (16, "moderate"),
        (21, "moderate"),
        (22, "high"),
        (29, "high"),
        (30, "very-high"),
        (50, "very-high"),
    ],
)
def test_k10_band_edges(total, band):
    score = get("k10").score(answers_for("k10", spread(10, total, 1, 5)))

    assert (score.total, score.band_code) == (total, band)


def test_k10_skip_rule_scores_a_skipped_follow_up_as_1():
    # Item 2 "None of the time" (1): item 3 is not asked and scores 1. Same for items 5 and 6.
    answers = answers_for("k10", [3, 1, 1, 2, 1, 1, 4, 2, 2, 3])
    del answers["k10_3"]
    del answers["k10_6"]
    score = get("k10").score(answers)

    assert score.total == 3 + 1 + 1 + 2 + 1 + 1 + 4 + 2 + 2 + 3 == 20
    assert score.band_code == "moderate"


def test_k10_skip_rule_scores_the_follow_up_1_even_when_it_was_answered():
    # Every question is on one page, so a person may answer item 3 after "None of the time" to
    # item 2 (and item 6 after item 5). The K10's rule says it is not asked and scores 1.
    answers = answers_for("k10", [3, 1, 4, 2, 1, 5, 4, 2, 2, 3])
    score = get("k10").score(answers)

    assert score.total == 3 + 1 + 1 + 2 + 1 + 1 + 4 + 2 + 2 + 3 == 20
    assert score.band_code == "moderate"


def test_k10_follow_up_counts_as_answered_when_the_first_was_not_none_of_the_time():
    # Item 2 "A little of the time" (2): item 3 is asked and its answer counts (4), while item 6
    # after item 5 "None of the time" scores 1 although 5 was given.
    answers = answers_for("k10", [3, 2, 4, 2, 1, 5, 4, 2, 2, 3])
    score = get("k10").score(answers)

    assert score.total == 3 + 2 + 4 + 2 + 1 + 1 + 4 + 2 + 2 + 3 == 24
    assert score.band_code == "high"


def test_kessler_scales_share_their_response_wording_in_both_languages():
    # K6 (0-4) and K10 (1-5) are the same family with the same five answers: the Spanish of
    # each answer is the same in both, in the same order from "None of the time".
    k6 = sorted(get("k6").options, key=lambda option: option.value)
    k10 = sorted(get("k10").options, key=lambda option: option.value)
    assert [(o.label.en, o.label.es) for o in k6] == [(o.label.en, o.label.es) for o in k10]
    assert [o.label.es for o in k10] == [
        "Nunca",
        "Poco tiempo",
        "Parte del tiempo",
        "La mayor parte del tiempo",
        "Todo el tiempo",
    ]
    assert [o.value for o in k10] == [1, 2, 3, 4, 5]


def test_k10_follow_up_is_needed_when_the_first_question_was_not_none_of_the_time():
    answers = answers_for("k10", [3, 2, 1, 2, 1, 1, 4, 2, 2, 3])
    del answers["k10_3"]
    del answers["k10_6"]  # fine: item 5 is "None of the time"
    with pytest.raises(MissingAnswers) as refused:
        get("k10").score(answers)
    assert refused.value.items == ("k10_3",)

    with pytest.raises(MissingAnswers) as refused:
        get("k10").score({})  # nothing known about items 2 or 5: every item is needed
    assert refused.value.items == get("k10").item_ids


# ---------------------------------------------------------------------------------------------
# Personal Wellbeing Index: 7 domains 0-10; mean x 10 -> 0-100; no bands


def test_pwi_hand_worked_example():
    # 7 + 8 + 6 + 9 + 5 + 7 + 8 = 50; mean 50/7 = 7.142857...; x 10 = 500/7 = 71.43.
    score = get("pwi").score(answers_for("pwi", [7, 8, 6, 9, 5, 7, 8]))

    assert score.total == 50
    assert score.mean == Fraction(50, 7)
    assert score.percentage == Fraction(500, 7)
    assert score.value == Fraction(500, 7)
    assert score.display_value == "71.43"
    assert score.band is None and score.band_code is None
    assert score.flags == frozenset()


@pytest.mark.parametrize(("values", "index"), [([0] * 7, 0), ([10] * 7, 100), ([5] * 7, 50)])
def test_pwi_extremes(values, index):
    assert get("pwi").score(answers_for("pwi", values)).percentage == index


# ---------------------------------------------------------------------------------------------
# Missing answers are refused, naming exactly the missing items; never scored as 0


def complete(code: str) -> dict[str, int]:
    instrument = get(code)
    lowest = min(instrument.option_values)
    answers = dict.fromkeys(instrument.item_ids, lowest)
    if code == "pc-ptsd-5":
        answers["pcptsd5_exposure"] = 1
    return answers


@pytest.mark.parametrize("code", list(EXPECTED))
def test_each_missing_item_is_named(code):
    instrument = get(code)
    for item_id in instrument.item_ids:
        if code == "k10" and item_id in ("k10_3", "k10_6"):
            continue  # after "None of the time" these are skipped by the K10's own rule
        answers = complete(code)
        del answers[item_id]
        with pytest.raises(MissingAnswers) as refused:
            instrument.score(answers)
        assert refused.value.items == (item_id,)


@pytest.mark.parametrize("code", list(EXPECTED))
def test_several_missing_items_are_named_in_order_and_none_counts_as_missing(code):
    instrument = get(code)
    answers = complete(code)
    second, final = instrument.item_ids[1], instrument.item_ids[-1]
    del answers[final]
    answers[second] = None
    with pytest.raises(MissingAnswers) as refused:
        instrument.score(answers)
    assert refused.value.items == (second, final)
    assert str(refused.value.message)


def test_nothing_answered_names_every_item():
    with pytest.raises(MissingAnswers) as refused:
        get("phq-9").score({})
    assert refused.value.items == get("phq-9").item_ids
    assert refused.value.code == "missing-answers"


# ---------------------------------------------------------------------------------------------
# Wrong types and out-of-range answers


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("2", "wrong-type"),
        (2.0, "wrong-type"),
        (True, "wrong-type"),
        ([1], "wrong-type"),
        (-1, "out-of-range"),
        (4, "out-of-range"),
    ],
)
def test_phq9_wrong_types_and_out_of_range_answers_are_refused(value, code):
    answers = answers_for("phq-9", [1] * 9)
    answers["phq9_3"] = value
    with pytest.raises(InvalidAnswers) as refused:
        get("phq-9").score(answers)

    assert refused.value.codes == {"phq9_3": code}


@pytest.mark.parametrize(
    ("code", "below", "above"),
    [
        ("who-5", -1, 6),
        ("phq-9", -1, 4),
        ("gad-7", -1, 4),
        ("pcl-5", -1, 5),
        ("pc-ptsd-5", -1, 2),
        ("brs", 0, 6),
        ("ucla-3", 0, 4),
        ("k6", -1, 5),
        ("k10", 0, 6),
        ("pwi", -1, 11),
    ],
)
def test_every_instrument_refuses_values_just_outside_its_options(code, below, above):
    instrument = get(code)
    answers = complete(code)
    first, second = instrument.item_ids[:2]
    answers[first], answers[second] = below, above
    with pytest.raises(InvalidAnswers) as refused:
        instrument.score(answers)

    assert refused.value.codes == {first: "out-of-range", second: "out-of-range"}


def test_invalid_answers_come_before_missing_ones_and_name_unknown_questions():
    with pytest.raises(InvalidAnswers) as refused:
        get("gad-7").score({"gad7_9": 1, "gad7_2": 7, "phq9_1": 0, "gad7_1": "often"})

    assert refused.value.codes == {
        "gad7_1": "wrong-type",
        "gad7_2": "out-of-range",
        "gad7_9": "unknown-item",
        "phq9_1": "unknown-item",
    }
    assert list(refused.value.errors) == ["gad7_1", "gad7_2", "gad7_9", "phq9_1"]


def test_answer_error_messages_are_translatable_in_english_and_spanish():
    with pytest.raises(InvalidAnswers) as refused:
        get("phq-9").score({"phq9_1": 9, "phq9_2": "x", "other": 1})
    errors = refused.value

    assert errors.messages("en") == {
        "phq9_1": "This answer is outside the choices offered (from 0 to 3).",
        "phq9_2": "This answer is not one of the choices offered.",
        "other": "This question is not part of this questionnaire.",
    }
    # Spanish comes from the project's catalogue; the message is rendered in the language
    # active when it is read, and is plain text in either language.
    spanish = errors.messages("es")
    assert set(spanish) == {"phq9_1", "phq9_2", "other"}
    assert all(isinstance(text, str) and text for text in spanish.values())
    assert "0" in spanish["phq9_1"] and "3" in spanish["phq9_1"]
    with translation.override("en"):
        assert str(errors.errors["phq9_1"]) == errors.messages("en")["phq9_1"]
        assert errors.messages() == errors.messages("en")


def test_answers_must_be_a_mapping():
    with pytest.raises(TypeError):
        get("who-5").score([1, 2, 3, 4, 5])  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Change: difference, meaningful at the threshold, direction by whether higher is better


def phq9_total(total: int):
    return get("phq-9").score(answers_for("phq-9", spread(9, total, 0, 3)))


def test_phq9_change_of_5_is_meaningful_and_4_is_not():
    phq = get("phq-9")

    change = phq.change(phq9_total(15), phq9_total(10))
    assert (change.difference, change.meaningful) == (-5, True)
    assert change.direction is ChangeDirection.IMPROVEMENT
    assert change.threshold == 5

    change = phq.change(phq9_total(15), phq9_total(11))
    assert (change.difference, change.meaningful) == (-4, False)
    assert change.direction is ChangeDirection.NO_MEANINGFUL_CHANGE

    change = phq.change(phq9_total(10), phq9_total(15))
    assert (change.difference, change.direction) == (5, ChangeDirection.DETERIORATION)
    change = phq.change(phq9_total(10), phq9_total(14))
    assert change.direction is ChangeDirection.NO_MEANINGFUL_CHANGE
    assert change.response is None  # only the PCL-5 has a response threshold


def who5_raw(raw: int):
    return get("who-5").score(answers_for("who-5", spread(5, raw, 0, 5)))


def test_who5_change_is_read_in_percentage_points():
    who = get("who-5")

    # 12 -> 14 raw is 48 % -> 56 %: 8 points, not meaningful.
    change = who.change(who5_raw(12), who5_raw(14))
    assert (change.before, change.after, change.difference) == (48, 56, 8)
    assert change.meaningful is False
    # 12 -> 15 raw is 48 % -> 60 %: 12 points, an improvement (higher is better).
    change = who.change(who5_raw(12), who5_raw(15))
    assert (change.difference, change.direction) == (12, ChangeDirection.IMPROVEMENT)
    change = who.change(who5_raw(15), who5_raw(12))
    assert (change.difference, change.direction) == (-12, ChangeDirection.DETERIORATION)
    change = who.change(who5_raw(15), who5_raw(13))
    assert change.direction is ChangeDirection.NO_MEANINGFUL_CHANGE


def gad7_total(total: int):
    return get("gad-7").score(answers_for("gad-7", spread(7, total, 0, 3)))


def test_gad7_change_threshold_is_4():
    gad = get("gad-7")

    assert gad.change(gad7_total(12), gad7_total(8)).direction is ChangeDirection.IMPROVEMENT
    assert gad.change(gad7_total(12), gad7_total(9)).meaningful is False
    assert gad.change(gad7_total(8), gad7_total(12)).direction is ChangeDirection.DETERIORATION
    assert gad.change(gad7_total(8), gad7_total(11)).meaningful is False


def test_pcl5_change_of_10_is_meaningful_and_5_is_a_response():
    pcl = get("pcl-5")
    score = {total: pcl.score(with_total(total)) for total in (30, 35, 36, 40, 41, 50)}

    change = pcl.change(score[50], score[40])
    assert (change.difference, change.meaningful, change.response) == (-10, True, True)
    assert change.direction is ChangeDirection.IMPROVEMENT
    change = pcl.change(score[50], score[41])
    assert (change.meaningful, change.response) == (False, True)
    assert change.direction is ChangeDirection.NO_MEANINGFUL_CHANGE
    change = pcl.change(score[40], score[35])
    assert (change.difference, change.response) == (-5, True)
    change = pcl.change(score[40], score[36])
    assert (change.difference, change.response) == (-4, False)
    change = pcl.change(score[30], score[40])
    assert (change.direction, change.response) == (ChangeDirection.DETERIORATION, False)
    change = pcl.change(score[30], score[35])
    assert (change.meaningful, change.response) == (False, False)


def test_instruments_without_a_published_threshold_do_not_judge_change():
    k10 = get("k10")
    before = k10.score(answers_for("k10", [5] * 10))
    after = k10.score(answers_for("k10", [1] * 10))
    change = k10.change(before, after)

    assert change.difference == -40
    assert change.meaningful is False
    assert change.direction is ChangeDirection.NO_THRESHOLD
    assert change.threshold is None


def test_brs_and_pwi_change_is_exact():
    brs = get("brs")
    change = brs.change(
        brs.score(answers_for("brs", [3, 3, 3, 3, 3, 4])),
        brs.score(answers_for("brs", [3, 3, 3, 3, 3, 3])),
    )
    assert change.difference == Fraction(1, 6)


def test_change_needs_two_scores_of_the_same_instrument():
    with pytest.raises(ValueError):
        get("phq-9").change(phq9_total(10), gad7_total(10))
    with pytest.raises(ValueError):
        get("gad-7").change(phq9_total(10), phq9_total(5))
