"""The defects plugin's references: defects ("DEF-000001") and SOPs ("SOP-101"); the orders it
reports on are the orders plugin's."""

from gateway.conversation.references import Reference

DEFECT = Reference(
    "defect",
    ("DEF",),
    words=("defect", "defecto", "défaut", "defaut", "defeito", "عيب", "العيب", "दोष"),
    width=6,
    digits=(1, 9),
)
SOP = Reference(
    "sop",
    ("SOP",),
    words=("procedure", "procedimiento", "procédure", "procedimento", "إجراء", "الإجراء", "प्रक्रिया"),
    digits=(1, 6),
)
