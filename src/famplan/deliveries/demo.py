"""The demo's hospital: the county hospital, with the demo facility user working for it
(its API tokens are made on the facility's page by the county admin, shown once)."""

from __future__ import annotations

from django.db import transaction

from famplan.accounts.models import User
from famplan.audit.services import audit_log
from famplan.deliveries.models import Facility, FacilityMember
from famplan.deliveries.services import facility_create
from famplan.orgunits.models import OrgUnit

DEMO_FACILITY_USER = "facility_user"


@transaction.atomic
def demo_facility_load(*, county: OrgUnit) -> Facility:
    """Idempotent: a second run finds the same hospital and member."""
    code = f"DEMO{county.code}"
    facility = Facility.objects.filter(code=code).first()
    if facility is None:
        # The county's system actor would be a user; facility_create needs one in scope.
        admin = User.objects.filter(role="county_admin", org_unit=county).first()
        facility = facility_create(
            actor=admin, code=code, name=f"{county.name}人民医院", unit_id=county.code
        )
    user = User.objects.filter(username=DEMO_FACILITY_USER).first()
    if user is not None and not FacilityMember.objects.filter(user=user).exists():
        FacilityMember.objects.create(user=user, facility=facility)
        audit_log(
            actor=None,
            action="deliveries.member.added",
            target=facility,
            org_unit_id=county.code,
            detail={"user": user.username, "demo": True},
        )
    return facility
