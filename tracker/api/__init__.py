"""The HTTP API: thin routes over the read side and the services."""
