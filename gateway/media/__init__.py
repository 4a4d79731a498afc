"""Media in and out: files contacts send, checked and stored; files the gateway makes and sends."""
