"""The maintenance plugin's default notification templates (Jinja2), in every language."""

from gateway.conversation.catalog import LANGUAGES

_BODIES = {
    "ticket_created": (
        "Maintenance ticket {{ ticket_id }} opened for machine {{ machine_id }} ({{ urgency }} urgency). SLA deadline: {{ sla_deadline | datetime }}.",
        "Ticket de mantenimiento {{ ticket_id }} abierto para la máquina {{ machine_id }} (urgencia {{ urgency }}). Plazo SLA: {{ sla_deadline | datetime }}.",
        "Ticket de maintenance {{ ticket_id }} ouvert pour la machine {{ machine_id }} (urgence {{ urgency }}). Échéance SLA : {{ sla_deadline | datetime }}.",
        "Chamado de manutenção {{ ticket_id }} aberto para a máquina {{ machine_id }} (urgência {{ urgency }}). Prazo do SLA: {{ sla_deadline | datetime }}.",
        "تم فتح تذكرة الصيانة {{ ticket_id }} للآلة {{ machine_id }} (الأولوية: {{ urgency }}). موعد المهلة: {{ sla_deadline | datetime }}.",
        "मशीन {{ machine_id }} के लिए रखरखाव टिकट {{ ticket_id }} खोला गया (प्राथमिकता: {{ urgency }})। SLA समय-सीमा: {{ sla_deadline | datetime }}।",
    ),
    "sla_warning": (
        "SLA warning: ticket {{ ticket_id }} on {{ machine_id }} has less than {{ 25 | percent }} of its SLA left (deadline {{ sla_deadline | datetime }}).",
        "Aviso de SLA: al ticket {{ ticket_id }} de {{ machine_id }} le queda menos del {{ 25 | percent }} del SLA (plazo {{ sla_deadline | datetime }}).",
        "Alerte SLA : il reste moins de {{ 25 | percent }} du SLA au ticket {{ ticket_id }} sur {{ machine_id }} (échéance {{ sla_deadline | datetime }}).",
        "Aviso de SLA: o chamado {{ ticket_id }} de {{ machine_id }} tem menos de {{ 25 | percent }} do SLA restante (prazo {{ sla_deadline | datetime }}).",
        "تحذير المهلة: تبقى أقل من {{ 25 | percent }} من مهلة التذكرة {{ ticket_id }} للآلة {{ machine_id }} (الموعد {{ sla_deadline | datetime }}).",
        "SLA चेतावनी: {{ machine_id }} के टिकट {{ ticket_id }} का {{ 25 | percent }} से कम SLA बचा है (समय-सीमा {{ sla_deadline | datetime }})।",
    ),
    "sla_breached": (
        "SLA breached: ticket {{ ticket_id }} on {{ machine_id }} passed its deadline ({{ sla_deadline | datetime }}).",
        "SLA incumplido: el ticket {{ ticket_id }} de {{ machine_id }} superó su plazo ({{ sla_deadline | datetime }}).",
        "SLA dépassé : le ticket {{ ticket_id }} sur {{ machine_id }} a dépassé son échéance ({{ sla_deadline | datetime }}).",
        "SLA violado: o chamado {{ ticket_id }} de {{ machine_id }} passou do prazo ({{ sla_deadline | datetime }}).",
        "تم تجاوز المهلة: التذكرة {{ ticket_id }} للآلة {{ machine_id }} تجاوزت موعدها ({{ sla_deadline | datetime }}).",
        "SLA टूटा: {{ machine_id }} का टिकट {{ ticket_id }} अपनी समय-सीमा ({{ sla_deadline | datetime }}) पार कर गया।",
    ),
    "shift_reminder": (
        "Reminder, {{ operator_name }}: your shift on {{ line }} starts on {{ shift_start | datetime }}.",
        "Recordatorio, {{ operator_name }}: tu turno en {{ line }} empieza el {{ shift_start | datetime }}.",
        "Rappel, {{ operator_name }} : votre poste sur {{ line }} commence le {{ shift_start | datetime }}.",
        "Lembrete, {{ operator_name }}: seu turno na {{ line }} começa em {{ shift_start | datetime }}.",
        "تذكير يا {{ operator_name }}: تبدأ مناوبتك على {{ line }} في {{ shift_start | datetime }}.",
        "{{ operator_name }}, याद दिला दें: {{ line }} पर आपकी शिफ़्ट {{ shift_start | datetime }} पर शुरू होगी।",
    ),
}

TEMPLATES = [
    {"name": name, "language": language, "body": body, "category": "maintenance"}
    for name, bodies in _BODIES.items()
    for language, body in zip(LANGUAGES, bodies, strict=True)
]
_TICKET = {
    "ticket_id": "MAINT-000045",
    "machine_id": "CNC-01",
    "urgency": "High",
    "sla_deadline": "2026-01-05T17:00:00+05:30",
}
SAMPLE_CONTEXT = {
    "ticket_created": _TICKET,
    "sla_warning": _TICKET,
    "sla_breached": _TICKET,
    "shift_reminder": {"operator_name": "Ravi", "line": "Line 2", "shift_start": "2026-01-06T06:00:00+05:30"},
}
