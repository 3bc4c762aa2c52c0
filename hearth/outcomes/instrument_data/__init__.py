"""The instruments' own words: one module per instrument with its name, instructions, items,
response options, band texts and licence notes, in English ("en") and Spanish ("es").

These are data, not UI strings: the published wordings are reproduced as they stand, so they do
not go through gettext. Spanish wordings that are Hearth's own translation (no official version
known to us with certainty) carry a `# translation: Hearth` comment so they can be reviewed.
Scoring rules live in `hearth/outcomes/instruments.py`.
"""
