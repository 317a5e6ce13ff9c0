"""Webhooks: the outbox relay that delivers register events to subscribers (Standard Webhooks)."""
