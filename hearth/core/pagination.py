"""One way to split long lists into pages, rendered by hearth/pagination.html."""

from django.core.paginator import Paginator


def paginate(request, items, *, per_page: int = 25):
    """The requested page of `items`; a page number that is not a number or out of range gives
    the nearest real page instead of an error."""
    paginator = Paginator(items, per_page)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    page.query_prefix = (query.urlencode() + "&") if query else ""
    return page
