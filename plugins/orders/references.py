"""The orders plugin's references: order numbers (stored bare, "4411"; the business writes
"ORD-4411") and bills of materials ("BOM-7")."""

from gateway.conversation.references import Reference

ORDER = Reference(
    "order",
    ("ORD",),
    words=(
        "order", "orden", "pedido", "commande", "cde", "encomenda",
        "طلب", "الطلب", "طلبي", "طلبية", "الطلبية",
        "ऑर्डर", "आर्डर", "ऑडर",
    ),
    digits=(3, 10),
    prefixed_ids=False,
)  # fmt: skip
BOM = Reference(
    "bom",
    ("BOM",),
    words=(
        "bill of materials", "lista de materiales", "nomenclature", "lista de materiais",
        "قائمة المواد", "قائمة مواد", "बीओएम", "सामग्री सूची",
    ),
    digits=(1, 9),
)  # fmt: skip
