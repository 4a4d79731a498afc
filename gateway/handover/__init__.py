"""Handover: a person from the team takes a conversation over from the bot, and gives it back."""
