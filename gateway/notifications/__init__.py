"""Proactive messages: runtime-editable templates, business events, delivery rules, schedules."""
