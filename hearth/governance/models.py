"""Democratic governance and open books: circles that decide together, participatory budgeting,
and a double-entry ledger (REFERENCES §6 to §8).

The counting rules are pure functions (`counting.py`, `budgeting.py`); these models hold who
may take part, what was proposed, every response (history kept), and the books."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hearth.accounts.models import Network, Organization


class Circle(models.Model):
    """A cooperative, coalition, committee or lived-experience advisory board, inside an
    organization or a network. Members have equal standing; facilitators run the process, not
    the outcome. Community members without a staff role can be members."""

    class Kind(models.TextChoices):
        COOPERATIVE = "cooperative", _("Worker cooperative")
        COALITION = "coalition", _("Coalition")
        COMMITTEE = "committee", _("Committee")
        ADVISORY_BOARD = "advisory_board", _("Lived-experience advisory board")
        OTHER = "other", _("Other circle")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(unique=True, max_length=80)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind of circle"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("purpose"), blank=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="circles"
    )
    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, null=True, blank=True, related_name="circles"
    )
    # Unresolved items escalate to the parent circle.
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="sub_circles"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CircleMember(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        FACILITATOR = "facilitator", _("Facilitator")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="circle_memberships"
    )
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["circle", "user"], name="one_membership_per_circle")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.circle_id}"


class Thread(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="threads")
    title = models.CharField(max_length=200)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Comment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Comment {self.id}"


class Proposal(models.Model):
    """Something a circle decides, by one process. An amendment is a new version (a new row
    pointing at the one it replaces) that needs fresh responses."""

    class Process(models.TextChoices):
        ADVICE = "advice", _("Advice")
        CONSENT = "consent", _("Consent (consent / objection)")
        CONSENSUS = "consensus", _("Consensus (agree / abstain / disagree / block)")
        GRADIENTS = "gradients", _("Gradients of agreement")
        POLL = "poll", _("Simple poll")
        SCORE = "score", _("Score")
        DOTS = "dots", _("Dot vote")
        RANKED = "ranked", _("Ranked choice")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("proposal status", "Open")
        HELD = "held", _("Held by a block or objection")
        CLOSED = "closed", _("Closed")
        WITHDRAWN = "withdrawn", pgettext_lazy("proposal status", "Withdrawn")
        SUPERSEDED = "superseded", _("Replaced by an amended version")
        ESCALATED = "escalated", _("Escalated to the wider circle")

    class ResultsVisible(models.TextChoices):
        ALWAYS = "always", _("While voting")
        AFTER_VOTING = "after_voting", _("To each member once they have responded")
        AFTER_CLOSE = "after_close", _("Only after it closes")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    circle = models.ForeignKey(Circle, on_delete=models.PROTECT, related_name="proposals")
    thread = models.ForeignKey(
        Thread, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals"
    )
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="amended_by"
    )
    version = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=200)
    body = models.TextField()
    process = models.CharField(max_length=12, choices=Process.choices)
    # Options for polls, scores, dot votes and ranked choice: [{"key", "label"}].
    options = models.JSONField(default=list, blank=True)
    seats = models.PositiveSmallIntegerField(default=1)  # ranked choice: several seats use STV
    dots_per_member = models.PositiveSmallIntegerField(default=0)
    score_max = models.PositiveSmallIntegerField(default=0)
    closes_at = models.DateTimeField()
    # Quorum: ballots cast as a share of the electorate counted when the proposal opened.
    quorum_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    electorate_at_opening = models.PositiveIntegerField(default=0)
    anonymous = models.BooleanField(default=False)
    results_visible = models.CharField(
        max_length=12, choices=ResultsVisible.choices, default=ResultsVisible.ALWAYS
    )
    # Which responses need a reason (always including block and objection).
    reasons_required_for = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Written by a facilitator: the software records an outcome, it does not declare consensus.
    outcome = models.TextField(blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    review_at = models.DateField(null=True, blank=True)
    escalated_to = models.ForeignKey(
        Circle, on_delete=models.SET_NULL, null=True, blank=True, related_name="escalations"
    )
    reminded_closing_at = models.DateTimeField(null=True, blank=True)
    reminded_review_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return self.title


class Response(models.Model):
    """One response to one version of a proposal. A member may change it until the proposal
    closes: every response is kept, the latest counts. In an anonymous proposal the voter is
    never stored: `voter_digest` (keyed, one-way) only lets the member's own later response
    replace their earlier one."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="responses")
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    voter_digest = models.CharField(max_length=64, db_index=True)
    # The position (agree, block, consent, objection, an option key...) or, for scores, dots and
    # rankings, a structured ballot.
    position = models.CharField(max_length=40, blank=True)
    ballot = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    is_latest = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["proposal", "is_latest"])]

    def __str__(self) -> str:
        return f"Response {self.id}"


class Participation(models.Model):
    """That a member responded (never how): for one-ballot checks and "who has responded",
    which stays hidden for anonymous proposals until at least 3 ballots exist."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    first_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="one_participation")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} responded to {self.proposal_id}"


# --- participatory budgeting ---


class BudgetRound(models.Model):
    class Status(models.TextChoices):
        PROPOSING = "proposing", _("Collecting project proposals")
        VOTING = "voting", _("Voting")
        CLOSED = "closed", _("Closed, results published")

    class Rule(models.TextChoices):
        EQUAL_SHARES = "equal_shares", _("Method of Equal Shares")
        GREEDY = "greedy", _("Most approvals first (greedy)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    circle = models.ForeignKey(Circle, on_delete=models.PROTECT, related_name="budget_rounds")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    budget = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    rule = models.CharField(max_length=14, choices=Rule.choices, default=Rule.EQUAL_SHARES)
    min_projects = models.PositiveSmallIntegerField(default=0)
    max_projects = models.PositiveSmallIntegerField(null=True, blank=True)
    min_share_percent = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSING)
    voting_opens_at = models.DateTimeField(null=True, blank=True)
    voting_closes_at = models.DateTimeField(null=True, blank=True)
    # The published results: per project, funded or not and why (from budgeting.py).
    results = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class BudgetProject(models.Model):
    class Accountability(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        STOPPED = "stopped", _("Stopped")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(BudgetRound, on_delete=models.CASCADE, related_name="projects")
    code = models.CharField(max_length=40)  # the project id in a .pb file
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    cost = models.DecimalField(max_digits=14, decimal_places=2)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    funded = models.BooleanField(null=True)
    accountability = models.CharField(
        max_length=12, choices=Accountability.choices, default=Accountability.NOT_STARTED
    )
    progress_percent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["round", "code"], name="one_code_per_round")]

    def __str__(self) -> str:
        return self.name


class ProjectUpdate(models.Model):
    project = models.ForeignKey(BudgetProject, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Update on {self.project_id}"


class ApprovalBallot(models.Model):
    """An approval ballot: the projects approved. The voter is kept only as a keyed digest, so
    results and exports never name who approved what."""

    round = models.ForeignKey(BudgetRound, on_delete=models.CASCADE, related_name="ballots")
    voter_digest = models.CharField(max_length=64)
    projects = models.JSONField(default=list)
    cast_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "voter_digest"], name="one_ballot_per_voter")
        ]

    def __str__(self) -> str:
        return f"Ballot in {self.round_id}"


# --- open books ---


class Ledger(models.Model):
    """The books of an organization or a circle."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="ledgers"
    )
    circle = models.ForeignKey(
        Circle, on_delete=models.PROTECT, null=True, blank=True, related_name="ledgers"
    )
    name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3, default="USD")
    is_public = models.BooleanField(default=False)
    # Expenses above this need a second approver (empty: one approver is enough).
    second_approval_above = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True
    )

    def __str__(self) -> str:
        return self.name


class Account(models.Model):
    class Kind(models.TextChoices):
        ASSET = "asset", _("Asset")
        LIABILITY = "liability", _("Liability")
        EQUITY = "equity", _("Equity")
        INCOME = "income", _("Income")
        EXPENSE = "expense", _("Expense")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ledger = models.ForeignKey(Ledger, on_delete=models.CASCADE, related_name="accounts")
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["ledger", "code"], name="one_account_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class JournalLine(models.Model):
    """One side of a double-entry movement; lines sharing `group` balance (debits = credits)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ledger = models.ForeignKey(Ledger, on_delete=models.PROTECT, related_name="lines")
    group = models.UUIDField(db_index=True)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    debit = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    credit = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    date = models.DateField(db_index=True)
    description = models.CharField(max_length=300)
    category = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.description}: {self.debit or -self.credit}"


class BudgetLine(models.Model):
    """What the books planned to spend or receive on an account in a year."""

    ledger = models.ForeignKey(Ledger, on_delete=models.CASCADE, related_name="budget_lines")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="budget_lines")
    year = models.PositiveSmallIntegerField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "year"], name="one_budget_line")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.year}"


class Expense(models.Model):
    """draft → pending → approved → paid, or rejected / cancelled. The submitter never approves
    their own; editing an approved expense sends it back for approval."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", pgettext_lazy("expense status", "Approved")
        PAID = "paid", _("Paid")
        REJECTED = "rejected", _("Not approved")
        CANCELLED = "cancelled", _("Cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ledger = models.ForeignKey(Ledger, on_delete=models.PROTECT, related_name="expenses")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="expenses")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    description = models.CharField(max_length=300)
    category = models.CharField(max_length=100, blank=True)
    spent_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    second_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Private: never in a public view or export.
    payment_details = models.TextField(blank=True)
    attachment = models.FileField(upload_to="expenses/", blank=True)
    journal_group = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.description
