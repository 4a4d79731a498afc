"""Maintenance: report a machine issue, tickets with SLA deadlines, SLA status and shift reminders."""
