"""The supplies import record types."""
