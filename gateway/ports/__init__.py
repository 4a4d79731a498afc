"""Ports: the interfaces the core defines and adapters implement."""
