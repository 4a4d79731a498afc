"""The billing plugin's default notification templates (Jinja2), in every language. Amounts
go through the `money` filter, dates through `date`, months through `month` and times through
`datetime`, so they read as each recipient writes them, in their time zone."""

from gateway.conversation.catalog import LANGUAGES

_BODIES = {
    "delivery_reminder": (
        "Hi {{ customer_name }}, your delivery is scheduled for {{ delivery_date | date }}.",
        "Hola {{ customer_name }}, tu entrega está programada para el {{ delivery_date | date }}.",
        "Bonjour {{ customer_name }}, votre livraison est prévue le {{ delivery_date | date }}.",
        "Olá {{ customer_name }}, sua entrega está marcada para {{ delivery_date | date }}.",
        "مرحبًا {{ customer_name }}، موعد التوصيل {{ delivery_date | date }}.",
        "नमस्ते {{ customer_name }}, आपकी डिलीवरी {{ delivery_date | date }} को निर्धारित है।",
    ),
    "delivery_confirmed": (
        "Hi {{ customer_name }}, your delivery of {{ delivery_date | date }} has arrived. Thank you!",
        "Hola {{ customer_name }}, tu entrega del {{ delivery_date | date }} ha llegado. ¡Gracias!",
        "Bonjour {{ customer_name }}, votre livraison du {{ delivery_date | date }} est arrivée. Merci !",
        "Olá {{ customer_name }}, sua entrega de {{ delivery_date | date }} chegou. Obrigado!",
        "مرحبًا {{ customer_name }}، وصلت شحنتك المقررة في {{ delivery_date | date }}. شكرًا لك!",
        "नमस्ते {{ customer_name }}, {{ delivery_date | date }} की आपकी डिलीवरी पहुँच गई है। धन्यवाद!",
    ),
    "payment_reminder": (
        "Hi {{ customer_name }}, your bill of {{ amount | money(currency) }} for {{ period | month }} is due on {{ due_date | date }}.",
        "Hola {{ customer_name }}, tu factura de {{ amount | money(currency) }} de {{ period | month }} vence el {{ due_date | date }}.",
        "Bonjour {{ customer_name }}, votre facture de {{ amount | money(currency) }} pour {{ period | month }} est à régler le {{ due_date | date }}.",
        "Olá {{ customer_name }}, sua fatura de {{ amount | money(currency) }} de {{ period | month }} vence em {{ due_date | date }}.",
        "مرحبًا {{ customer_name }}، فاتورتك بمبلغ {{ amount | money(currency) }} عن {{ period | month }} مستحقة في {{ due_date | date }}.",
        "नमस्ते {{ customer_name }}, {{ period | month }} का आपका {{ amount | money(currency) }} का बिल {{ due_date | date }} को देय है।",
    ),
    "payment_confirmation": (
        "Thank you {{ customer_name }}, we received your payment of {{ amount | money(currency) }}.",
        "Gracias {{ customer_name }}, recibimos tu pago de {{ amount | money(currency) }}.",
        "Merci {{ customer_name }}, nous avons reçu votre paiement de {{ amount | money(currency) }}.",
        "Obrigado {{ customer_name }}, recebemos seu pagamento de {{ amount | money(currency) }}.",
        "شكرًا {{ customer_name }}، استلمنا دفعتك بمبلغ {{ amount | money(currency) }}.",
        "धन्यवाद {{ customer_name }}, हमें आपका {{ amount | money(currency) }} का भुगतान मिल गया है।",
    ),
    "subscription_confirmation": (
        "Welcome {{ customer_name }}! Your subscription to {{ product }} starts on {{ start_date | date }}.",
        "¡Bienvenido/a {{ customer_name }}! Tu suscripción a {{ product }} empieza el {{ start_date | date }}.",
        "Bienvenue {{ customer_name }} ! Votre abonnement à {{ product }} commence le {{ start_date | date }}.",
        "Bem-vindo(a) {{ customer_name }}! Sua assinatura de {{ product }} começa em {{ start_date | date }}.",
        "أهلًا {{ customer_name }}! يبدأ اشتراكك في {{ product }} في {{ start_date | date }}.",
        "स्वागत है {{ customer_name }}! {{ product }} की आपकी सदस्यता {{ start_date | date }} से शुरू होगी।",
    ),
    "order_confirmation": (
        "Thank you {{ customer_name }}: order {{ order_id }} for {{ amount | money(currency) }} is confirmed, delivery on {{ delivery_date | date }}.",
        "Gracias {{ customer_name }}: el pedido {{ order_id }} por {{ amount | money(currency) }} está confirmado, entrega el {{ delivery_date | date }}.",
        "Merci {{ customer_name }} : la commande {{ order_id }} de {{ amount | money(currency) }} est confirmée, livraison le {{ delivery_date | date }}.",
        "Obrigado {{ customer_name }}: o pedido {{ order_id }} de {{ amount | money(currency) }} está confirmado, entrega em {{ delivery_date | date }}.",
        "شكرًا {{ customer_name }}: تم تأكيد الطلب {{ order_id }} بمبلغ {{ amount | money(currency) }}، والتوصيل في {{ delivery_date | date }}.",
        "धन्यवाद {{ customer_name }}: {{ amount | money(currency) }} का ऑर्डर {{ order_id }} पक्का हुआ, डिलीवरी {{ delivery_date | date }} को।",
    ),
    "pause_confirmation": (
        "{{ customer_name }}, your {{ product }} deliveries are paused and resume on {{ resume_date | date }}.",
        "{{ customer_name }}, tus entregas de {{ product }} están pausadas y se reanudan el {{ resume_date | date }}.",
        "{{ customer_name }}, vos livraisons de {{ product }} sont suspendues et reprennent le {{ resume_date | date }}.",
        "{{ customer_name }}, suas entregas de {{ product }} estão pausadas e voltam em {{ resume_date | date }}.",
        "{{ customer_name }}، تم إيقاف توصيل {{ product }} ويُستأنف في {{ resume_date | date }}.",
        "{{ customer_name }}, आपकी {{ product }} डिलीवरी रुकी है और {{ resume_date | date }} को फिर शुरू होगी।",
    ),
    "churn_risk": (
        "We miss you, {{ customer_name }}! Here is something for you: {{ offer }}.",
        "¡Te extrañamos, {{ customer_name }}! Tenemos algo para ti: {{ offer }}.",
        "Vous nous manquez, {{ customer_name }} ! Voici une offre pour vous : {{ offer }}.",
        "Sentimos sua falta, {{ customer_name }}! Temos algo para você: {{ offer }}.",
        "نفتقدك يا {{ customer_name }}! لدينا عرض لك: {{ offer }}.",
        "हमें आपकी याद आती है, {{ customer_name }}! आपके लिए खास: {{ offer }}।",
    ),
    "new_product": (
        "New in {{ area }}: {{ product }}. Reply *menu* to order.",
        "Novedad en {{ area }}: {{ product }}. Responde *menú* para pedir.",
        "Nouveau à {{ area }} : {{ product }}. Répondez *menu* pour commander.",
        "Novidade em {{ area }}: {{ product }}. Responda *menu* para pedir.",
        "جديد في {{ area }}: {{ product }}. أرسل *القائمة* للطلب.",
        "{{ area }} में नया: {{ product }}। ऑर्डर के लिए *मेनू* भेजें।",
    ),
    "delivery_delayed": (
        "Sorry {{ customer_name }}, your delivery is delayed. New arrival time: {{ eta | datetime }}.",
        "Lo sentimos {{ customer_name }}, tu entrega se retrasa. Nueva hora de llegada: {{ eta | datetime }}.",
        "Désolé {{ customer_name }}, votre livraison est retardée. Nouvelle heure d'arrivée : {{ eta | datetime }}.",
        "Desculpe {{ customer_name }}, sua entrega atrasou. Nova previsão: {{ eta | datetime }}.",
        "عذرًا {{ customer_name }}، تأخر التوصيل. موعد الوصول الجديد: {{ eta | datetime }}.",
        "माफ़ कीजिए {{ customer_name }}, आपकी डिलीवरी में देरी है। नया समय: {{ eta | datetime }}।",
    ),
}

TEMPLATES = [
    {"name": name, "language": language, "body": body, "category": "billing"}
    for name, bodies in _BODIES.items()
    for language, body in zip(LANGUAGES, bodies, strict=True)
]
_CUSTOMER = {"customer_name": "Asha", "currency": "INR"}
SAMPLE_CONTEXT = {
    "delivery_reminder": _CUSTOMER | {"delivery_date": "2026-01-06"},
    "delivery_confirmed": _CUSTOMER | {"delivery_date": "2026-01-06"},
    "payment_reminder": _CUSTOMER | {"amount": 1860, "period": "2025-12", "due_date": "2026-01-10"},
    "payment_confirmation": _CUSTOMER | {"amount": 1860},
    "subscription_confirmation": _CUSTOMER | {"product": "Toned milk 1 L", "start_date": "2026-01-06"},
    "order_confirmation": _CUSTOMER | {"order_id": "4411", "amount": 499.5, "delivery_date": "2026-01-08"},
    "pause_confirmation": _CUSTOMER | {"product": "Toned milk 1 L", "resume_date": "2026-01-20"},
    "churn_risk": _CUSTOMER | {"offer": "a free week of deliveries"},
    "new_product": {"product": "Greek yoghurt 400 g", "area": "Andheri"},
    "delivery_delayed": _CUSTOMER | {"eta": "2026-01-06T10:00:00+05:30"},
}
