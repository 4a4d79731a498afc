"""What the bot tells a contact about a handover to a person, in every language it speaks."""

HANDOVER_STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "handover.requested": "A person from our team will answer you here shortly. "
        "Send *menu* at any time to go back to the bot.",
        "handover.requested.wait": "A person from our team will answer you here, usually within about "
        "{minutes}. Send *menu* at any time to go back to the bot.",
        "handover.requested.away": "Our team is away right now. A person will answer you here when it is back: "
        "{when}. Send *menu* at any time to go back to the bot.",
        "handover.minutes": {"one": "{count} minute", "other": "{count} minutes"},
        "handover.already": "You are already waiting for a person from our team; they will answer you here.",
        "handover.form_dropped": "The form you were filling in was not sent.",
        "handover.handed_back": "Our team has handed you back to the bot.",
        "handover.wait_timeout": "Sorry, nobody from our team could take your conversation in time. "
        "You are back with the bot; send *agent* to try again later.",
        "handover.idle_timeout": "Your conversation with our team ended after a quiet while. "
        "You are back with the bot.",
        "handover.closed": "Our team has closed this conversation. Send *menu* whenever you need the bot.",
    },
    "es": {
        "handover.requested": "Una persona de nuestro equipo te responderá aquí en breve. "
        "Envía *menú* en cualquier momento para volver al bot.",
        "handover.requested.wait": "Una persona de nuestro equipo te responderá aquí, normalmente en "
        "{minutes} aproximadamente. Envía *menú* en cualquier momento para volver al bot.",
        "handover.requested.away": "Nuestro equipo no está disponible ahora. Una persona te responderá aquí "
        "cuando vuelva: {when}. Envía *menú* en cualquier momento para volver al bot.",
        "handover.minutes": {"one": "{count} minuto", "other": "{count} minutos"},
        "handover.already": "Ya estás esperando a una persona de nuestro equipo; te responderá aquí.",
        "handover.form_dropped": "El formulario que estabas rellenando no se envió.",
        "handover.handed_back": "Nuestro equipo te ha devuelto al bot.",
        "handover.wait_timeout": "Lo sentimos, nadie de nuestro equipo pudo atender tu conversación a tiempo. "
        "Vuelves a estar con el bot; envía *agente* para intentarlo más tarde.",
        "handover.idle_timeout": "Tu conversación con nuestro equipo terminó tras un rato sin mensajes. "
        "Vuelves a estar con el bot.",
        "handover.closed": "Nuestro equipo ha cerrado esta conversación. Envía *menú* cuando necesites el bot.",
    },
    "fr": {
        "handover.requested": "Une personne de notre équipe va vous répondre ici sous peu. "
        "Envoyez *menu* à tout moment pour revenir au bot.",
        "handover.requested.wait": "Une personne de notre équipe va vous répondre ici, en général d'ici "
        "{minutes} environ. Envoyez *menu* à tout moment pour revenir au bot.",
        "handover.requested.away": "Notre équipe est absente pour le moment. Une personne vous répondra ici "
        "à son retour : {when}. Envoyez *menu* à tout moment pour revenir au bot.",
        "handover.minutes": {"one": "{count} minute", "other": "{count} minutes"},
        "handover.already": "Vous attendez déjà une personne de notre équipe ; elle vous répondra ici.",
        "handover.form_dropped": "Le formulaire que vous remplissiez n'a pas été envoyé.",
        "handover.handed_back": "Notre équipe vous a redirigé vers le bot.",
        "handover.wait_timeout": "Désolé, personne de notre équipe n'a pu prendre votre conversation à temps. "
        "Vous êtes de retour avec le bot ; envoyez *conseiller* pour réessayer plus tard.",
        "handover.idle_timeout": "Votre conversation avec notre équipe s'est terminée après un moment sans "
        "message. Vous êtes de retour avec le bot.",
        "handover.closed": "Notre équipe a clôturé cette conversation. Envoyez *menu* quand vous avez besoin "
        "du bot.",
    },
    "pt": {
        "handover.requested": "Uma pessoa da nossa equipe vai responder você aqui em breve. "
        "Envie *menu* a qualquer momento para voltar ao bot.",
        "handover.requested.wait": "Uma pessoa da nossa equipe vai responder você aqui, normalmente em cerca "
        "de {minutes}. Envie *menu* a qualquer momento para voltar ao bot.",
        "handover.requested.away": "Nossa equipe não está disponível agora. Uma pessoa vai responder você aqui "
        "quando voltar: {when}. Envie *menu* a qualquer momento para voltar ao bot.",
        "handover.minutes": {"one": "{count} minuto", "other": "{count} minutos"},
        "handover.already": "Você já está aguardando uma pessoa da nossa equipe; ela vai responder aqui.",
        "handover.form_dropped": "O formulário que você estava preenchendo não foi enviado.",
        "handover.handed_back": "Nossa equipe devolveu você ao bot.",
        "handover.wait_timeout": "Desculpe, ninguém da nossa equipe conseguiu atender sua conversa a tempo. "
        "Você voltou ao bot; envie *atendente* para tentar de novo mais tarde.",
        "handover.idle_timeout": "Sua conversa com a nossa equipe terminou depois de um tempo sem mensagens. "
        "Você voltou ao bot.",
        "handover.closed": "Nossa equipe encerrou esta conversa. Envie *menu* quando precisar do bot.",
    },
    "ar": {
        "handover.requested": "سيرد عليك أحد أفراد فريقنا هنا قريبًا. أرسل *القائمة* في أي وقت للعودة إلى البوت.",
        "handover.requested.wait": "سيرد عليك أحد أفراد فريقنا هنا، عادةً خلال {minutes} تقريبًا. "
        "أرسل *القائمة* في أي وقت للعودة إلى البوت.",
        "handover.requested.away": "فريقنا غير متاح الآن. سيرد عليك أحد أفراده هنا عند عودته: {when}. "
        "أرسل *القائمة* في أي وقت للعودة إلى البوت.",
        "handover.minutes": {
            "zero": "{count} دقيقة",
            "one": "دقيقة واحدة",
            "two": "دقيقتين",
            "few": "{count} دقائق",
            "many": "{count} دقيقة",
            "other": "{count} دقيقة",
        },
        "handover.already": "أنت بالفعل في انتظار أحد أفراد فريقنا، وسيرد عليك هنا.",
        "handover.form_dropped": "لم يُرسَل النموذج الذي كنت تملؤه.",
        "handover.handed_back": "أعادك فريقنا إلى البوت.",
        "handover.wait_timeout": "عذرًا، لم يتمكن أحد من فريقنا من استلام محادثتك في الوقت المناسب. "
        "عدت إلى البوت؛ أرسل *موظف* للمحاولة لاحقًا.",
        "handover.idle_timeout": "انتهت محادثتك مع فريقنا بعد فترة دون رسائل. عدت إلى البوت.",
        "handover.closed": "أغلق فريقنا هذه المحادثة. أرسل *القائمة* متى احتجت إلى البوت.",
    },
    "hi": {
        "handover.requested": "हमारी टीम का कोई व्यक्ति जल्द ही यहाँ आपको जवाब देगा। "
        "बॉट पर लौटने के लिए कभी भी *मेनू* भेजें।",
        "handover.requested.wait": "हमारी टीम का कोई व्यक्ति यहाँ आपको जवाब देगा, आम तौर पर लगभग "
        "{minutes} में। बॉट पर लौटने के लिए कभी भी *मेनू* भेजें।",
        "handover.requested.away": "हमारी टीम अभी उपलब्ध नहीं है। टीम के लौटने पर कोई व्यक्ति यहाँ आपको जवाब "
        "देगा: {when}। बॉट पर लौटने के लिए कभी भी *मेनू* भेजें।",
        "handover.minutes": {"one": "{count} मिनट", "other": "{count} मिनट"},
        "handover.already": "आप पहले से हमारी टीम के किसी व्यक्ति की प्रतीक्षा कर रहे हैं; वे यहीं जवाब देंगे।",
        "handover.form_dropped": "आप जो फ़ॉर्म भर रहे थे, वह नहीं भेजा गया।",
        "handover.handed_back": "हमारी टीम ने आपको वापस बॉट के पास भेज दिया है।",
        "handover.wait_timeout": "क्षमा करें, हमारी टीम में से कोई समय पर आपकी बातचीत नहीं ले सका। "
        "आप फिर से बॉट के साथ हैं; बाद में फिर कोशिश करने के लिए *एजेंट* भेजें।",
        "handover.idle_timeout": "कुछ देर कोई संदेश न आने के बाद हमारी टीम के साथ आपकी बातचीत समाप्त हो गई। "
        "आप फिर से बॉट के साथ हैं।",
        "handover.closed": "हमारी टीम ने यह बातचीत बंद कर दी है। जब भी बॉट की ज़रूरत हो, *मेनू* भेजें।",
    },
}
