"""Writes of the benefits app: each a service that checks state, scope and input,
refuses in Chinese, and writes its audit row in the same transaction."""

from famplan.benefits.services.cycles import *  # noqa: F403
from famplan.benefits.services.payments import *  # noqa: F403
from famplan.benefits.services.programs import *  # noqa: F403
