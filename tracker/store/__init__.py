"""The event log and its tables."""
