"""The core Help entry: FAQs, talking to a person from the team, and reporting a problem to
operators. Written as a plugin that runs last, so a deployment's own help plugin can replace it."""

from gateway.conversation.context import Conversation, PluginContext
from gateway.conversation.flows import Answers, Flow, MenuEntry, Step
from gateway.handover.card import HandoverReason
from gateway.hookspecs import hookimpl
from gateway.models import Content

NAMESPACE = "help"


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
            MenuEntry("help.person", "help.person", "help.menu", action=self._person, order=1001),
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

    async def _person(self, conversation: Conversation) -> list[Content]:
        """Someone on WhatsApp already is where the team answers: hand the conversation over."""
        return await self._context.handovers.hand_over(conversation, HandoverReason.MENU)

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
        "*How do I stop notifications?* Send *stop*; send *start* to get them again.\n"
        "*Can I talk to a person?* Send *agent*, or choose *Talk to a person* in Help.",
        "help.person": "Talk to a person",
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
        "*¿Cómo dejo de recibir avisos?* Envía *baja*; envía *alta* para recibirlos de nuevo.\n"
        "*¿Puedo hablar con una persona?* Envía *agente*, o elige *Hablar con una persona* en Ayuda.",
        "help.person": "Hablar con una persona",
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
        "*Comment arrêter les notifications ?* Envoyez *stop* ; envoyez *démarrer* pour les recevoir à nouveau.\n"
        "*Puis-je parler à quelqu'un ?* Envoyez *conseiller*, ou choisissez *Parler à une personne* dans Aide.",
        "help.person": "Parler à une personne",
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
        "*Como paro os avisos?* Envie *parar*; envie *iniciar* para recebê-los de novo.\n"
        "*Posso falar com uma pessoa?* Envie *atendente*, ou escolha *Falar com uma pessoa* em Ajuda.",
        "help.person": "Falar com uma pessoa",
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
        "*كيف أوقف الإشعارات؟* أرسل *إيقاف*؛ وأرسل *بدء* لاستلامها مجددًا.\n"
        "*هل يمكنني التحدث مع شخص؟* أرسل *موظف*، أو اختر *التحدث مع شخص* من المساعدة.",
        "help.person": "التحدث مع شخص",
        "help.problem": "الإبلاغ عن مشكلة",
        "help.problem.prompt": "صف المشكلة في رسالة واحدة.",
        "help.problem.too_short": "يرجى وصفها بعشرة أحرف على الأقل.",
        "help.problem.done": "شكرًا لك. سجّلنا المشكلة برقم *{reference}* وسيتابعها فريقنا.",
    },
    "hi": {
        "help.menu": "सहायता",
        "help.faq": "सामान्य प्रश्न",
        "help.faq.text": "*कैसे शुरू करूँ?* *मेनू* भेजें और कोई विकल्प चुनें।\n"
        "*क्या मैं पीछे जा सकता हूँ?* फ़ॉर्म में *वापस* भेजें, या छोड़ने के लिए *रद्द*।\n"
        "*क्या मैं भाषा बदल सकता हूँ?* *भाषा* भेजें।\n"
        "*सूचनाएँ कैसे रोकूँ?* *रोकें* भेजें; फिर से पाने के लिए *शुरू* भेजें।\n"
        "*क्या मैं किसी व्यक्ति से बात कर सकता हूँ?* *एजेंट* भेजें, या सहायता में *किसी से बात करें* चुनें।",
        "help.person": "किसी से बात करें",
        "help.problem": "समस्या बताएँ",
        "help.problem.prompt": "एक ही संदेश में समस्या बताएँ।",
        "help.problem.too_short": "कृपया कम से कम 10 अक्षरों में बताएँ।",
        "help.problem.done": "धन्यवाद। हमने इसे *{reference}* के रूप में दर्ज किया है और हमारी टीम इसे देखेगी।",
    },
}
