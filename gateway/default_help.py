"""The core Help entry: FAQs, support contact and hours, and reporting a problem to operators.
Written as a plugin that runs last, so a deployment's own help plugin can replace it."""

from gateway.conversation.context import Conversation, PluginContext
from gateway.conversation.flows import Answers, Flow, MenuEntry, Step
from gateway.hookspecs import hookimpl
from gateway.models import Content

NAMESPACE = "help"
SUPPORT_PHONE_SETTING = "support.phone"
SUPPORT_HOURS_SETTING = "support.hours"
DEMO_SUPPORT = {SUPPORT_PHONE_SETTING: "+91 22 4000 1234", SUPPORT_HOURS_SETTING: "Mon–Sat 09:00–18:00 IST"}


class Help:
    def __init__(self) -> None:
        self._context: PluginContext | None = None

    @hookimpl
    def on_startup(self, context: PluginContext) -> None:
        self._context = context

    @hookimpl(trylast=True)
    def register_menu_entries(self) -> list[MenuEntry]:
        return [
            MenuEntry("help.faq", "help.faq", "help.menu", action=self._faq, order=1000),
            MenuEntry("help.contact", "help.contact", "help.menu", action=self._contact, order=1001),
            MenuEntry("help.problem", "help.problem", "help.menu", flow="help.problem", order=1002),
        ]

    @hookimpl
    def register_flows(self) -> list[Flow]:
        describe = Step("description", "help.problem.prompt", pattern=r"(?s).{10,}", invalid="help.problem.too_short")
        return [Flow("help.problem", (describe,), self._report)]

    @hookimpl
    def register_translations(self) -> dict[str, dict[str, str]]:
        return HELP_STRINGS

    async def _faq(self, conversation: Conversation) -> list[Content]:
        return [Content(text=conversation.t("help.faq.text"))]

    async def _contact(self, conversation: Conversation) -> list[Content]:
        settings = self._context.store.settings
        phone = await settings.get(SUPPORT_PHONE_SETTING) or DEMO_SUPPORT[SUPPORT_PHONE_SETTING]
        hours = await settings.get(SUPPORT_HOURS_SETTING) or DEMO_SUPPORT[SUPPORT_HOURS_SETTING]
        return [Content(text=conversation.t("help.contact.text", phone=phone, hours=hours))]

    async def _report(self, answers: Answers, conversation: Conversation) -> list[Content]:
        """Log the problem for operators under a reference the contact can quote."""
        records, clock = self._context.store.records, self._context.clock
        reference = f"PRB-{await records.next_sequence(NAMESPACE, 'problem'):06d}"
        problem = {
            "reference": reference,
            "contact": conversation.contact,
            "description": answers["description"],
            "reported_at": clock.now().isoformat(),
            "status": "open",
        }
        await records.put(NAMESPACE, reference, problem)
        return [Content(text=conversation.t("help.problem.done", reference=reference))]


HELP_STRINGS = {
    "en": {
        "help.menu": "Help",
        "help.faq": "FAQs",
        "help.faq.text": "*How do I start?* Send *menu* and pick an option.\n"
        "*Can I go back?* Send *back* in a form, or *cancel* to leave it.\n"
        "*Can I change language?* Send *language*.\n"
        "*How do I stop notifications?* Send *stop*; send *start* to get them again.",
        "help.contact": "Contact support",
        "help.contact.text": "Call or WhatsApp us on {phone}, {hours}.",
        "help.problem": "Report a problem",
        "help.problem.prompt": "Describe the problem in one message.",
        "help.problem.too_short": "Please describe it in at least 10 characters.",
        "help.problem.done": "Thank you. We logged it as *{reference}* and our team will look into it.",
    },
    "es": {
        "help.menu": "Ayuda",
        "help.faq": "Preguntas frecuentes",
        "help.faq.text": "*¿Cómo empiezo?* Envía *menú* y elige una opción.\n"
        "*¿Puedo volver atrás?* Envía *atrás* en un formulario, o *cancelar* para salir.\n"
        "*¿Puedo cambiar de idioma?* Envía *idioma*.\n"
        "*¿Cómo dejo de recibir avisos?* Envía *baja*; envía *alta* para recibirlos de nuevo.",
        "help.contact": "Contactar soporte",
        "help.contact.text": "Llámanos o escríbenos por WhatsApp al {phone}, {hours}.",
        "help.problem": "Reportar un problema",
        "help.problem.prompt": "Describe el problema en un mensaje.",
        "help.problem.too_short": "Descríbelo con al menos 10 caracteres, por favor.",
        "help.problem.done": "Gracias. Lo registramos como *{reference}* y nuestro equipo lo revisará.",
    },
    "fr": {
        "help.menu": "Aide",
        "help.faq": "Questions fréquentes",
        "help.faq.text": "*Comment commencer ?* Envoyez *menu* et choisissez une option.\n"
        "*Puis-je revenir en arrière ?* Envoyez *retour* dans un formulaire, ou *annuler* pour le quitter.\n"
        "*Puis-je changer de langue ?* Envoyez *langue*.\n"
        "*Comment arrêter les notifications ?* Envoyez *stop* ; envoyez *démarrer* pour les recevoir à nouveau.",
        "help.contact": "Contacter le support",
        "help.contact.text": "Appelez-nous ou écrivez-nous sur WhatsApp au {phone}, {hours}.",
        "help.problem": "Signaler un problème",
        "help.problem.prompt": "Décrivez le problème en un message.",
        "help.problem.too_short": "Décrivez-le en au moins 10 caractères, s'il vous plaît.",
        "help.problem.done": "Merci. Nous l'avons enregistré sous *{reference}* et notre équipe va s'en occuper.",
    },
    "pt": {
        "help.menu": "Ajuda",
        "help.faq": "Perguntas frequentes",
        "help.faq.text": "*Como começo?* Envie *menu* e escolha uma opção.\n"
        "*Posso voltar?* Envie *voltar* num formulário, ou *cancelar* para sair.\n"
        "*Posso mudar de idioma?* Envie *idioma*.\n"
        "*Como paro os avisos?* Envie *parar*; envie *iniciar* para recebê-los de novo.",
        "help.contact": "Falar com o suporte",
        "help.contact.text": "Ligue ou mande WhatsApp para {phone}, {hours}.",
        "help.problem": "Relatar um problema",
        "help.problem.prompt": "Descreva o problema em uma mensagem.",
        "help.problem.too_short": "Descreva com pelo menos 10 caracteres, por favor.",
        "help.problem.done": "Obrigado. Registramos como *{reference}* e nossa equipe vai analisar.",
    },
    "ar": {
        "help.menu": "المساعدة",
        "help.faq": "الأسئلة الشائعة",
        "help.faq.text": "*كيف أبدأ؟* أرسل *القائمة* واختر خيارًا.\n"
        "*هل يمكنني الرجوع؟* أرسل *رجوع* داخل النموذج، أو *إلغاء* لمغادرته.\n"
        "*هل يمكنني تغيير اللغة؟* أرسل *اللغة*.\n"
        "*كيف أوقف الإشعارات؟* أرسل *إيقاف*؛ وأرسل *بدء* لاستلامها مجددًا.",
        "help.contact": "التواصل مع الدعم",
        "help.contact.text": "اتصل بنا أو راسلنا على واتساب على الرقم {phone}، {hours}.",
        "help.problem": "الإبلاغ عن مشكلة",
        "help.problem.prompt": "صف المشكلة في رسالة واحدة.",
        "help.problem.too_short": "يرجى وصفها في 10 أحرف على الأقل.",
        "help.problem.done": "شكرًا لك. سجلناها برقم *{reference}* وسيتابعها فريقنا.",
    },
    "hi": {
        "help.menu": "सहायता",
        "help.faq": "सामान्य प्रश्न",
        "help.faq.text": "*कैसे शुरू करूँ?* *मेनू* भेजें और कोई विकल्प चुनें।\n"
        "*क्या मैं पीछे जा सकता हूँ?* फ़ॉर्म में *वापस* भेजें, या छोड़ने के लिए *रद्द*।\n"
        "*क्या मैं भाषा बदल सकता हूँ?* *भाषा* भेजें।\n"
        "*सूचनाएँ कैसे रोकूँ?* *रोकें* भेजें; फिर से पाने के लिए *शुरू* भेजें।",
        "help.contact": "सहायता से संपर्क",
        "help.contact.text": "हमें {phone} पर कॉल या WhatsApp करें, {hours}।",
        "help.problem": "समस्या बताएँ",
        "help.problem.prompt": "समस्या एक संदेश में बताएँ।",
        "help.problem.too_short": "कृपया कम से कम 10 अक्षरों में बताएँ।",
        "help.problem.done": "धन्यवाद। हमने इसे *{reference}* के रूप में दर्ज किया है और हमारी टीम इसे देखेगी।",
    },
}
