"""Read models derived from the log, each checkpointed and rebuildable from position 0."""
