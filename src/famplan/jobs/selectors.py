"""Reads of jobs, cut to the user's jurisdiction by the job's unit."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from famplan.accounts.roles import Cap
from famplan.jobs.models import Job
from famplan.orgunits.jurisdiction import get_in_scope_or_404, scope


def _sees_subtree(user: Any) -> bool:
    # Those who manage the people of a subtree also watch the work started in it.
    return user.can(Cap.USERS_MANAGE)


def jobs_for_user(user: Any) -> QuerySet[Job]:
    """The user's own jobs; for managers, every job started within their subtree."""
    jobs = scope(Job.objects.select_related("created_by", "org_unit"), user, "org_unit")
    if not _sees_subtree(user):
        jobs = jobs.filter(created_by=user)
    return jobs.order_by("-created_at")


def get_job_for_user(user: Any, job_id: Any) -> Job:
    """One job, or 404 if absent, outside the user's subtree, or another's for a worker."""
    return get_in_scope_or_404(jobs_for_user(user), user, "org_unit", pk=job_id)
