"""Forms of the circle and proposal pages. They parse what was typed; the rules live in
`services`, whose `ValidationError`s the views put back on the field they name."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hearth.core.forms import HearthForm

from . import services
from .models import Circle, CircleMember, Proposal

DATE_WIDGET = {"type": "date", "class": "govuk-input--width-10"}


def _date_field(label, help_text=None, **kwargs):
    return forms.DateField(
        label=label,
        help_text=help_text,
        widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter a date."),
            "invalid": _("Enter a real date, like 2026-07-31."),
        },
        **kwargs,
    )


# --- circles ----------------------------------------------------------------------------------


class CircleForm(HearthForm):
    name = forms.CharField(
        label=_("Name of the circle"),
        max_length=200,
        error_messages={"required": _("Give the circle a name.")},
    )
    kind = forms.ChoiceField(
        label=_("What kind of circle is it?"),
        choices=Circle.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what kind of circle this is.")},
    )
    description = forms.CharField(
        label=_("Purpose"),
        help_text=_("What the circle is for and what it decides."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, places=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.places = {value: place for value, _label, place in places or []}
        if places is not None:
            self.fields["place"] = forms.ChoiceField(
                label=_("Where does the circle sit?"),
                help_text=_("An organization you administer or a network you coordinate."),
                choices=[(value, label) for value, label, _place in places],
                error_messages={"required": _("Choose where the circle sits.")},
            )
            self.order_fields(["name", "kind", "place", "description"])

    def place(self):
        return self.places.get(self.cleaned_data.get("place"))


class MemberAddForm(HearthForm):
    email = forms.CharField(
        label=_("Their e-mail address"),
        help_text=_(
            "A staff role is not needed: anyone can be a member. Someone without a Hearth account "
            "gets an invitation link by e-mail, to make one and join."
        ),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Enter their e-mail address.")},
    )
    role = forms.ChoiceField(
        label=_("Role in the circle"),
        help_text=_(
            "Facilitators run the process: members, outcomes. Every voice counts the same."
        ),
        choices=CircleMember.Role.choices,
        initial=CircleMember.Role.MEMBER,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose member or facilitator.")},
    )


# --- discussions ------------------------------------------------------------------------------


class ThreadForm(HearthForm):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={"required": _("Give the discussion a title.")},
    )
    body = forms.CharField(
        label=_("Opening words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class CommentForm(HearthForm):
    body = forms.CharField(
        label=_("Your comment"),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write a comment.")},
    )


# --- proposals --------------------------------------------------------------------------------


def _optional_reason_choices():
    """Responses a proposer may ask a reason for (block, objection and the like always need
    one), once each even where processes share a position."""
    seen: dict[str, object] = {}
    for positions in services.POSITIONS.values():
        for key, label in positions:
            if key not in services.ALWAYS_NEED_REASON and key not in seen:
                seen[key] = label
    return list(seen.items())


class ClosingTimeMixin(forms.Form):
    closes_on = _date_field(_("Closes on"))
    closes_time = forms.TimeField(
        label=_("At"),
        help_text=_("24-hour clock, like 17:00."),
        initial=time(17, 0),
        widget=forms.TimeInput(
            attrs={"type": "time", "class": "govuk-input--width-5"}, format="%H:%M"
        ),
        error_messages={
            "required": _("Enter the closing time."),
            "invalid": _("Enter the time like 17:00."),
        },
    )

    def closes_at(self) -> datetime | None:
        day, moment = self.cleaned_data.get("closes_on"), self.cleaned_data.get("closes_time")
        if day is None or moment is None:
            return None
        return timezone.make_aware(datetime.combine(day, moment))


class ProposalForm(ClosingTimeMixin, HearthForm):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={"required": _("Give the proposal a title.")},
    )
    body = forms.CharField(
        label=_("What do you propose?"),
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Say what is proposed.")},
    )
    process = forms.ChoiceField(
        label=_("How will the circle decide?"),
        choices=Proposal.Process.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the circle decides.")},
    )
    options = forms.CharField(
        label=_("Options (for a poll, score, dot vote or ranked choice)"),
        help_text=_("One option a line."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    seats = forms.IntegerField(
        label=_("Ranked choice: how many options are chosen"),
        help_text=_("One uses instant runoff; more than one uses the single transferable vote."),
        initial=1,
        required=False,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
    )
    dots_per_member = forms.IntegerField(
        label=_("Dot vote: dots each member places"),
        initial=5,
        required=False,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
    )
    score_max = forms.IntegerField(
        label=_("Score: the highest score"),
        initial=5,
        required=False,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
    )
    quorum_percent = forms.IntegerField(
        label=_("Quorum (per cent of members, optional)"),
        help_text=_(
            "The share of the circle's members when the proposal opens who must respond for the "
            "result to count."
        ),
        required=False,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
    )
    anonymous = forms.BooleanField(
        label=_("Anonymous responses"),
        help_text=_(
            "Nobody, not even the facilitators, can see how anyone responded. This cannot be "
            "turned off later, and results stay hidden until it closes."
        ),
        required=False,
    )
    results_visible = forms.ChoiceField(
        label=_("When can members see the results?"),
        choices=Proposal.ResultsVisible.choices,
        initial=Proposal.ResultsVisible.ALWAYS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose when results can be seen.")},
    )
    reasons_for = forms.MultipleChoiceField(
        label=_("Which responses need a reason?"),
        help_text=_("A block, an objection, a concern, advice and a veto always need one."),
        choices=_optional_reason_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reasons_for_every_option = forms.BooleanField(
        label=_("Ask for a reason with every option of a poll"), required=False
    )

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        process = data["process"]
        options = [line for line in (data.get("options") or "").splitlines() if line.strip()]
        own = {key for key, _label in services.POSITIONS.get(process, [])}
        reasons = [key for key in data.get("reasons_for") or [] if key in own]
        if process == Proposal.Process.POLL and data.get("reasons_for_every_option"):
            reasons += [f"o{number}" for number in range(1, len(options) + 1)]
        return {
            "title": data["title"],
            "body": data["body"],
            "process": process,
            "options": options,
            "seats": data.get("seats") or 1,
            "dots_per_member": data.get("dots_per_member") or 0,
            "score_max": data.get("score_max") or 0,
            "quorum_percent": data.get("quorum_percent"),
            "anonymous": data.get("anonymous", False),
            "results_visible": data["results_visible"],
            "reasons_required_for": reasons,
            "closes_at": self.closes_at(),
        }


class AmendForm(ClosingTimeMixin, HearthForm):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={"required": _("Give the proposal a title.")},
    )
    body = forms.CharField(
        label=_("The amended proposal"),
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Say what is proposed.")},
    )
    options = forms.CharField(
        label=_("Options"),
        help_text=_("One option a line."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, proposal: Proposal, **kwargs):
        closes = timezone.localtime(proposal.closes_at)
        kwargs.setdefault(
            "initial",
            {
                "title": proposal.title,
                "body": proposal.body,
                "options": "\n".join(option["label"] for option in proposal.options),
                "closes_on": closes.date(),
                "closes_time": closes.time().replace(second=0, microsecond=0),
            },
        )
        super().__init__(*args, **kwargs)
        if proposal.process not in services.OPTION_PROCESSES:
            del self.fields["options"]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        arguments = {"title": data["title"], "body": data["body"], "closes_at": self.closes_at()}
        if "options" in self.fields:
            arguments["options"] = [
                line for line in (data.get("options") or "").splitlines() if line.strip()
            ]
        return arguments


class OutcomeForm(HearthForm):
    outcome = forms.CharField(
        label=_("What did the circle decide?"),
        help_text=_(
            "In your own words: what was decided, any stand-asides or concerns to keep in mind. "
            "Hearth records what you write; it never declares consensus itself."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write what the circle decided.")},
    )
    review_at = _date_field(
        _("Review the decision on"), _("Every decision has a review date. Members are reminded.")
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"review_at": timezone.localdate() + timedelta(days=180)})
        super().__init__(*args, **kwargs)


# --- responses --------------------------------------------------------------------------------


def _number_widget():
    return forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"})


class ResponseForm(HearthForm):
    """A response fitted to the proposal's process: one position with a reason, a score for each
    option, dots on options, or options in order of preference."""

    def __init__(self, *args, proposal: Proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        process = proposal.process
        self.option_fields: list[str] = []
        if process in services.BALLOT_PROCESSES:
            if process == Proposal.Process.SCORE:
                for option in proposal.options:
                    name = f"score_{option['key']}"
                    self.fields[name] = forms.IntegerField(
                        label=option["label"],
                        help_text=_("From 0 to %(max)d; leave it empty to not score it")
                        % {"max": proposal.score_max},
                        required=False,
                        widget=_number_widget(),
                        error_messages={"invalid": _("Scores are whole numbers.")},
                    )
                    self.option_fields.append(name)
            elif process == Proposal.Process.DOTS:
                for option in proposal.options:
                    name = f"dots_{option['key']}"
                    self.fields[name] = forms.IntegerField(
                        label=option["label"],
                        initial=0,
                        required=False,
                        widget=_number_widget(),
                        error_messages={"invalid": _("Dots are whole numbers, 0 or more.")},
                    )
                    self.option_fields.append(name)
            else:
                choices = [("", _("(none)"))] + [
                    (option["key"], option["label"]) for option in proposal.options
                ]
                for place in range(1, len(proposal.options) + 1):
                    name = f"place_{place}"
                    self.fields[name] = forms.ChoiceField(
                        label=_("Choice %(place)d") % {"place": place},
                        choices=choices,
                        required=False,
                        error_messages={"invalid_choice": _("Choose one of the options.")},
                    )
                    self.option_fields.append(name)
            self.fields["reason"] = forms.CharField(
                label=_("Anything to add (optional)"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        else:
            self.fields["position"] = forms.ChoiceField(
                label=_("Your response"),
                choices=services.positions_for(proposal),
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose one of the responses."),
                    "invalid_choice": _("Choose one of the responses."),
                },
            )
            needing = [
                label
                for key, label in services.positions_for(proposal)
                if services.reason_required(proposal, key)
            ]
            self.fields["reason"] = forms.CharField(
                label=_("Your reason"),
                help_text=(
                    _("Needed for: %(responses)s.") % {"responses": "; ".join(needing)}
                    if needing
                    else _("Optional.")
                ),
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            )

    def option_bound_fields(self):
        return [self[name] for name in self.option_fields]

    # A service error about the structured ballot lands on its first input.
    @property
    def error_fields(self):
        first = self.option_fields[:1]
        return {"scores": first, "dots": first, "ranking": first}

    def ballot(self) -> services.Ballot:
        data = self.cleaned_data
        process = self.proposal.process
        reason = data.get("reason") or ""
        if process == Proposal.Process.SCORE:
            return services.Ballot(
                scores={
                    option["key"]: data[f"score_{option['key']}"]
                    for option in self.proposal.options
                    if data.get(f"score_{option['key']}") is not None
                },
                reason=reason,
            )
        if process == Proposal.Process.DOTS:
            return services.Ballot(
                dots={
                    option["key"]: data.get(f"dots_{option['key']}") or 0
                    for option in self.proposal.options
                },
                reason=reason,
            )
        if process == Proposal.Process.RANKED:
            ranking = [data[name] for name in self.option_fields if data.get(name)]
            return services.Ballot(ranking=ranking, reason=reason)
        return services.Ballot(position=data["position"], reason=reason)
