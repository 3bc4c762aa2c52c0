"""The public directory: search, service and organization pages. No sign-in, no tracking, no
request to any other site."""

from uuid import UUID

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from hearth.core.pagination import paginate

from . import search, selectors
from .forms import SearchForm
from .rules import can_keep_listing

PER_PAGE = 20


class SearchPage:
    """What Django's paginator needs to page through a search the engine has already paged."""

    def __init__(self, total: int):
        self.total = total

    def count(self):
        return self.total

    def __len__(self):
        return self.total

    def __getitem__(self, item):
        return range(self.total)[item]


class ShownPages:
    """The paginator as hearth/pagination.html sees it, with `page_range` holding only the
    numbers that template shows (the first two, the last two, and two either side of the
    current page; it prints every other number as nothing). A broad search has a thousand
    pages, and looping over all of them was most of the search page's time."""

    def __init__(self, paginator, current: int):
        self._paginator = paginator
        self._current = current

    def __getattr__(self, name):
        return getattr(self._paginator, name)

    @property
    def page_range(self) -> list[int]:
        last = self._paginator.num_pages
        shown = {1, 2, last - 1, last, *range(self._current - 2, self._current + 3)}
        return sorted(number for number in shown if 1 <= number <= last)


def directory_search(request):
    categories = selectors.top_taxonomy_terms()
    form = SearchForm(request.GET or None, categories=categories)
    context = {"form": form, "searched": bool(request.GET)}
    if not form.is_bound or not form.is_valid():
        return render(request, "directory/search.html", context)
    data = form.cleaned_data
    place = None
    if data["near"]:
        place = selectors.locate_place(data["near"])
        if place is None:
            form.add_error(
                "near",
                _("We could not find “%(place)s”. Try a town name or a full postcode.")
                % {"place": data["near"]},
            )
            return render(request, "directory/search.html", context)
    page_number = _page_number(request)
    query = search.SearchQuery(
        text=data["q"],
        taxonomy_term_ids=[UUID(data["category"])] if data["category"] else [],
        languages=[data["language"]] if data["language"] else [],
        free_only=data["free"],
        accepting_only=data["accepting"],
        accessible_only=data["accessible"],
        open_at=timezone.now() if data["open_now"] else None,
        age=data["age"],
        near=(place.latitude, place.longitude) if place else None,
        radius_m=int(data["radius"] or 10) * 1000,
        status="active",
        sort="distance" if place and not data["q"] else "relevance",
        offset=(page_number - 1) * PER_PAGE,
        limit=PER_PAGE,
        facets=True,
        facet_names=("language",),  # the only counts the page uses
    )
    result = search.search_services(query)
    page = paginate(request, SearchPage(result.total), per_page=PER_PAGE)
    page.paginator = ShownPages(page.paginator, page.number)
    now = timezone.now()
    services = selectors.services_in_order(result.ids)
    context.update(
        {
            "page": page,
            "show_results": True,
            "total": result.total,
            "place": place,
            "results": [
                {
                    "service": service,
                    "distance_km": selectors.kilometres(result.distances.get(service.id)),
                    "open_now": selectors.is_open(selectors.schedules_of(service), now),
                    "stale": selectors.is_stale(service),
                    "locations": selectors.public_locations(service),
                }
                for service in services
            ],
            "language_counts": sorted(result.facets.get("language", {}).items()),
        }
    )
    return render(request, "directory/search.html", context)


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def service_detail(request, service_id):
    service = selectors.service_for_public(service_id)
    return render(
        request,
        "directory/service.html",
        {
            "service": service,
            "terms": selectors.taxonomy_terms_for(service),
            "stale": selectors.is_stale(service),
            "open_now": selectors.is_open(selectors.schedules_of(service), timezone.now()),
            "locations": selectors.public_locations(service),
            "can_keep": can_keep_listing(request.user, service.organization),
        },
    )


def organization_detail(request, organization_id):
    organization = selectors.organization_for_public(organization_id)
    return render(request, "directory/organization.html", {"organization": organization})
