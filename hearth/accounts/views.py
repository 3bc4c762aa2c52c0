"""Pages for signing in, one's own account, organizations and networks. Thin: parse the
request, ask a selector or call a service, render."""

from __future__ import annotations

from functools import partial

import segno
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from hearth.core.context_processors import CONTEXT_SESSION_KEY
from hearth.core.forms import add_service_errors, posted
from hearth.core.middleware import client_address
from hearth.core.pagination import paginate

from . import forms, rules, selectors, services
from .models import Organization, User


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _activate_language(request, response, language: str):
    translation.activate(language)
    response.set_cookie(
        "hearth_language",
        language,
        samesite="Lax",
        secure=request.is_secure() or False,
    )
    return response


# ---------------------------------------------------------------------------------------------
# Signing in and out


@sensitive_post_parameters("password")
def sign_in(request):
    if request.user.is_authenticated:
        return redirect("accounts:home")
    form = forms.SignInForm(posted(request))
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        origin = client_address(request)
        if services.sign_in_locked(email=email, origin_address=origin):
            form.add_error(
                None,
                _(
                    "There have been too many attempts to sign in. Wait 15 minutes, then try"
                    " again, or reset your password."
                ),
            )
        else:
            user = authenticate(request, email=email, password=form.cleaned_data["password"])
            known = None if user else User.objects.filter(email=email).first()
            services.sign_in_attempt_record(
                email=email, origin_address=origin, user=user or known, succeeded=user is not None
            )
            if user is not None:
                login(request, user)
                response = HttpResponseRedirect(_safe_next(request, reverse("accounts:home")))
                return _activate_language(request, response, user.preferred_language)
            form.add_error(None, _("The e-mail address or password is not right."))
    return render(
        request, "accounts/sign_in.html", {"form": form, "next": request.GET.get("next", "")}
    )


@require_POST
def sign_out(request):
    if request.user.is_authenticated:
        services.sign_out_record(user=request.user, how="sign_out")
    logout(request)
    messages.success(request, _("You have signed out."))
    return redirect("core:home")


@login_required
def two_factor(request):
    """Verify with an existing authenticator, or set one up when there is none."""
    if request.user.is_verified():
        return redirect(_safe_next(request, reverse("accounts:home")))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect(reverse("accounts:two-factor-setup") + _next_query(request))
    form = forms.TokenForm(posted(request))
    if request.method == "POST" and form.is_valid():
        allowed, _detail = device.verify_is_allowed()
        if not allowed:
            form.add_error(None, _("Too many wrong codes. Wait a minute, then try again."))
        elif device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            return redirect(_safe_next(request, reverse("accounts:home")))
        else:
            form.add_error("token", _("That code is not right. Check the app and try again."))
    return render(request, "accounts/two_factor.html", {"form": form})


def _next_query(request) -> str:
    target = request.GET.get("next")
    return "?" + urlencode({"next": target}) if target else ""


@login_required
def two_factor_setup(request):
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists() and not (
        request.user.is_verified()
    ):
        # Replacing an authenticator needs the current one first.
        return redirect("accounts:two-factor")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = services.two_factor_device_start(user=request.user)
    form = forms.TokenForm(posted(request))
    if request.method == "POST" and form.is_valid():
        if services.two_factor_device_confirm(
            user=request.user, device=device, token=form.cleaned_data["token"]
        ):
            otp_login(request, device)
            messages.success(request, _("Two-factor sign-in is set up."))
            return redirect(_safe_next(request, reverse("accounts:home")))
        form.add_error("token", _("That code is not right. Check the app and try again."))
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, border=2, dark="#0b0c0c")
    secret = _base32_secret(device)
    return render(
        request, "accounts/two_factor_setup.html", {"form": form, "qr_svg": qr, "secret": secret}
    )


def _base32_secret(device: TOTPDevice) -> str:
    import base64

    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


class PasswordResetView(auth_views.PasswordResetView):
    form_class = forms.HearthPasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-sent")


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = forms.HearthSetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = forms.HearthPasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


# ---------------------------------------------------------------------------------------------
# One's own account


@login_required
def home(request):
    return render(
        request,
        "accounts/home.html",
        {
            "memberships": selectors.memberships_of(request.user),
            "networks": selectors.networks_coordinated_by(request.user),
        },
    )


@login_required
def account(request):
    user = request.user
    form = forms.ProfileForm(
        posted(request),
        initial={"full_name": user.full_name, "preferred_language": user.preferred_language},
    )
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(actor=user, user=user, **form.cleaned_data)
        messages.success(request, _("Your details have been saved."))
        return _activate_language(
            request, redirect("accounts:account"), form.cleaned_data["preferred_language"]
        )
    return render(
        request,
        "accounts/account.html",
        {
            "form": form,
            "has_two_factor": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "needs_two_factor": rules.needs_two_factor(user),
        },
    )


@login_required
@require_POST
def switch_context(request):
    value = request.POST.get("context", "")
    if value in {v for v, _label in selectors.switchable_contexts(request.user)}:
        request.session[CONTEXT_SESSION_KEY] = value
    kind, _sep, slug = value.partition(":")
    fallback = reverse("accounts:home")
    if kind == "organization":
        fallback = reverse("accounts:organization", args=[slug])
    elif kind == "network":
        fallback = reverse("accounts:network", args=[slug])
    return redirect(fallback)


# ---------------------------------------------------------------------------------------------
# Organizations


@login_required
def organizations(request):
    items = selectors.organizations_visible_to(request.user)
    kind = request.GET.get("kind", "")
    if kind in Organization.Kind.values:
        items = items.filter(kind=kind)
    query = request.GET.get("q", "").strip()
    if query:
        items = items.filter(name__icontains=query)
    return render(
        request,
        "accounts/organizations.html",
        {
            "page": paginate(request, items),
            "kinds": Organization.Kind.choices,
            "kind": kind,
            "query": query,
            "can_create": request.user.is_superuser
            or selectors.networks_coordinated_by(request.user).exists(),
        },
    )


@login_required
def organization_create(request):
    networks = (
        selectors.Network.objects.all()
        if request.user.is_superuser
        else selectors.networks_coordinated_by(request.user)
    )
    if not networks.exists():
        raise Http404
    form = forms.OrganizationCreateForm(posted(request), networks=networks)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        network = data.pop("network")
        try:
            organization = services.organization_create(actor=request.user, network=network, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The organization has been created."))
            return redirect("accounts:organization", organization.slug)
    return render(request, "accounts/organization_form.html", {"form": form, "creating": True})


@login_required
def organization_detail(request, slug):
    organization = selectors.organization_for_viewer(request.user, slug)
    return render(
        request,
        "accounts/organization.html",
        {
            "organization": organization,
            "networks": selectors.networks_with_visibility(request.user, organization),
            "can_manage": request.user.is_superuser
            or rules.can_manage_organization(request.user, organization),
            "keeps_listings": rules.keeps_directory_listings(request.user, organization),
            "is_admin": rules.is_org_admin(request.user, organization),
        },
    )


@login_required
def organization_edit(request, slug):
    organization = selectors.organization_for_manager(request.user, slug)
    fields = ["name", "kind", "description", "town", "website", "email", "phone"]
    form = forms.OrganizationForm(
        posted(request), initial={name: getattr(organization, name) for name in fields}
    )
    if request.method == "POST" and form.is_valid():
        services.organization_update(
            actor=request.user, organization=organization, **form.cleaned_data
        )
        messages.success(request, _("The organization's details have been saved."))
        return redirect("accounts:organization", organization.slug)
    return render(
        request, "accounts/organization_form.html", {"form": form, "organization": organization}
    )


@login_required
def organization_members(request, slug):
    organization = selectors.organization_for_manager(request.user, slug)
    members = selectors.organization_members(organization)
    return render(
        request,
        "accounts/members.html",
        {
            "organization": organization,
            "page": paginate(request, members, per_page=50),
            "roles": forms.Role.choices,
        },
    )


@login_required
@require_POST
def member_change_role(request, slug, membership_id):
    organization = selectors.organization_for_manager(request.user, slug)
    membership = selectors.membership_in(organization, membership_id)
    form = forms.MemberRoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_change_role(
                actor=request.user, membership=membership, role=form.cleaned_data["role"]
            )
            messages.success(request, _("The role has been changed."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _("Choose a role from the list."))
    return redirect("accounts:members", organization.slug)


@login_required
def member_remove(request, slug, membership_id):
    organization = selectors.organization_for_manager(request.user, slug)
    membership = selectors.membership_in(organization, membership_id)
    if request.method == "POST":
        try:
            services.membership_remove(actor=request.user, membership=membership)
            messages.success(request, _("The member has been removed from the organization."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("accounts:members", organization.slug)
    return render(
        request,
        "accounts/confirm.html",
        {
            "title": _("Remove %(name)s from %(organization)s?")
            % {"name": membership.user.full_name, "organization": organization.name},
            "body": _("They will no longer be able to act for this organization."),
            "button": _("Remove member"),
            "cancel_url": reverse("accounts:members", args=[organization.slug]),
        },
    )


@login_required
@require_POST
def member_reset_two_factor(request, slug, membership_id):
    organization = selectors.organization_for_manager(request.user, slug)
    membership = selectors.membership_in(organization, membership_id)
    services.two_factor_reset(actor=request.user, user=membership.user, organization=organization)
    messages.success(
        request,
        _("%(name)s will set up a new authenticator app at their next sign-in.")
        % {"name": membership.user.full_name},
    )
    return redirect("accounts:members", organization.slug)


@login_required
def organization_invitations(request, slug):
    organization = selectors.organization_for_manager(request.user, slug)
    form = forms.InvitationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(
                actor=request.user,
                organization=organization,
                base_url=request.build_absolute_uri("/"),
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("An invitation has been sent to %(email)s.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("accounts:invitations", organization.slug)
    return render(
        request,
        "accounts/invitations.html",
        {
            "organization": organization,
            "form": form,
            "invitations": selectors.open_invitations(organization),
        },
    )


@login_required
@require_POST
def invitation_revoke(request, slug, invitation_id):
    organization = selectors.organization_for_manager(request.user, slug)
    invitation = selectors.invitation_in(organization, invitation_id)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
        messages.success(request, _("The invitation has been withdrawn."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("accounts:invitations", organization.slug)


@sensitive_post_parameters("password")
def invitation_accept(request, token):
    invitation = services.invitation_find(token)
    if invitation is None or not invitation.is_open():
        return render(request, "accounts/invitation_closed.html", status=410 if invitation else 404)
    user = request.user if request.user.is_authenticated else None
    if user is None and User.objects.filter(email=invitation.email).exists():
        messages.info(request, _("Sign in to accept the invitation."))
        return redirect(reverse("accounts:sign-in") + "?" + urlencode({"next": request.path}))
    form = forms.AcceptInvitationForm(posted(request)) if user is None else None
    if request.method == "POST" and (form is None or form.is_valid()):
        data = form.cleaned_data if form is not None else {}
        try:
            joined = services.invitation_accept(invitation=invitation, user=user, **data)
        except ValidationError as error:
            if form is None:
                messages.error(request, " ".join(error.messages))
                return redirect("accounts:home")
            add_service_errors(form, error)
        else:
            if user is None:
                login(request, joined.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Welcome to %(organization)s.")
                % {"organization": services.invitation_joins(invitation)},
            )
            return redirect(services.invitation_next_url(invitation))
    return render(
        request,
        "accounts/invitation_accept.html",
        {
            "invitation": invitation,
            "joins": services.invitation_joins(invitation),
            "form": form,
            "signed_in_user": user,
        },
    )


@login_required
def organization_audit(request, slug):
    organization = selectors.organization_for_manager(request.user, slug)
    return _audit_page(
        request,
        scope_name=organization.name,
        select=partial(selectors.audit_records_for_organization, organization),
        back_url=reverse("accounts:organization", args=[organization.slug]),
    )


def _audit_page(request, *, scope_name, select, back_url):
    """One audit page for any scope: `select(**filters)` returns that scope's records."""
    everything = select()
    form = forms.AuditFilterForm(
        request.GET or None, actions=selectors.audit_action_codes(everything)
    )
    if not form.is_bound:
        records = everything
    elif form.is_valid():
        records = select(**{key: value for key, value in form.cleaned_data.items() if value})
    else:
        records = everything.none()
    return render(
        request,
        "accounts/audit.html",
        {
            "form": form,
            "scope_name": scope_name,
            "page": paginate(request, records, per_page=50),
            "back_url": back_url,
        },
    )


# ---------------------------------------------------------------------------------------------
# Networks


@login_required
def networks(request):
    items = (
        selectors.Network.objects.order_by("name")
        if request.user.is_superuser
        else selectors.networks_of(request.user)
    )
    return render(
        request,
        "accounts/networks.html",
        {"page": paginate(request, items), "can_create": request.user.is_superuser},
    )


@login_required
def network_create(request):
    if not request.user.is_superuser:
        raise Http404
    form = forms.NetworkCreateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            network = services.network_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The network has been created."))
            return redirect("accounts:network", network.slug)
    return render(request, "accounts/network_form.html", {"form": form, "creating": True})


@login_required
def network_detail(request, slug):
    network = selectors.network_for_viewer(request.user, slug)
    is_coordinator = request.user.is_superuser or rules.is_network_coordinator(
        request.user, network
    )
    return render(
        request,
        "accounts/network.html",
        {
            "network": network,
            "page": paginate(request, selectors.network_organizations(network)),
            "coordinators": selectors.network_coordinators(network),
            "is_coordinator": is_coordinator,
        },
    )


@login_required
def network_edit(request, slug):
    network = selectors.network_for_coordinator(request.user, slug)
    form = forms.NetworkForm(
        posted(request),
        initial={
            "name": network.name,
            "region": network.region,
            "description": network.description,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.network_update(actor=request.user, network=network, **form.cleaned_data)
        messages.success(request, _("The network's details have been saved."))
        return redirect("accounts:network", network.slug)
    return render(request, "accounts/network_form.html", {"form": form, "network": network})


@login_required
def network_add_organization(request, slug):
    network = selectors.network_for_coordinator(request.user, slug)
    candidates = selectors.organizations_visible_to(request.user).exclude(
        network_memberships__network=network
    )
    form = forms.AddOrganizationToNetworkForm(posted(request), organizations=candidates)
    if request.method == "POST" and form.is_valid():
        services.organization_join_network(
            actor=request.user, organization=form.cleaned_data["organization"], network=network
        )
        messages.success(request, _("The organization has been added to the network."))
        return redirect("accounts:network", network.slug)
    return render(
        request, "accounts/network_add_organization.html", {"form": form, "network": network}
    )


@login_required
def network_remove_organization(request, slug, organization_slug):
    network = selectors.network_for_coordinator(request.user, slug)
    organization = selectors.network_organizations(network).filter(slug=organization_slug).first()
    if organization is None:
        raise Http404
    if request.method == "POST":
        services.organization_leave_network(
            actor=request.user, organization=organization, network=network
        )
        messages.success(request, _("The organization has been removed from the network."))
        return redirect("accounts:network", network.slug)
    return render(
        request,
        "accounts/confirm.html",
        {
            "title": _("Remove %(organization)s from %(network)s?")
            % {"organization": organization.name, "network": network.name},
            "body": _("The organization keeps its account and its own records."),
            "button": _("Remove organization"),
            "cancel_url": reverse("accounts:network", args=[network.slug]),
        },
    )


@login_required
def network_coordinators(request, slug):
    network = selectors.network_for_coordinator(request.user, slug)
    form = forms.AddCoordinatorForm(posted(request))
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(
            email=form.cleaned_data["email"].strip().lower(), is_active=True
        ).first()
        if user is None:
            form.add_error("email", _("There is no Hearth account with this e-mail address."))
        else:
            services.coordinator_add(actor=request.user, network=network, user=user)
            messages.success(
                request, _("%(name)s now coordinates the network.") % {"name": user.full_name}
            )
            return redirect("accounts:network-coordinators", network.slug)
    return render(
        request,
        "accounts/coordinators.html",
        {"network": network, "form": form, "coordinators": selectors.network_coordinators(network)},
    )


@login_required
@require_POST
def network_remove_coordinator(request, slug, coordinator_id):
    network = selectors.network_for_coordinator(request.user, slug)
    coordinator = selectors.coordinator_in(network, coordinator_id)
    try:
        services.coordinator_remove(actor=request.user, coordinator=coordinator)
        messages.success(request, _("The coordinator has been removed."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("accounts:network-coordinators", network.slug)


@login_required
def network_audit(request, slug):
    network = selectors.network_for_coordinator(request.user, slug)
    return _audit_page(
        request,
        scope_name=network.name,
        select=partial(selectors.audit_records_for_network, network),
        back_url=reverse("accounts:network", args=[network.slug]),
    )
