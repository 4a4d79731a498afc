"""The demo data an embedded gateway starts with: orders for the simulator's default contact,
a week of production schedule and two BOMs."""

from datetime import date, datetime, timedelta

from gateway.conversation.translated import Translated
from gateway.demo import DEMO_CUSTOMER
from plugins.orders.backend import Bom, EmbeddedOrders, Order, OrderStatus, ProductionStep, ScheduleSlot

SEEDED = "demo:seeded"


def _six(english: str, es: str, fr: str, pt: str, ar: str, hi: str) -> Translated:
    """A demo name written in English with its translations, in LANGUAGES order."""
    return Translated(text=english, translations={"es": es, "fr": fr, "pt": pt, "ar": ar, "hi": hi})


GEAR_HOUSING = _six("Gear housing GH-200", "Carcasa de engranajes GH-200", "Carter d'engrenages GH-200",
                    "Carcaça de engrenagens GH-200", "غلاف التروس GH-200", "गियर हाउसिंग GH-200")
PUMP_SHAFT = _six("Pump shaft PS-45", "Eje de bomba PS-45", "Arbre de pompe PS-45", "Eixo de bomba PS-45",
                  "عمود المضخة PS-45", "पंप शाफ़्ट PS-45")
PRODUCTS = {
    "4411": GEAR_HOUSING,
    "4412": PUMP_SHAFT,
    "4413": _six("Valve body VB-10", "Cuerpo de válvula VB-10", "Corps de vanne VB-10", "Corpo de válvula VB-10",
                 "جسم الصمام VB-10", "वाल्व बॉडी VB-10"),
    "4414": _six("Bracket BR-7", "Soporte BR-7", "Support BR-7", "Suporte BR-7", "دعامة BR-7", "ब्रैकेट BR-7"),
    "4415": _six("Flange FL-80", "Brida FL-80", "Bride FL-80", "Flange FL-80", "شفة FL-80", "फ़्लैंज FL-80"),
    "4416": _six("Impeller IM-33", "Impulsor IM-33", "Roue à aubes IM-33", "Rotor IM-33", "دافعة المضخة IM-33",
                 "इम्पेलर IM-33"),
}
LINES = {
    number: _six(f"Line {number}", f"Línea {number}", f"Ligne {number}", f"Linha {number}", f"الخط {number}",
                 f"लाइन {number}")
    for number in (1, 2)
}  # fmt: skip
STEPS = (
    (_six("Cutting", "Corte", "Découpe", "Corte", "القطع", "कटिंग"), 0.15),
    (_six("Machining", "Mecanizado", "Usinage", "Usinagem", "التشغيل الآلي", "मशीनिंग"), 0.30),
    (_six("Assembly", "Montaje", "Assemblage", "Montagem", "التجميع", "असेंबली"), 0.30),
    (_six("Quality check", "Control de calidad", "Contrôle qualité", "Controle de qualidade", "فحص الجودة",
          "गुणवत्ता जाँच"), 0.22),
    (_six("Packing", "Embalaje", "Emballage", "Embalagem", "التغليف", "पैकिंग"), 0.03),
)  # fmt: skip
"""The demo's production steps with the share of the work each is."""


def steps(started: datetime, due: datetime, percent: int, now: datetime) -> list[ProductionStep]:
    """Steps planned back to back from start to due, each its share of the time; the work done
    so far (`percent`) spread evenly over the time it has taken (until now, or until due for a
    finished order), so the steps done have ended, the current one has started and the rest
    have not."""
    done = percent / 100
    finished = min(now, due) if percent == 100 else now

    def planned(share: float) -> datetime:
        return started + (due - started) * share

    def actual(share: float) -> datetime:
        return started + (finished - started) * (share / done)

    made, before = [], 0.0
    for name, share in STEPS:
        after = before + share
        made.append(
            ProductionStep(
                name=name,
                planned_start=planned(before),
                planned_end=planned(after),
                actual_start=actual(before) if done > before else None,
                actual_end=actual(after) if done >= after - 1e-9 else None,
            )
        )
        before = after
    return made


async def seed(backend: EmbeddedOrders, records, now: datetime) -> None:
    """Write the demo orders, a week of schedule and two BOMs, once."""
    if await records.get("orders", SEEDED):
        return
    plan = [
        ("4411", 500, OrderStatus.IN_PRODUCTION, 60, -6, 4),
        ("4412", 1200, OrderStatus.IN_PRODUCTION, 20, -8, 2),
        ("4413", 300, OrderStatus.QUALITY_CHECK, 95, -10, 1),
        ("4414", 2000, OrderStatus.COMPLETED, 100, -20, -2),
        ("4415", 800, OrderStatus.PLANNED, 0, 1, 12),
        ("4416", 150, OrderStatus.IN_PRODUCTION, 40, -12, -1),
    ]
    for number, quantity, status, percent, started, due in plan:
        await backend.put_order(
            Order(
                id=number,
                customer=DEMO_CUSTOMER,
                product=PRODUCTS[number],
                quantity=quantity,
                status=status,
                percent_complete=percent,
                started_at=now + timedelta(days=started),
                due_at=now + timedelta(days=due),
                delivery_date=(now + timedelta(days=due + 2)).date(),
                steps=steps(now + timedelta(days=started), now + timedelta(days=due), percent, now),
            )
        )
    today = now.date()
    for offset in range(7):
        for line, job, product, quality in (
            (LINES[1], "4411", GEAR_HOUSING, 98.5),
            (LINES[2], "4412", PUMP_SHAFT, 96.0),
        ):
            slot = ScheduleSlot(
                day=today + timedelta(days=offset), line=line, job=job, product=product, quality_percent=quality
            )
            document = {"kind": "slot"} | slot.model_dump(mode="json")
            await records.put("orders", f"slot:{slot.day}:{line.text}", document)
    for bom in (
        Bom(id="BOM-7", product=GEAR_HOUSING, revision=3),
        Bom(id="BOM-12", product=PUMP_SHAFT, revision=1),
    ):
        await records.put("orders", f"bom:{bom.id}", {"kind": "bom"} | bom.model_dump())
    await records.put("orders", SEEDED, {"at": now.isoformat(), "first_day": date.isoformat(today)})

