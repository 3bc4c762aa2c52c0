import re
from pathlib import Path

from hearth.core.audit import describe_action

SOURCE = Path(__file__).resolve().parents[2] / "hearth"


def test_every_recorded_action_has_a_plain_language_description():
    codes = set()
    for path in SOURCE.rglob("*.py"):
        codes |= set(re.findall(r'action="(hearth\.[a-z_.]+)"', path.read_text()))

    assert len(codes) >= 20
    undescribed = sorted(code for code in codes if describe_action(code) == code)
    assert undescribed == []
