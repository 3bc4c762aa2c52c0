"""API tokens: an organization admin creates and revokes the tokens its own systems use."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hearth.accounts import rules as account_rules
from hearth.accounts.selectors import organization_for_viewer
from hearth.core.forms import HearthForm, add_service_errors, posted

from . import services
from .models import ApiToken


class TokenForm(HearthForm):
    name = forms.CharField(
        label=gettext_lazy("What will use this token?"),
        help_text=gettext_lazy("For example: our case-management system."),
        max_length=100,
    )


def _organization_for_admin(user, slug):
    organization = organization_for_viewer(user, slug)
    if not account_rules.is_org_admin(user, organization):
        raise Http404
    return organization


@login_required
def api_tokens(request, slug):
    organization = _organization_for_admin(request.user, slug)
    form = TokenForm(posted(request))
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _record, new_token = services.api_token_create(
                actor=request.user, organization=organization, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            form = TokenForm()
    tokens = ApiToken.objects.filter(organization=organization, revoked_at__isnull=True).order_by(
        "-created_at"
    )
    response = render(
        request,
        "referrals/api_tokens.html",
        {"organization": organization, "form": form, "tokens": tokens, "new_token": new_token},
    )
    return response


@login_required
@require_POST
def api_token_revoke(request, slug, token_id):
    organization = _organization_for_admin(request.user, slug)
    services.api_token_revoke(actor=request.user, organization=organization, token_id=token_id)
    messages.success(
        request, _("The token has been revoked; systems using it can no longer sign in.")
    )
    return redirect("referral-tokens:list", organization.slug)
