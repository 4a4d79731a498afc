"""The defects plugin's default notification templates (Jinja2), in every language."""

from gateway.conversation.catalog import LANGUAGES

_QUALITY_ALERT = (
    "Quality alert: defect {{ defect_id }} ({{ defect_type }}, severity {{ severity }}) on order {{ order_id }}. "
    "The order is on hold.",
    "Alerta de calidad: defecto {{ defect_id }} ({{ defect_type }}, gravedad {{ severity }}) en el pedido "
    "{{ order_id }}. El pedido está en espera.",
    "Alerte qualité : défaut {{ defect_id }} ({{ defect_type }}, gravité {{ severity }}) sur la commande "
    "{{ order_id }}. La commande est en attente.",
    "Alerta de qualidade: defeito {{ defect_id }} ({{ defect_type }}, gravidade {{ severity }}) no pedido "
    "{{ order_id }}. O pedido está em espera.",
    "تنبيه جودة: العيب {{ defect_id }} ({{ defect_type }}، الخطورة: {{ severity }}) في الطلب {{ order_id }}. الطلب معلّق.",
    "गुणवत्ता चेतावनी: ऑर्डर {{ order_id }} में दोष {{ defect_id }} ({{ defect_type }}, गंभीरता: {{ severity }})। ऑर्डर रोका गया है।",
)

TEMPLATES = [
    {"name": "quality_alert", "language": language, "body": body, "category": "quality"}
    for language, body in zip(LANGUAGES, _QUALITY_ALERT, strict=True)
]
SAMPLE_CONTEXT = {
    "quality_alert": {"defect_id": "DEF-000123", "order_id": "4411", "defect_type": "Dimensional", "severity": "High"}
}
