# The bot's own words in Spanish: everything it says that is not part of a
# dialogue file. Other languages translate every message here, keeping the
# same ids and the same { $variables }. Texts with HTML (<b>, <i>) are sent
# to Telegram as HTML; keep the tags. Check a translation with:
#     cargo run -- check --strict

## About this language
# Shown in the /language menu and on /about, in this language's own words.
language-name = Español
# Said after /language switches to this language.
language-set = A partir de ahora te escribiré en español.
language-choose = Elige el idioma en el que te escribo:
language-unknown = Todavía no tengo ese idioma. Estos son los que tengo:
languages-available = La revisión está disponible en: { $languages }.

## Status lines
notice-not-started = Todavía no hay ninguna revisión en curso. Envía /check para empezar.
notice-resumed = Seguimos donde lo dejaste.
notice-restarted = Empezamos la revisión otra vez desde el principio.
notice-stale = Esa pregunta ya está cerrada; aquí es donde estás.
notice-dialogue-updated = Esta revisión se actualizó después de que la empezaras, así que se reinicia desde el principio.
notice-at-first-question = Esta es la primera pregunta: no hay nada a lo que volver.
notice-finished = Tu revisión ha terminado. Envía /back para cambiar tu última respuesta o /restart para empezar de nuevo.
notice-stopped = Detenido: ahora no hay nada en curso ni programado. Tus respuestas se guardan hasta que caduquen (/forget las borra ya); /check empieza una nueva revisión.
notice-nothing-to-cancel = No hay nada en curso ni programado, así que no hay nada que detener.
notice-unreadable = Lo siento, no he podido leer la revisión que tenía guardada para ti, así que la empezamos de nuevo desde el principio.
notice-unsure = No pasa nada si tienes dudas. Si lo has notado, aunque sea un poco, responde que sí; si no, responde que no.

## When an answer does not fit
not-fit = Lo siento, esa respuesta no encaja. { $hint }
hint-message-too-long = Ese mensaje es demasiado largo para ser una respuesta.
hint-yes-or-no = Por favor, responde sí o no.
hint-max-length = Por favor, usa menos de { $max ->
    [one] { $max } carácter
   *[other] { $max } caracteres
}.
hint-yes-no = Por favor, responde sí o no, o toca un botón.
hint-choice = Por favor, elige una de estas opciones: { $labels }.
hint-frequency = Por favor, di con qué frecuencia, por ejemplo «3 veces al día», «dos veces por semana» o «cada pocas horas», o elige: { $labels }.
hint-duration = Por favor, di cuánto tiempo, por ejemplo «3 días», «2 semanas», «un mes» o «desde el lunes», o toca un botón.
hint-text = Por favor, responde en pocas palabras.
hint-text-or-choose = Por favor, responde en pocas palabras o elige: { $labels }.
duration-empty = No he encontrado ninguna duración en eso.
duration-needs-unit = «{ $number }» ¿qué? ¿Días, semanas o meses?
duration-unknown = No he entendido «{ $word }».
duration-too-long = Eso es más de lo que puedo registrar.

## Lengths of time and dates
duration-less-than-a-day = menos de un día
duration-days = { $count ->
    [one] { $count } día
   *[other] { $count } días
}
duration-weeks = { $count ->
    [one] { $count } semana
   *[other] { $count } semanas
}
duration-months = { $count ->
    [one] { $count } mes
   *[other] { $count } meses
}
duration-years = { $count ->
    [one] { $count } año
   *[other] { $count } años
}
# A date: day of the month, the month's name (below), year.
date = { $day } de { $month } de { $year }
month-1 = enero
month-2 = febrero
month-3 = marzo
month-4 = abril
month-5 = mayo
month-6 = junio
month-7 = julio
month-8 = agosto
month-9 = septiembre
month-10 = octubre
month-11 = noviembre
month-12 = diciembre

## Questions and answers
start-button = Empezar la revisión
question-number = Pregunta { $number }.
earlier-answer = Tu respuesta anterior: { $answer }
you-said = dijiste «{ $said }»
or-type-duration = O escribe cuánto tiempo, p. ej., «3 días».
or-type-text = O escribe unas pocas palabras.
or-type-frequency = O escribe con qué frecuencia, p. ej., «3 veces al día».
emergency-numbers = Números de emergencia:
emergency-number = { $number } ({ $place })

## Terminal (the `chat` command)
terminal-goodbye = Adiós, cuídate.
terminal-no-follow-up = No hay ningún seguimiento programado.
terminal-help = Responde con el número de la opción o con tus propias palabras.
    Comandos: /back (cambiar la última respuesta), /restart, /cancel, /tips, /quit;
    /followup hace ya el seguimiento que aceptaste, en lugar de dentro de unos días.
terminal-question = P{ $number }.
terminal-earlier-answer = (tu respuesta anterior: { $answer })
terminal-pick-number = elige un número, { $typed }
terminal-type-answer = o escribe tu respuesta
terminal-type-duration = o escribe cuánto tiempo, p. ej., «3 días»
terminal-type-text = o escribe unas pocas palabras
terminal-type-frequency = o escribe con qué frecuencia, p. ej., «3 veces al día»

## Private chats
only-text = Solo entiendo respuestas escritas y toques en los botones.
edited-message = No puedo usar mensajes editados; envía tu respuesta en un mensaje nuevo, por favor.
flood-pause = Estás enviando muchos mensajes muy rápido, así que haré una pausa de un minuto. Las respuestas que ya diste se conservan.
forgotten = Hecho: he borrado todo lo que guardaba sobre este chat. Envía /check para empezar una nueva revisión.
nothing-to-sum-up = Todavía no hay nada que resumir: envía /check para empezar una revisión.
summary-caption = Tu revisión, para imprimirla o mostrársela a un médico.
export-caption = Todo lo que guardo sobre ti. /forget lo borra.
help =
    <b>Comandos</b>
    /check — empezar la revisión o continuar donde la dejaste
    /back — cambiar tu última respuesta
    /restart — empezar la revisión de nuevo
    /tips — formas de aliviar el estrés
    /summary — un resumen de tu revisión para mostrárselo a un médico
    /log — apuntar en tu diario que ahora te tiembla (/log 3 veces: un número)
    /diary — tu diario de espasmos en un gráfico (/diary on, /diary off)
    /cancel — detener la revisión y cualquier seguimiento (tus respuestas se conservan)
    /language — elegir el idioma en el que te escribo
    /about — qué es este bot, sus fuentes y qué guarda
    /privacy — qué se guarda sobre ti, durante cuánto tiempo y cómo borrarlo
    /export — todo lo que se guarda sobre ti, en un archivo
    /forget — borrar todo lo que se guarda sobre ti
    /help — esta lista

    Responde con los botones o escribe tu respuesta.
about-heading = Fuentes
about-private =
    <b>Qué guardo</b>
    Mientras haces una revisión, guardo tus respuestas y la pregunta en la que estás, para que puedas continuar más tarde o volver atrás con /back. Se borran { $hours ->
        [one] { $hours } hora
       *[other] { $hours } horas
    } después de tu último mensaje, y una revisión terminada no hace que nada se guarde más tiempo. /forget lo borra todo de una vez. Las copias de seguridad del almacenamiento que hace el operador del bot quedan fuera del alcance de /forget. Nunca hago preguntas de salud en chats de grupo.
about-group = En este grupo solo comparto consejos generales. Las revisiones se hacen en un chat privado conmigo, así que aquí nadie ve las respuestas de nadie.
privacy =
    <b>Qué guardo sobre ti</b>
    • Tus respuestas en la revisión, la pregunta en la que estás y el seguimiento que hayas pedido, con sus respuestas.
    • El idioma que elegiste con /language, hasta que uses /forget o me bloquees (no dice nada de tu salud).
    • No guardo tu nombre, tus mensajes fuera de la revisión ni nada de los chats de grupo (en los grupos solo guardo la configuración del grupo, nunca las respuestas de salud de nadie).

    <b>Durante cuánto tiempo</b>
    Todo se borra { $hours ->
        [one] { $hours } hora
       *[other] { $hours } horas
    } después de tu último mensaje. Si me pediste que más adelante te preguntara cómo sigues, se guarda hasta que termine ese seguimiento y, después, durante otro plazo igual de { $hours ->
        [one] { $hours } hora
       *[other] { $hours } horas
    }.

    <b>Dónde</b>
    En { $store }.

    <b>Lo que puedes hacer</b>
    /export te envía una copia de todo lo que se guarda. /cancel detiene una revisión o un seguimiento. /forget lo borra todo de una vez, también de los archivos de almacenamiento. Las copias de seguridad del almacenamiento que hace el operador quedan fuera del alcance de /forget.
# Where checks are kept, for /privacy.
store-memory = la memoria del bot, que se pierde cuando se reinicia
store-sqlite = un archivo de base de datos en el servidor del operador
store-redis = una base de datos Redis gestionada por el operador

## The summary for a doctor
summary-heading = Resumen para tu médico — { $title }
summary-level = Nivel alcanzado:
summary-sign = Signo de urgencia confirmado:
summary-answers = Respuestas
summary-follow-up = Seguimiento del { $date }:
summary-days-in-all = { $count ->
    [one] (alrededor de { $count } día en total)
   *[other] (alrededor de { $count } días en total)
}
summary-next-follow-up = Próximo seguimiento: { $date }
summary-earlier = Revisión anterior del { $date }:
summary-earlier-answers = { $count ->
    [one] { $level }; { $count } respuesta (en el archivo)
   *[other] { $level }; { $count } respuestas (en el archivo)
}
summary-file-follows = A continuación va lo mismo en un archivo para imprimir o mostrar.
summary-page-date = Revisión del { $date }
summary-page-follow-ups = Seguimientos
summary-page-sources = Fuentes
level-emergency = urgencia
level-see_doctor = ir al médico
level-self_care = autocuidado

## Groups
group-intro =
    <b>¡Hola a todo el mundo!</b> Ayudo con los espasmos alrededor de la nariz y la cara.
    • /check — una breve revisión en un chat privado conmigo: tus respuestas quedan entre nosotros, y aquí nunca hago preguntas de salud.
    • /tips — formas de aliviar el estrés, que puede empeorar los espasmos.
    • /about — qué soy y de dónde viene mi información.
check-in-private = Las revisiones se hacen en un chat privado, así que aquí nadie ve tus respuestas. Toca abajo para empezar la tuya.
private-check-button = Empezar mi revisión privada
group-help =
    <b>Cómo funciono en este grupo</b>
    /check — empezar tu propia revisión en un chat privado conmigo
    /tips — formas de aliviar el estrés
    /about — qué soy y mis fuentes
    /settings — mensaje de bienvenida, consejos periódicos e idioma (solo administradores)

    Nunca hago preguntas de salud en el grupo.
welcome-everyone = todo el mundo
welcome-others = { $count ->
    [one] { $count } persona más
   *[other] { $count } personas más
}
welcome-and = { $first } y { $last }
welcome-members = ¡Un saludo de bienvenida para { $who }! Si te molestan los espasmos alrededor de la nariz o la cara, puedo guiarte en una breve revisión en un chat privado: tus respuestas quedan entre nosotros.
settings-admins-only = Lo siento, solo los administradores del grupo pueden cambiar mi configuración.
settings-admins-only-short = Solo los administradores del grupo pueden cambiar esta configuración.
settings-nothing-to-change = No hay nada que cambiar.
settings-saved = Guardado.
settings =
    <b>Configuración de este grupo</b>
    Mensaje de bienvenida para nuevos miembros: <b>{ $welcome }</b>
    Consejo periódico sobre el estrés: <b>{ $tips }</b>
    Las bienvenidas y los consejos se publican en: <b>{ $place }</b>
    Idioma: <b>{ $language }</b>
settings-on = activado
settings-off = desactivado
settings-daily = a diario
settings-weekly = cada semana
settings-general = General
settings-this-topic = este tema
settings-topic = tema { $topic }
settings-welcome-on = Bienvenida: sí
settings-welcome-off = Bienvenida: no
settings-tips-off = Sin consejos
settings-tips-daily = A diario
settings-tips-weekly = Cada semana
settings-post-general = Publicar en General
settings-post-here = Publicar en este tema

## Menus and the bot's profile (setMyCommands, setMyDescription)
command-start = Bienvenida; /start check empieza la revisión enseguida
command-check = Empezar la revisión o continuar donde la dejaste
command-back = Cambiar tu última respuesta
command-restart = Empezar la revisión de nuevo
command-tips = Formas de aliviar el estrés
command-summary = Un resumen de tu revisión para mostrárselo a un médico
command-cancel = Detener la revisión y cualquier seguimiento (las respuestas se conservan)
command-language = Elegir el idioma en el que te escribo
command-about = Qué es este bot, sus fuentes y qué guarda
command-privacy = Qué se guarda sobre ti, durante cuánto tiempo y cómo borrarlo
command-export = Todo lo que se guarda sobre ti, en un archivo
command-forget = Borrar todo lo que se guarda sobre ti
command-help = Cómo usar el bot
group-command-start = Presentación
group-command-check = Empezar tu revisión privada
group-command-about = Qué es este bot y sus fuentes
group-command-help = Cómo funciona el bot en este grupo
group-command-settings = Configuración del grupo (solo administradores)
bot-description = Te guío en una breve revisión de los espasmos alrededor de la nariz y la cara: primero, un control de seguridad para detectar signos de un ictus; después, unas pocas preguntas. Al final te digo qué urgencia parece tener (urgencia, ir al médico o autocuidado) y qué puede ayudar. No es consejo médico.
bot-short-description = Una breve revisión de los espasmos alrededor de la nariz y la cara: qué urgencia parece tener y qué puede ayudar.

## The twitch diary
diary-none = Esta revisión no tiene diario.
diary-empty = Todavía no hay nada apuntado. Cuando empiecen los espasmos, toca «{ $log }» o envía /log.
diary-is-off = Tu diario está desactivado: /diary on lo vuelve a activar.
diary-stale = Ese botón ya no sirve.
diary-recorded = ✓ Apuntado: { $count ->
    [one] { $count } episodio
   *[other] { $count } episodios
}, { $date }.
diary-off = Tu diario está desactivado.
diary-off-ask = Tu diario está desactivado. ¿Borro ahora { $entries ->
    [one] su { $entries } registro
   *[other] sus { $entries } registros
}? Si no, se guardan hasta el { $date } y luego se borran.
diary-delete = Borrarlos ahora
diary-keep = Guardarlos
diary-deleted = Hecho: los registros del diario están borrados.
diary-kept = Se guardan hasta el { $date } y luego se borran. /diary on vuelve a activar el diario.
diary-chart-title = Episodios de espasmos por día
diary-chart-axis = Episodios
diary-chart-caption = Tu diario de espasmos: { $episodes ->
    [one] { $episodes } episodio
   *[other] { $episodes } episodios
} en { $days ->
    [one] { $days } día
   *[other] { $days } días
}, del { $from } al { $to }.
diary-logged-over = Desde la última vez que hablamos apuntaste en tu diario { $episodes ->
    [one] { $episodes } episodio
   *[other] { $episodes } episodios
} en { $days ->
    [one] { $days } día
   *[other] { $days } días distintos
}.
summary-page-diary = Diario de espasmos
privacy-diary =
    <b>Tu diario de espasmos</b>
    Si llevas uno: los episodios que apuntaste, cuándo, lo que marcaste con ellos y las palabras que añadiste. Se guarda { $days ->
        [one] { $days } día
       *[other] { $days } días
    } después de tu último registro (no las { $hours ->
        [one] { $hours } hora
       *[other] { $hours } horas
    } de arriba) y luego se borra. /diary off te ofrece borrarlo en el momento, y /forget lo borra junto con todo lo demás. Si me bloqueas, se borra.
command-log = Apunta en tu diario que ahora te tiembla
command-diary = Tu diario de espasmos en un gráfico; /diary off lo detiene
