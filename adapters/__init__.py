"""Adapters: the channels and stores that plug into the gateway's ports."""
