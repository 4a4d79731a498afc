"""The operators' web console at /console: own accounts, signed-in sessions, CSRF-protected pages."""
