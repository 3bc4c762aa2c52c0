"""Staff pages for referrals."""

from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def referral_detail(request, referral_id):
    # The referral pages are being built; until then the link target answers "not found".
    raise Http404
