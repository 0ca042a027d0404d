"""Webhook alerts: subscriptions, a durable outbox tied to the log, signed and retried."""
