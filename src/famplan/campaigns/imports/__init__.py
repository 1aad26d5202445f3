"""The campaigns app's import record types. Importing this package (from
CampaignsConfig.ready) registers them with the import framework through @import_type."""

from famplan.campaigns.imports import progress

__all__ = ["progress"]
