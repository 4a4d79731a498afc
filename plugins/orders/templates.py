"""The orders plugin's default notification templates (Jinja2), in every language."""

from gateway.conversation.catalog import LANGUAGES

_ORDER_COMPLETED = (
    "Good news: order {{ order_id }} was completed on {{ completed_at | date }}.",
    "Buenas noticias: el pedido {{ order_id }} se completó el {{ completed_at | date }}.",
    "Bonne nouvelle : la commande {{ order_id }} a été terminée le {{ completed_at | date }}.",
    "Boa notícia: o pedido {{ order_id }} foi concluído em {{ completed_at | date }}.",
    "أخبار سارة: اكتمل الطلب {{ order_id }} في {{ completed_at | date }}.",
    "अच्छी खबर: ऑर्डर {{ order_id }} {{ completed_at | date }} को पूरा हुआ।",
)

TEMPLATES = [
    {"name": "order_completed", "language": language, "body": body, "category": "orders"}
    for language, body in zip(LANGUAGES, _ORDER_COMPLETED, strict=True)
]
SAMPLE_CONTEXT = {"order_completed": {"order_id": "4411", "completed_at": "2026-01-05T15:30:00+05:30"}}
