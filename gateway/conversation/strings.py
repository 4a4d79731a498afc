"""The core's own bot strings, in every language the bot speaks."""

from gateway.conversation.catalog import by_language

CORE_STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "core.greeting": "Hello! 👋",
        "core.greeting.named": "Hello {name}! 👋",
        "core.menu.body": "What would you like to do?",
        "core.menu.button": "Menu",
        "core.group.button": "Options",
        "core.session_expired": "It has been a while, so we are back at the main menu.",
        "core.invalid_answer": "Sorry, that is not a valid answer.",
        "core.choose_option": "Please choose one of the options.",
        "core.too_many_invalid": "That was not valid three times, so I stopped this form. Send *menu* to start again.",
        "core.cancelled": "Cancelled.",
        "core.first_step": "This is the first question.",
        "core.not_understood": "Sorry, I did not understand that. Send *menu* to see what I can do.",
        "core.error": "Sorry, something went wrong on our side. Please try again in a moment.",
        "core.help": "Send *menu* for the main menu, *back* to go back a step, *cancel* to leave a form, "
        "*language* to change language, *stop* to stop notifications and *start* to get them again.",
        "core.language.body": "Choose your language:",
        "core.language.button": "Languages",
        "core.language.set": "From now on I will speak English.",
        "core.stopped": "You will not receive notifications any more. Send *start* to receive them again.",
        "core.started": "You will receive notifications again.",
        "core.source_language": "{text} (in {source_language})",
    },
    "es": {
        "core.greeting": "¡Hola! 👋",
        "core.greeting.named": "¡Hola {name}! 👋",
        "core.menu.body": "¿Qué quieres hacer?",
        "core.menu.button": "Menú",
        "core.group.button": "Opciones",
        "core.session_expired": "Ha pasado un tiempo, así que volvemos al menú principal.",
        "core.invalid_answer": "Lo siento, esa respuesta no es válida.",
        "core.choose_option": "Elige una de las opciones, por favor.",
        "core.too_many_invalid": "La respuesta no fue válida tres veces, así que detuve este formulario. "
        "Envía *menú* para empezar de nuevo.",
        "core.cancelled": "Cancelado.",
        "core.first_step": "Esta es la primera pregunta.",
        "core.not_understood": "Lo siento, no lo entendí. Envía *menú* para ver lo que puedo hacer.",
        "core.error": "Lo siento, algo falló de nuestro lado. Inténtalo de nuevo en un momento.",
        "core.help": "Envía *menú* para el menú principal, *atrás* para volver un paso, *cancelar* para salir "
        "de un formulario, *idioma* para cambiar de idioma, *baja* para dejar de recibir avisos y *alta* para "
        "volver a recibirlos.",
        "core.language.body": "Elige tu idioma:",
        "core.language.button": "Idiomas",
        "core.language.set": "A partir de ahora hablaré español.",
        "core.stopped": "Ya no recibirás avisos. Envía *alta* para volver a recibirlos.",
        "core.started": "Volverás a recibir avisos.",
        "core.source_language": "{text} (en {source_language})",
    },
    "fr": {
        "core.greeting": "Bonjour ! 👋",
        "core.greeting.named": "Bonjour {name} ! 👋",
        "core.menu.body": "Que souhaitez-vous faire ?",
        "core.menu.button": "Menu",
        "core.group.button": "Options",
        "core.session_expired": "Cela fait un moment, nous revenons donc au menu principal.",
        "core.invalid_answer": "Désolé, cette réponse n'est pas valide.",
        "core.choose_option": "Veuillez choisir l'une des options.",
        "core.too_many_invalid": "La réponse n'était pas valide trois fois, j'ai donc arrêté ce formulaire. "
        "Envoyez *menu* pour recommencer.",
        "core.cancelled": "Annulé.",
        "core.first_step": "C'est la première question.",
        "core.not_understood": "Désolé, je n'ai pas compris. Envoyez *menu* pour voir ce que je peux faire.",
        "core.error": "Désolé, un problème est survenu de notre côté. Réessayez dans un instant.",
        "core.help": "Envoyez *menu* pour le menu principal, *retour* pour revenir d'une étape, *annuler* pour "
        "quitter un formulaire, *langue* pour changer de langue, *stop* pour ne plus recevoir de notifications "
        "et *démarrer* pour les recevoir à nouveau.",
        "core.language.body": "Choisissez votre langue :",
        "core.language.button": "Langues",
        "core.language.set": "Désormais, je parlerai français.",
        "core.stopped": "Vous ne recevrez plus de notifications. Envoyez *démarrer* pour les recevoir à nouveau.",
        "core.started": "Vous recevrez à nouveau des notifications.",
        "core.source_language": "{text} (en {source_language})",
    },
    "pt": {
        "core.greeting": "Olá! 👋",
        "core.greeting.named": "Olá {name}! 👋",
        "core.menu.body": "O que você gostaria de fazer?",
        "core.menu.button": "Menu",
        "core.group.button": "Opções",
        "core.session_expired": "Já faz um tempo, então voltamos ao menu principal.",
        "core.invalid_answer": "Desculpe, essa resposta não é válida.",
        "core.choose_option": "Escolha uma das opções, por favor.",
        "core.too_many_invalid": "A resposta não foi válida três vezes, então encerrei este formulário. "
        "Envie *menu* para começar de novo.",
        "core.cancelled": "Cancelado.",
        "core.first_step": "Esta é a primeira pergunta.",
        "core.not_understood": "Desculpe, não entendi. Envie *menu* para ver o que posso fazer.",
        "core.error": "Desculpe, algo deu errado do nosso lado. Tente de novo em instantes.",
        "core.help": "Envie *menu* para o menu principal, *voltar* para voltar um passo, *cancelar* para sair "
        "de um formulário, *idioma* para mudar de idioma, *parar* para não receber avisos e *iniciar* para "
        "recebê-los de novo.",
        "core.language.body": "Escolha seu idioma:",
        "core.language.button": "Idiomas",
        "core.language.set": "A partir de agora falarei português.",
        "core.stopped": "Você não receberá mais avisos. Envie *iniciar* para recebê-los de novo.",
        "core.started": "Você voltará a receber avisos.",
        "core.source_language": "{text} (em {source_language})",
    },
    "ar": {
        "core.greeting": "مرحبًا! 👋",
        "core.greeting.named": "مرحبًا يا {name}! 👋",
        "core.menu.body": "ماذا تريد أن تفعل؟",
        "core.menu.button": "القائمة",
        "core.group.button": "الخيارات",
        "core.session_expired": "مر بعض الوقت، لذلك عدنا إلى القائمة الرئيسية.",
        "core.invalid_answer": "عذرًا، هذه الإجابة غير صالحة.",
        "core.choose_option": "يرجى اختيار أحد الخيارات.",
        "core.too_many_invalid": "لم تكن الإجابة صالحة ثلاث مرات، لذلك أوقفت هذا النموذج. أرسل *القائمة* للبدء من جديد.",
        "core.cancelled": "تم الإلغاء.",
        "core.first_step": "هذا هو السؤال الأول.",
        "core.not_understood": "عذرًا، لم أفهم ذلك. أرسل *القائمة* لترى ما يمكنني فعله.",
        "core.error": "عذرًا، حدث خطأ من جانبنا. يرجى المحاولة مرة أخرى بعد قليل.",
        "core.help": "أرسل *القائمة* للقائمة الرئيسية، وللرجوع خطوة أرسل *رجوع*، ولمغادرة النموذج أرسل *إلغاء*، "
        "ولتغيير اللغة أرسل *اللغة*، ولإيقاف الإشعارات أرسل *إيقاف*، ولاستلامها مجددًا أرسل *بدء*.",
        "core.language.body": "اختر لغتك:",
        "core.language.button": "اللغات",
        "core.language.set": "من الآن فصاعدًا سأتحدث العربية.",
        "core.stopped": "لن تصلك الإشعارات بعد الآن. أرسل *بدء* لاستلامها مجددًا.",
        "core.started": "ستصلك الإشعارات مجددًا.",
        "core.source_language": "{text} (باللغة {source_language})",
    },
    "hi": {
        "core.greeting": "नमस्ते! 👋",
        "core.greeting.named": "नमस्ते {name}! 👋",
        "core.menu.body": "आप क्या करना चाहेंगे?",
        "core.menu.button": "मेनू",
        "core.group.button": "विकल्प",
        "core.session_expired": "काफ़ी समय हो गया, इसलिए हम मुख्य मेनू पर लौट आए हैं।",
        "core.invalid_answer": "माफ़ कीजिए, यह उत्तर मान्य नहीं है।",
        "core.choose_option": "कृपया कोई एक विकल्प चुनें।",
        "core.too_many_invalid": "उत्तर तीन बार मान्य नहीं था, इसलिए मैंने यह फ़ॉर्म रोक दिया। फिर से शुरू करने के लिए *मेनू* भेजें।",
        "core.cancelled": "रद्द कर दिया गया।",
        "core.first_step": "यह पहला प्रश्न है।",
        "core.not_understood": "माफ़ कीजिए, मैं समझ नहीं पाया। मैं क्या कर सकता हूँ, यह देखने के लिए *मेनू* भेजें।",
        "core.error": "माफ़ कीजिए, हमारी ओर से कुछ गड़बड़ हो गई। कृपया थोड़ी देर में फिर कोशिश करें।",
        "core.help": "मुख्य मेनू के लिए *मेनू*, एक कदम पीछे जाने के लिए *वापस*, फ़ॉर्म छोड़ने के लिए *रद्द*, "
        "भाषा बदलने के लिए *भाषा*, सूचनाएँ रोकने के लिए *रोकें* और फिर से पाने के लिए *शुरू* भेजें।",
        "core.language.body": "अपनी भाषा चुनें:",
        "core.language.button": "भाषाएँ",
        "core.language.set": "अब से मैं हिन्दी में बात करूँगा।",
        "core.stopped": "अब आपको सूचनाएँ नहीं मिलेंगी। फिर से पाने के लिए *शुरू* भेजें।",
        "core.started": "आपको फिर से सूचनाएँ मिलेंगी।",
        "core.source_language": "{text} ({source_language} में)",
    },
}

GUIDANCE_STRINGS = by_language(
    {
        "core.language.switched": (
            "From now on I will speak English. To go back to {previous}, send *language*.",
            "A partir de ahora hablaré español. Para volver a {previous}, envía *idioma*.",
            "Désormais, je parlerai français. Pour revenir à {previous}, envoyez *langue*.",
            "A partir de agora falarei português. Para voltar a {previous}, envie *idioma*.",
            "من الآن فصاعدًا سأتحدث العربية. للعودة إلى {previous}، أرسل *اللغة*.",
            "अब से मैं हिन्दी में बात करूँगा। {previous} पर लौटने के लिए *भाषा* भेजें।",
        ),
        "core.paused": (
            "You were filling in *{form}*. Continue where you left off, or start over?",
            "Estabas completando *{form}*. ¿Continúas donde lo dejaste o empiezas de nuevo?",
            "Vous étiez en train de remplir *{form}*. Continuer là où vous en étiez, ou recommencer ?",
            "Você estava preenchendo *{form}*. Continuar de onde parou ou recomeçar?",
            "كنت تملأ نموذج *{form}*. هل تريد المتابعة من حيث توقفت أم البدء من جديد؟",
            "आप *{form}* भर रहे थे। जहाँ छोड़ा था वहीं से जारी रखें या फिर से शुरू करें?",
        ),
        "core.paused.timeout": (
            "It has been a while. You were filling in *{form}*: continue where you left off, or start over?",
            "Ha pasado un tiempo. Estabas completando *{form}*: ¿continúas donde lo dejaste o empiezas de nuevo?",
            "Cela fait un moment. Vous étiez en train de remplir *{form}* : continuer là où vous en étiez, "
            "ou recommencer ?",
            "Já faz um tempo. Você estava preenchendo *{form}*: continuar de onde parou ou recomeçar?",
            "مر بعض الوقت. كنت تملأ نموذج *{form}*: هل تريد المتابعة من حيث توقفت أم البدء من جديد؟",
            "काफ़ी समय हो गया। आप *{form}* भर रहे थे: जहाँ छोड़ा था वहीं से जारी रखें या फिर से शुरू करें?",
        ),
        "core.form.continue": ("Continue", "Continuar", "Continuer", "Continuar", "متابعة", "जारी रखें"),
        "core.form.restart": (
            "Start over", "Empezar de nuevo", "Recommencer", "Recomeçar", "البدء من جديد", "फिर से शुरू करें"
        ),
        "core.form.leave": (
            "Leave the form", "Salir", "Quitter", "Sair do formulário", "مغادرة النموذج", "फ़ॉर्म छोड़ें"
        ),
        "core.form.stop_asked": (
            "You are in the middle of a form, so your notifications stay as they are. Leave the form?",
            "Estás en medio de un formulario, así que tus avisos siguen igual. ¿Quieres salir del formulario?",
            "Vous êtes en train de remplir un formulaire, vos notifications restent donc inchangées. "
            "Quitter le formulaire ?",
            "Você está no meio de um formulário, então seus avisos continuam como estão. Sair do formulário?",
            "أنت في منتصف نموذج، لذلك تبقى إشعاراتك كما هي. هل تريد مغادرة النموذج؟",
            "आप एक फ़ॉर्म भर रहे हैं, इसलिए आपकी सूचनाएँ जैसी हैं वैसी ही रहेंगी। क्या फ़ॉर्म छोड़ना चाहते हैं?",
        ),
        "core.form.left": (
            "You left the form. To stop or start notifications, send *stop* or *start* again.",
            "Saliste del formulario. Para dejar o volver a recibir avisos, envía de nuevo *baja* o *alta*.",
            "Vous avez quitté le formulaire. Pour arrêter ou reprendre les notifications, envoyez à nouveau "
            "*stop* ou *démarrer*.",
            "Você saiu do formulário. Para parar ou voltar a receber avisos, envie de novo *parar* ou *iniciar*.",
            "غادرت النموذج. لإيقاف الإشعارات أو استئنافها، أرسل *إيقاف* أو *بدء* مرة أخرى.",
            "आपने फ़ॉर्म छोड़ दिया। सूचनाएँ रोकने या फिर से पाने के लिए दोबारा *रोकें* या *शुरू* भेजें।",
        ),
        "core.stop.confirm": (
            "Stop all notifications from us? Send *start* at any time to get them again.",
            "¿Dejar de recibir todos nuestros avisos? Envía *alta* cuando quieras para volver a recibirlos.",
            "Arrêter toutes nos notifications ? Envoyez *démarrer* à tout moment pour les recevoir à nouveau.",
            "Parar todos os nossos avisos? Envie *iniciar* quando quiser para recebê-los de novo.",
            "هل تريد إيقاف جميع إشعاراتنا؟ أرسل *بدء* في أي وقت لاستلامها مجددًا.",
            "क्या हमारी सभी सूचनाएँ रोक दें? फिर से पाने के लिए कभी भी *शुरू* भेजें।",
        ),
        "core.stop.confirm_category": (
            "Which notifications should stop? *Stop all* stops every notification; *{category}* stops only "
            "{category} notifications, like the last one you received. Send *start* at any time to get them again.",
            "¿Qué avisos quieres dejar de recibir? *Detener todos* los detiene todos; *{category}* solo los de "
            "{category}, como el último que recibiste. Envía *alta* cuando quieras para volver a recibirlos.",
            "Quelles notifications arrêter ? *Tout arrêter* les arrête toutes ; *{category}* arrête seulement "
            "celles de type {category}, comme la dernière que vous avez reçue. Envoyez *démarrer* à tout moment "
            "pour les recevoir à nouveau.",
            "Quais avisos você quer parar? *Parar todos* para todos; *{category}* para só os de {category}, "
            "como o último que você recebeu. Envie *iniciar* quando quiser para recebê-los de novo.",
            "ما الإشعارات التي تريد إيقافها؟ *إيقاف الكل* يوقف جميع الإشعارات. *{category}* يوقف إشعارات "
            "{category} فقط، مثل آخر إشعار وصلك. أرسل *بدء* في أي وقت لاستلامها مجددًا.",
            "कौन-सी सूचनाएँ रोकें? *सब रोकें* सभी सूचनाएँ रोकता है; *{category}* केवल {category} की सूचनाएँ "
            "रोकता है, जैसी पिछली सूचना आपको मिली थी। फिर से पाने के लिए कभी भी *शुरू* भेजें।",
        ),
        "core.stop.all": ("Stop all", "Detener todos", "Tout arrêter", "Parar todos", "إيقاف الكل", "सब रोकें"),
        "core.stop.keep": ("Keep them", "Mantenerlos", "Les garder", "Continuar recebendo", "إبقاؤها", "चालू रखें"),
        "core.stop.kept": (
            "Fine, you will keep receiving notifications.",
            "De acuerdo, seguirás recibiendo avisos.",
            "Très bien, vous continuerez à recevoir des notifications.",
            "Certo, você continuará recebendo avisos.",
            "حسنًا، ستستمر الإشعارات في الوصول إليك.",
            "ठीक है, आपको सूचनाएँ मिलती रहेंगी।",
        ),
        "core.stopped.category": (
            "You will not receive {category} notifications any more. Send *start* to receive them again.",
            "Ya no recibirás avisos de {category}. Envía *alta* para volver a recibirlos.",
            "Vous ne recevrez plus de notifications de type {category}. Envoyez *démarrer* pour les recevoir "
            "à nouveau.",
            "Você não receberá mais avisos de {category}. Envie *iniciar* para recebê-los de novo.",
            "لن تصلك إشعارات {category} بعد الآن. أرسل *بدء* لاستلامها مجددًا.",
            "अब आपको {category} की सूचनाएँ नहीं मिलेंगी। फिर से पाने के लिए *शुरू* भेजें।",
        ),
        "core.category.billing": ("Billing", "Facturación", "Facturation", "Cobrança", "الفواتير", "बिलिंग"),
        "core.category.quality": ("Quality", "Calidad", "Qualité", "Qualidade", "الجودة", "गुणवत्ता"),
        "core.category.maintenance": (
            "Maintenance", "Mantenimiento", "Maintenance", "Manutenção", "الصيانة", "रखरखाव"
        ),
        "core.category.orders": ("Orders", "Pedidos", "Commandes", "Pedidos", "الطلبات", "ऑर्डर"),
        "core.next_step": (
            "Anything else?",
            "¿Algo más?",
            "Autre chose ?",
            "Mais alguma coisa?",
            "هل تحتاج شيئًا آخر؟",
            "क्या कुछ और चाहिए?",
        ),
        "core.small_talk.thanks": (
            "You're welcome! 😊 Send *menu* whenever you need something.",
            "¡De nada! 😊 Envía *menú* cuando necesites algo.",
            "Avec plaisir ! 😊 Envoyez *menu* quand vous avez besoin de quelque chose.",
            "Por nada! 😊 Envie *menu* sempre que precisar.",
            "على الرحب والسعة! 😊 أرسل *القائمة* متى احتجت إلى شيء.",
            "आपका स्वागत है! 😊 जब भी कुछ चाहिए, *मेनू* भेजें।",
        ),
        "core.small_talk.okay": (
            "Great! 👍 Send *menu* whenever you need something.",
            "¡Perfecto! 👍 Envía *menú* cuando necesites algo.",
            "Parfait ! 👍 Envoyez *menu* quand vous avez besoin de quelque chose.",
            "Ótimo! 👍 Envie *menu* sempre que precisar.",
            "تمام! 👍 أرسل *القائمة* متى احتجت إلى شيء.",
            "बढ़िया! 👍 जब भी कुछ चाहिए, *मेनू* भेजें।",
        ),
        "core.small_talk.bye": (
            "Goodbye! 👋 Send *menu* whenever you need something.",
            "¡Hasta luego! 👋 Envía *menú* cuando necesites algo.",
            "Au revoir ! 👋 Envoyez *menu* quand vous avez besoin de quelque chose.",
            "Até logo! 👋 Envie *menu* sempre que precisar.",
            "مع السلامة! 👋 أرسل *القائمة* متى احتجت إلى شيء.",
            "फिर मिलेंगे! 👋 जब भी कुछ चाहिए, *मेनू* भेजें।",
        ),
    }
)
"""What the engine says to keep a conversation going: language switches, paused forms, the
opt-out confirmation, the next step after a result, and answers to small talk."""
