"""Billing: subscriptions (pause, resume), bills, and delivery and payment notifications."""
