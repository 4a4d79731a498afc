"""Inbound: webhooks that verify, store and acknowledge, and the inbox that hands each
contact's messages, oldest first, to the conversation engine."""
