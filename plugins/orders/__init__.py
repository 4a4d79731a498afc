"""Orders: order status, recent orders, delivery dates, production schedule, BOM updates."""
