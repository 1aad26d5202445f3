"""Import record types of the health app (registered from HealthConfig.ready)."""
