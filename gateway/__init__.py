"""wa-gateway: a plugin-based WhatsApp bot gateway."""

__version__ = "0.1.0"
