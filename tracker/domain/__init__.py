"""The domain: events, designations and the status rules. Imports no framework."""
