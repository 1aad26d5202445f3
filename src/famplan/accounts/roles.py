"""Roles and the capabilities each grants. Views check capabilities, never role names."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", "县级管理员"
    TOWNSHIP_CLERK = "township_clerk", "乡镇专干"
    VILLAGE_WORKER = "village_worker", "村专干"
    FACILITY = "facility", "医疗卫生机构"
    AUDITOR = "auditor", "只读审计员"


class Cap:
    """Capability names: one string per thing a user may do."""

    UNITS_VIEW = "units.view"
    UNITS_IMPORT = "units.import"
    USERS_MANAGE = "users.manage"
    AUDIT_VIEW = "audit.view"
    JOBS_VIEW = "jobs.view"
    REGISTRY_VIEW = "registry.view"
    REGISTRY_EDIT = "registry.edit"
    REGISTRY_IMPORT = "registry.import"
    REGISTRY_EXPORT = "registry.export"
    ID_UNMASK = "registry.id_unmask"
    QUALITY_VIEW = "quality.view"
    BIRTHS_REPORT = "births.report"
    FACILITIES_MANAGE = "deliveries.facilities"
    REGISTRATION_VIEW = "registration.view"
    REGISTRATION_HANDLE = "registration.handle"
    REGISTRATION_EXPORT = "registration.export"
    INDICATORS_VIEW = "indicators.view"
    INDICATORS_REFRESH = "indicators.refresh"
    TARGETS_SET = "indicators.targets"
    HEALTH_VIEW = "health.view"
    HEALTH_CHECK_RECORD = "health.check_record"
    HEALTH_FOLLOWUP_RECORD = "health.followup_record"
    HEALTH_FOLIC_RECORD = "health.folic_record"
    HEALTH_EXPORT = "health.export"
    HEALTH_TARGETS_SET = "health.targets"
    SUPPLIES_VIEW = "supplies.view"
    SUPPLIES_ENTER = "supplies.enter"  # deliveries and issues of points in reach
    SUPPLIES_MANAGE = "supplies.manage"  # distribution points
    SUPPLIES_KINDS = "supplies.kinds"  # the county's table of supply kinds
    SUPPLIES_EXPORT = "supplies.export"
    SUPPLIES_SERVICE = "supplies.service"  # a person's voluntary service requests
    DELIVERIES_VIEW = "deliveries.view"  # the deliveries of mothers in one's jurisdiction
    DELIVERIES_EXPORT = "deliveries.export"
    BENEFITS_VIEW = "benefits.view"
    BENEFITS_REVIEW = "benefits.review"
    BENEFITS_MANAGE = "benefits.manage"
    BENEFITS_PAY = "benefits.pay"
    BENEFITS_EXPORT = "benefits.export"
    ELEMENTS_ENTER = "indicators.elements"
    CARE_VIEW = "care.view"  # special families, assignments, visits, coverage
    CARE_FAMILIES = "care.families"  # confirm, enter, edit, close families; record help
    CARE_ASSIGN = "care.assign"  # 包村包户 assignments and a family's two contacts
    CARE_VISIT = "care.visit"  # log visits
    CARE_EXPORT = "care.export"
    ASSESSMENT_VIEW = "assessment.view"  # published schemes, results in one's jurisdiction
    ASSESSMENT_MANAGE = "assessment.manage"  # one's own unit's schemes, items, publishing, vetoes
    ASSESSMENT_INSPECT = "assessment.inspect"  # field-check scores in one's own unit's schemes
    ASSESSMENT_EXPORT = "assessment.export"  # the bulletin as PDF and .xlsx
    CAMPAIGNS_VIEW = "campaigns.view"
    CAMPAIGNS_MANAGE = "campaigns.manage"  # make plans for one's unit, publish bulletins
    CAMPAIGNS_REPORT = "campaigns.report"  # report a unit's progress on a plan
    CAMPAIGNS_EXPORT = "campaigns.export"  # bulletins as PDF and .xlsx


CAPABILITIES: dict[str, frozenset[str]] = {
    Role.COUNTY_ADMIN: frozenset(
        {
            Cap.UNITS_VIEW,
            Cap.UNITS_IMPORT,
            Cap.USERS_MANAGE,
            Cap.AUDIT_VIEW,
            Cap.JOBS_VIEW,
            Cap.REGISTRY_VIEW,
            Cap.REGISTRY_EDIT,
            Cap.REGISTRY_IMPORT,
            Cap.REGISTRY_EXPORT,
            Cap.ID_UNMASK,
            Cap.QUALITY_VIEW,
            *(Cap.REGISTRATION_VIEW, Cap.REGISTRATION_HANDLE, Cap.REGISTRATION_EXPORT),
            Cap.INDICATORS_VIEW,
            Cap.INDICATORS_REFRESH,
            Cap.TARGETS_SET,
            *(Cap.HEALTH_VIEW, Cap.HEALTH_CHECK_RECORD, Cap.HEALTH_EXPORT, Cap.HEALTH_TARGETS_SET),
            *(Cap.SUPPLIES_VIEW, Cap.SUPPLIES_ENTER, Cap.SUPPLIES_MANAGE, Cap.SUPPLIES_KINDS),
            *(Cap.SUPPLIES_EXPORT, Cap.SUPPLIES_SERVICE),
            *(Cap.BENEFITS_VIEW, Cap.BENEFITS_REVIEW, Cap.BENEFITS_MANAGE),
            *(Cap.BENEFITS_PAY, Cap.BENEFITS_EXPORT),
            Cap.FACILITIES_MANAGE,
            *(Cap.DELIVERIES_VIEW, Cap.DELIVERIES_EXPORT),
            Cap.ELEMENTS_ENTER,
            *(Cap.CARE_VIEW, Cap.CARE_FAMILIES, Cap.CARE_ASSIGN, Cap.CARE_VISIT, Cap.CARE_EXPORT),
            *(Cap.ASSESSMENT_VIEW, Cap.ASSESSMENT_MANAGE, Cap.ASSESSMENT_INSPECT),
            Cap.ASSESSMENT_EXPORT,
            *(Cap.CAMPAIGNS_VIEW, Cap.CAMPAIGNS_MANAGE, Cap.CAMPAIGNS_REPORT),
            Cap.CAMPAIGNS_EXPORT,
        }
    ),
    Role.TOWNSHIP_CLERK: frozenset(
        {
            Cap.UNITS_VIEW,
            Cap.USERS_MANAGE,
            Cap.JOBS_VIEW,
            Cap.REGISTRY_VIEW,
            Cap.REGISTRY_EDIT,
            Cap.REGISTRY_IMPORT,
            Cap.REGISTRY_EXPORT,
            Cap.QUALITY_VIEW,
            *(Cap.REGISTRATION_VIEW, Cap.REGISTRATION_HANDLE, Cap.REGISTRATION_EXPORT),
            Cap.INDICATORS_VIEW,
            Cap.TARGETS_SET,
            *(Cap.HEALTH_VIEW, Cap.HEALTH_CHECK_RECORD, Cap.HEALTH_FOLLOWUP_RECORD),
            *(Cap.HEALTH_FOLIC_RECORD, Cap.HEALTH_EXPORT),
            *(Cap.SUPPLIES_VIEW, Cap.SUPPLIES_ENTER, Cap.SUPPLIES_MANAGE),
            *(Cap.SUPPLIES_EXPORT, Cap.SUPPLIES_SERVICE),
            *(Cap.BENEFITS_VIEW, Cap.BENEFITS_REVIEW, Cap.BENEFITS_EXPORT),
            *(Cap.DELIVERIES_VIEW, Cap.DELIVERIES_EXPORT),
            Cap.ELEMENTS_ENTER,
            *(Cap.CARE_VIEW, Cap.CARE_FAMILIES, Cap.CARE_ASSIGN, Cap.CARE_VISIT, Cap.CARE_EXPORT),
            # A township's own scheme for its villages (it never manages the county's).
            *(Cap.ASSESSMENT_VIEW, Cap.ASSESSMENT_MANAGE, Cap.ASSESSMENT_INSPECT),
            Cap.ASSESSMENT_EXPORT,
            *(Cap.CAMPAIGNS_VIEW, Cap.CAMPAIGNS_MANAGE, Cap.CAMPAIGNS_REPORT),
            Cap.CAMPAIGNS_EXPORT,
        }
    ),
    Role.VILLAGE_WORKER: frozenset(
        {
            Cap.UNITS_VIEW,
            Cap.JOBS_VIEW,
            Cap.REGISTRY_VIEW,
            Cap.REGISTRY_EDIT,
            Cap.REGISTRY_EXPORT,
            Cap.QUALITY_VIEW,
            *(Cap.REGISTRATION_VIEW, Cap.REGISTRATION_EXPORT),
            Cap.INDICATORS_VIEW,
            *(Cap.HEALTH_VIEW, Cap.HEALTH_FOLLOWUP_RECORD, Cap.HEALTH_FOLIC_RECORD),
            Cap.HEALTH_EXPORT,
            *(Cap.SUPPLIES_VIEW, Cap.SUPPLIES_ENTER, Cap.SUPPLIES_EXPORT, Cap.SUPPLIES_SERVICE),
            *(Cap.BENEFITS_VIEW, Cap.BENEFITS_REVIEW),
            Cap.ELEMENTS_ENTER,
            *(Cap.CARE_VIEW, Cap.CARE_VISIT, Cap.CARE_EXPORT),
            Cap.ASSESSMENT_VIEW,
            *(Cap.CAMPAIGNS_VIEW, Cap.CAMPAIGNS_REPORT),
        }
    ),
    Role.FACILITY: frozenset({Cap.UNITS_VIEW, Cap.BIRTHS_REPORT}),
    Role.AUDITOR: frozenset(
        {
            Cap.UNITS_VIEW,
            Cap.AUDIT_VIEW,
            Cap.REGISTRY_VIEW,
            Cap.QUALITY_VIEW,
            Cap.JOBS_VIEW,
            Cap.INDICATORS_VIEW,
        }
        | {Cap.REGISTRATION_VIEW, Cap.HEALTH_VIEW}
        | {Cap.SUPPLIES_VIEW}
        | {Cap.BENEFITS_VIEW}
        | {Cap.DELIVERIES_VIEW}
        | {Cap.CARE_VIEW}
        | {Cap.ASSESSMENT_VIEW, Cap.ASSESSMENT_EXPORT}
        | {Cap.CAMPAIGNS_VIEW}
    ),
}

# Which roles a user of each role may hand out when managing users in their subtree.
ASSIGNABLE_ROLES: dict[str, tuple[str, ...]] = {
    Role.COUNTY_ADMIN: tuple(Role.values),
    Role.TOWNSHIP_CLERK: (Role.TOWNSHIP_CLERK, Role.VILLAGE_WORKER),
}
