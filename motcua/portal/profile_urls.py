"""The profile's pages (`/profile/...`), in the portal's namespace (`portal/urls.py` adds them)."""

from django.urls import path

from . import organisations, profile

urlpatterns = [
    path("profile/", profile.profile, name="profile"),
    path("profile/address/", profile.profile_address, name="profile_address"),
    path("profile/address/wards/", profile.profile_address_wards, name="profile_address_wards"),
    path("profile/organisations/", organisations.organisations, name="organisations"),
    path(
        "profile/organisations/register/",
        organisations.organisation_new,
        name="organisation_new",
    ),
    path(
        "profile/organisations/<int:organisation_id>/",
        organisations.organisation_detail,
        name="organisation",
    ),
    path(
        "profile/organisations/<int:organisation_id>/authorise/",
        organisations.organisation_authorise_view,
        name="organisation_authorise",
    ),
    path(
        "profile/organisations/<int:organisation_id>/revoke/<int:authorisation_id>/",
        organisations.organisation_revoke,
        name="organisation_revoke",
    ),
    # Typing the code sent to a new phone (SMS) or e-mail; POST action=resend for a new one.
    path("profile/confirm/<slug:channel>/", profile.profile_confirm, name="profile_confirm"),
    # Last: one page per field (name, personal-id, date-of-birth, phone, email).
    path("profile/<slug:slug>/", profile.profile_field, name="profile_field"),
]
