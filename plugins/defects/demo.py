"""Demo defects and SOPs for an embedded gateway, seeded once beside the orders demo."""

from datetime import datetime, timedelta

from gateway.conversation.translated import Translated
from gateway.demo import DEMO_OPERATOR
from gateway.idempotency import reference_for
from gateway.ports.store import PluginRecords
from plugins.defects.backend import (
    NAMESPACE,
    Defect,
    DefectStatus,
    EmbeddedDefects,
    Sop,
)

SEEDED = "demo:seeded"
SOP_VIDEO = "https://interactive-examples.mdn.mozilla.net/media/cc0-videos/flower.mp4"
"""A public CC0 sample video standing in for the demo deburring procedure's video."""


def _six(english: str, es: str, fr: str, pt: str, ar: str, hi: str) -> Translated:
    """A demo text written in English with its translations, in LANGUAGES order."""
    return Translated(text=english, translations={"es": es, "fr": fr, "pt": pt, "ar": ar, "hi": hi})


SOPS = (
    Sop(
        id="SOP-101",
        title=_six(
            "Deburring gear housings",
            "Desbarbado de carcasas de engranajes",
            "Ébavurage des carters d'engrenages",
            "Rebarbação de carcaças de engrenagens",
            "إزالة النتوءات من أغلفة التروس",
            "गियर हाउसिंग की डिबरिंग",
        ),
        steps=[
            _six("Clamp the part", "Sujeta la pieza", "Bridez la pièce", "Prenda a peça", "ثبّت القطعة",
                 "पुर्ज़े को क्लैंप करें"),
            _six("Deburr all bores", "Desbarba todos los taladros", "Ébavurez tous les alésages",
                 "Rebarbe todos os furos", "أزل النتوءات من جميع الثقوب", "सभी छेदों की डिबरिंग करें"),
            _six("Blow out chips", "Sopla las virutas", "Soufflez les copeaux", "Sopre os cavacos",
                 "أزل الرايش بالهواء المضغوط", "छीलन को हवा से साफ़ करें"),
            _six("Inspect with a 10x loupe", "Inspecciona con una lupa de 10 aumentos", "Contrôlez à la loupe x10",
                 "Inspecione com uma lupa de 10x", "افحص بعدسة تكبير ×10", "10 गुना आवर्धक लेंस से जाँच करें"),
        ],
        last_failure=_six(
            "Burr left in bore 3 (DEF-000001)",
            "Rebaba en el taladro 3 (DEF-000001)",
            "Bavure restée dans l'alésage 3 (DEF-000001)",
            "Rebarba no furo 3 (DEF-000001)",
            "بقي نتوء في الثقب 3 (DEF-000001)",
            "छेद 3 में बर रह गया (DEF-000001)",
        ),
        video_url=SOP_VIDEO,
    ),
    Sop(
        id="SOP-102",
        title=_six(
            "Surface finish check",
            "Control del acabado superficial",
            "Contrôle de l'état de surface",
            "Verificação do acabamento superficial",
            "فحص تشطيب السطح",
            "सतह फ़िनिश की जाँच",
        ),
        steps=[
            _six("Clean the surface", "Limpia la superficie", "Nettoyez la surface", "Limpe a superfície",
                 "نظّف السطح", "सतह साफ़ करें"),
            _six("Measure Ra at 3 points", "Mide Ra en 3 puntos", "Mesurez Ra en 3 points", "Meça Ra em 3 pontos",
                 "قِس Ra في 3 نقاط", "3 बिंदुओं पर Ra मापें"),
            _six("Record the values", "Anota los valores", "Notez les valeurs", "Registre os valores", "سجّل القيم",
                 "मान दर्ज करें"),
            _six("Reject above Ra 1.6", "Rechaza por encima de Ra 1,6", "Rebutez au-delà de Ra 1,6",
                 "Rejeite acima de Ra 1,6", "ارفض القطعة إذا تجاوزت Ra 1.6", "Ra 1.6 से ऊपर होने पर अस्वीकार करें"),
        ],
    ),
    Sop(
        id="SOP-103",
        title=_six(
            "Dimensional inspection",
            "Inspección dimensional",
            "Contrôle dimensionnel",
            "Inspeção dimensional",
            "فحص الأبعاد",
            "आयामी निरीक्षण",
        ),
        steps=[
            _six("Warm the gauge to 20 °C", "Lleva el calibre a 20 °C", "Amenez le calibre à 20 °C",
                 "Leve o calibre a 20 °C", "اضبط حرارة المقياس على 20 °C", "गेज को 20 °C तक गर्म करें"),
            _six("Measure per drawing", "Mide según el plano", "Mesurez selon le plan", "Meça conforme o desenho",
                 "قِس وفق الرسم الهندسي", "ड्रॉइंग के अनुसार मापें"),
            _six("Log out-of-tolerance values", "Registra los valores fuera de tolerancia",
                 "Consignez les valeurs hors tolérance", "Registre os valores fora da tolerância",
                 "سجّل القيم الخارجة عن التفاوت المسموح", "टॉलरेंस से बाहर के मान दर्ज करें"),
        ],
    ),
)  # fmt: skip
RESOLUTIONS = {
    "4414": _six(
        "Burr removed; SOP-101 updated.",
        "Rebaba eliminada; SOP-101 actualizado.",
        "Bavure retirée ; SOP-101 mise à jour.",
        "Rebarba removida; SOP-101 atualizado.",
        "أُزيل النتوء وحُدِّث SOP-101.",
        "बर हटा दिया गया; SOP-101 अपडेट किया गया।",
    )
}


async def seed(backend: EmbeddedDefects, records: PluginRecords, now: datetime) -> None:
    """Two past defects the demo's factory operator reported, and three SOPs, once."""
    if await records.get(NAMESPACE, SEEDED):
        return
    past = (
        ("4414", "internal_reject", "medium", 9, DefectStatus.RESOLVED),
        ("4413", "dimensional", "low", 2, DefectStatus.INVESTIGATING),
    )
    for order_id, defect_type, severity, days_ago, status in past:
        # one reference per demo defect, even when two processes start on a new store at once
        reference = await reference_for(records, NAMESPACE, "demo-defect", order_id, backend.new_reference)
        await backend.put(
            Defect(
                reference=reference,
                order_id=order_id,
                defect_type=defect_type,
                severity=severity,
                reporter=DEMO_OPERATOR,
                status=status,
                reported_at=now - timedelta(days=days_ago),
                resolution_notes=RESOLUTIONS.get(order_id),
            )
        )
    for sop in SOPS:
        await records.put(NAMESPACE, f"sop:{sop.id}", {"kind": "sop"} | sop.model_dump(mode="json"))
    await records.put(NAMESPACE, SEEDED, {"at": now.isoformat()})
