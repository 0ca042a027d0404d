"""What the tracker does: record evidence and decisions, read observations, poll feeds."""
