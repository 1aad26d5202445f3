"""Links a registry Birth to its birth registration when the birth is recorded.

The registry does not know this app (domain apps depend on the registry, never the
other way), so the link hangs on the Birth's post_save. It runs inside the transaction
that records the birth, with the birth's entering user as the actor, so the link and
its audit row commit or roll back with the birth. Bulk imports (bulk_create) send no
signal: those births are linked from the registration's page.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from famplan.registry.models import Birth


@receiver(post_save, sender=Birth, dispatch_uid="registration_link_on_birth")
def link_registration_on_birth(sender: type, instance: Birth, created: bool, **kwargs: Any) -> None:
    if not created or kwargs.get("raw"):
        return
    from famplan.registration.services import registration_link_on_birth

    registration_link_on_birth(actor=instance.entered_by, birth=instance)
