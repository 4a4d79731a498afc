"""The conversation engine: sessions, languages, global commands, menus and forms."""
