from django.urls import path

from . import claim_views, manage_views, views

app_name = "directory"

urlpatterns = [
    path("find/", views.directory_search, name="search"),
    path("find/services/<uuid:service_id>/", views.service_detail, name="service"),
    path(
        "find/organizations/<uuid:organization_id>/",
        views.organization_detail,
        name="organization",
    ),
    path(
        "organizations/<slug:slug>/listings/",
        manage_views.member_listings,
        name="member-listings",
    ),
    path("listings/services/<uuid:service_id>/edit/", manage_views.service_edit, name="edit"),
    path(
        "listings/services/<uuid:service_id>/still-correct/",
        manage_views.service_verify,
        name="verify",
    ),
    path(
        "listings/services/<uuid:service_id>/capacity/",
        manage_views.service_capacity,
        name="capacity",
    ),
    path(
        "listings/locations/<uuid:location_id>/confidential/",
        manage_views.location_confidential,
        name="confidential",
    ),
    path("networks/<slug:slug>/stale-listings/", manage_views.network_stale, name="stale"),
    # Opening hours
    path(
        "listings/services/<uuid:service_id>/schedules/",
        manage_views.service_schedules,
        name="schedules",
    ),
    path(
        "listings/services/<uuid:service_id>/schedules/add/",
        manage_views.schedule_add,
        name="schedule-add",
    ),
    path(
        "listings/service-at-locations/<uuid:service_at_location_id>/schedules/add/",
        manage_views.schedule_add_at_location,
        name="schedule-add-at-location",
    ),
    path(
        "listings/schedules/<uuid:schedule_id>/edit/",
        manage_views.schedule_edit,
        name="schedule-edit",
    ),
    path(
        "listings/schedules/<uuid:schedule_id>/remove/",
        manage_views.schedule_remove,
        name="schedule-remove",
    ),
    # Languages and costs
    path(
        "listings/services/<uuid:service_id>/languages/",
        manage_views.service_languages,
        name="languages",
    ),
    path(
        "listings/languages/<uuid:language_id>/remove/",
        manage_views.language_remove,
        name="language-remove",
    ),
    path("listings/services/<uuid:service_id>/costs/", manage_views.service_costs, name="costs"),
    path(
        "listings/services/<uuid:service_id>/costs/add/",
        manage_views.cost_add,
        name="cost-add",
    ),
    path(
        "listings/cost-options/<uuid:cost_option_id>/edit/",
        manage_views.cost_edit,
        name="cost-edit",
    ),
    path(
        "listings/cost-options/<uuid:cost_option_id>/remove/",
        manage_views.cost_remove,
        name="cost-remove",
    ),
    # Where a service is offered; locations and their access
    path(
        "listings/services/<uuid:service_id>/locations/",
        manage_views.service_locations,
        name="service-locations",
    ),
    path(
        "listings/service-at-locations/<uuid:service_at_location_id>/remove/",
        manage_views.service_location_remove,
        name="service-location-remove",
    ),
    path(
        "listings/organizations/<uuid:listing_id>/locations/",
        manage_views.listing_locations,
        name="locations",
    ),
    path(
        "listings/organizations/<uuid:listing_id>/locations/add/",
        manage_views.location_add,
        name="location-add",
    ),
    path(
        "listings/organizations/<uuid:listing_id>/locations/add-confidential/",
        manage_views.location_add_confidential,
        name="location-add-confidential",
    ),
    path(
        "listings/locations/<uuid:location_id>/edit/",
        manage_views.location_edit,
        name="location-edit",
    ),
    path(
        "listings/locations/<uuid:location_id>/accessibility/",
        manage_views.location_accessibility,
        name="accessibility",
    ),
    path(
        "listings/locations/<uuid:location_id>/accessibility/add/",
        manage_views.accessibility_add,
        name="accessibility-add",
    ),
    path(
        "listings/accessibility/<uuid:accessibility_id>/edit/",
        manage_views.accessibility_edit,
        name="accessibility-edit",
    ),
    path(
        "listings/accessibility/<uuid:accessibility_id>/remove/",
        manage_views.accessibility_remove,
        name="accessibility-remove",
    ),
    # Claiming listings
    path(
        "organizations/<slug:slug>/listings/claim/",
        claim_views.claimable_listings,
        name="claim-listings",
    ),
    path(
        "organizations/<slug:slug>/listings/claim/<uuid:listing_id>/",
        claim_views.claim_listing,
        name="claim-listing",
    ),
    path("networks/<slug:slug>/listing-claims/", claim_views.network_claims, name="claims"),
    path(
        "networks/<slug:slug>/listing-claims/<uuid:claim_id>/",
        claim_views.decide_claim,
        name="claim-decide",
    ),
]
