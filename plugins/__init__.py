"""The built-in plugins, registered through the `wa_gateway.plugins` entry points like any other."""
