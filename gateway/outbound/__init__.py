"""Outbound: the outbox that queues replies and notifications, and the worker that sends them
through routing, each provider's rate limit and circuit."""
