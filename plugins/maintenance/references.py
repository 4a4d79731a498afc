"""The maintenance plugin's references: machines by family and number ("CNC-01", "PRESS-01";
the number as the business writes it, so not padded; the demo's families, and in an answer any
other a business system has) and tickets ("MAINT-000045")."""

from gateway.conversation.references import Reference

MACHINE = Reference(
    "machine",
    ("CNC", "PRESS", "ROBOT"),
    words=("machine", "máquina", "maquina", "آلة", "الآلة", "ماكينة", "मशीन"),
    digits=(1, 6),
    other_prefixes=True,
)
TICKET = Reference(
    "ticket",
    ("MAINT",),
    words=("ticket", "chamado", "تذكرة", "التذكرة", "टिकट"),
    width=6,
    digits=(1, 9),
)
