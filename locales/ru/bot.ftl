# The bot's own words in Russian: everything it says that is not part of a
# dialogue file. Other languages translate every message here, keeping the
# same ids and the same { $variables }. Texts with HTML (<b>, <i>) are sent
# to Telegram as HTML; keep the tags. Check a translation with:
#     cargo run -- check --strict

## About this language
# Shown in the /language menu and on /about, in this language's own words.
language-name = Русский
# Said after /language switches to this language.
language-set = Теперь я буду писать вам по-русски.
language-choose = Выберите язык, на котором я буду писать:
language-unknown = Этого языка у меня пока нет. Вот какие есть:
languages-available = Проверка доступна на языках: { $languages }.

## Status lines
notice-not-started = Проверка ещё не начата. Отправьте /check, чтобы начать.
notice-resumed = Продолжаем с того места, где вы остановились.
notice-restarted = Начинаем проверку заново, с самого начала.
notice-stale = Этот вопрос уже закрыт — вот где вы сейчас.
notice-dialogue-updated = С тех пор как вы начали, проверка обновилась, поэтому она начнётся заново, с самого начала.
notice-at-first-question = Это первый вопрос — возвращаться некуда.
notice-finished = Проверка завершена. Отправьте /back, чтобы изменить последний ответ, или /restart, чтобы начать заново.
notice-stopped = Остановлено: сейчас ничего не идёт и не запланировано. Ваши ответы хранятся, пока не истечёт их срок (/forget удалит их сразу); /check начинает новую проверку.
notice-nothing-to-cancel = Сейчас ничего не идёт и не запланировано, так что останавливать нечего.
notice-unreadable = Извините — сохранённую для вас проверку не удалось прочитать, поэтому она начнётся заново, с самого начала.
notice-unsure = Ничего страшного, если вы не уверены. Если вы хоть немного это замечали, ответьте «да»; если нет — «нет».

## When an answer does not fit
not-fit = Извините, такой ответ не подходит. { $hint }
hint-message-too-long = Это сообщение слишком длинное для ответа.
hint-yes-or-no = Пожалуйста, ответьте «да» или «нет».
hint-max-length = Пожалуйста, уложитесь в { $max ->
    [one] { $max } символ
    [few] { $max } символа
    [many] { $max } символов
   *[other] { $max } символа
}.
hint-yes-no = Пожалуйста, ответьте «да» или «нет» либо нажмите кнопку.
hint-choice = Пожалуйста, выберите один из вариантов: { $labels }.
hint-frequency = Пожалуйста, напишите, как часто, например «3 раза в день», «дважды в неделю» или «раз в несколько часов», либо выберите: { $labels }.
hint-duration = Пожалуйста, напишите, как долго, например «3 дня», «2 недели», «месяц» или «с понедельника», либо нажмите кнопку.
hint-text = Пожалуйста, ответьте в нескольких словах.
hint-text-or-choose = Пожалуйста, ответьте в нескольких словах или выберите: { $labels }.
duration-empty = Не удалось найти в этом ответе указание на срок.
duration-needs-unit = «{ $number }» чего — дней, недель или месяцев?
duration-unknown = Мне не удалось понять «{ $word }».
duration-too-long = Это дольше, чем я могу записать.

## Lengths of time and dates
duration-less-than-a-day = меньше суток
duration-days = { $count ->
    [one] { $count } день
    [few] { $count } дня
    [many] { $count } дней
   *[other] { $count } дня
}
duration-weeks = { $count ->
    [one] { $count } неделя
    [few] { $count } недели
    [many] { $count } недель
   *[other] { $count } недели
}
duration-months = { $count ->
    [one] { $count } месяц
    [few] { $count } месяца
    [many] { $count } месяцев
   *[other] { $count } месяца
}
duration-years = { $count ->
    [one] { $count } год
    [few] { $count } года
    [many] { $count } лет
   *[other] { $count } года
}
# A date: day of the month, the month's name (below, in the genitive), year.
date = { $day } { $month } { $year } г.
month-1 = января
month-2 = февраля
month-3 = марта
month-4 = апреля
month-5 = мая
month-6 = июня
month-7 = июля
month-8 = августа
month-9 = сентября
month-10 = октября
month-11 = ноября
month-12 = декабря

## Questions and answers
start-button = Начать проверку
question-number = Вопрос { $number }.
earlier-answer = Ваш прежний ответ: { $answer }
you-said = вы написали «{ $said }»
or-type-duration = Или напишите, как долго, например «3 дня».
or-type-text = Или напишите несколько слов.
or-type-frequency = Или напишите, как часто, например «3 раза в день».
emergency-numbers = Номера экстренных служб:
emergency-number = { $number } ({ $place })

## Terminal (the `chat` command)
terminal-goodbye = До свидания, берегите себя.
terminal-no-follow-up = Повторный опрос не назначен.
terminal-help = Ответьте номером варианта или своими словами.
    Команды: /back (изменить последний ответ), /restart, /cancel, /tips, /quit;
    /followup проводит принятый повторный опрос сейчас, а не через несколько дней.
terminal-question = Вопрос { $number }.
terminal-earlier-answer = (ваш прежний ответ: { $answer })
terminal-pick-number = выберите номер, { $typed }
terminal-type-answer = или введите свой ответ
terminal-type-duration = или напишите, как долго, например «3 дня»
terminal-type-text = или напишите несколько слов
terminal-type-frequency = или напишите, как часто, например «3 раза в день»

## Private chats
only-text = Я понимаю только напечатанные ответы и нажатия кнопок.
edited-message = Я не могу использовать отредактированные сообщения — пожалуйста, отправьте ответ новым сообщением.
flood-pause = Вы отправляете очень много сообщений подряд, поэтому я сделаю паузу на минуту. Ответы, которые вы уже дали, сохранены.
forgotten = Готово — всё, что хранилось об этом чате, удалено. Отправьте /check, чтобы начать новую проверку.
nothing-to-sum-up = Подводить итоги пока нечего: отправьте /check, чтобы начать проверку.
summary-caption = Ваша проверка — чтобы распечатать или показать врачу.
export-caption = Всё, что я о вас храню. /forget удалит это.
help =
    <b>Команды</b>
    /check — начать проверку или продолжить с того места, где вы остановились
    /back — изменить последний ответ
    /restart — начать проверку заново
    /tips — способы снять стресс
    /summary — краткий итог проверки, чтобы показать врачу
    /log — записать в дневник, что сейчас дёргается (/log 3 раза: число)
    /diary — дневник подёргиваний в виде графика (/diary on, /diary off)
    /cancel — остановить проверку и повторный опрос (ответы сохранятся)
    /language — выбрать язык, на котором я пишу
    /about — что это за бот, его источники и что он хранит
    /privacy — что о вас хранится, как долго и как это удалить
    /export — всё, что о вас хранится, в виде файла
    /forget — удалить всё, что о вас хранится
    /help — этот список

    Отвечайте кнопками или напишите ответ сами.
about-heading = Источники
about-private =
    <b>Что я храню</b>
    Пока вы проходите проверку, я храню ваши ответы и текущий вопрос, чтобы вы могли продолжить позже или вернуться назад командой /back. Они удаляются через { $hours ->
        [one] { $hours } час
        [few] { $hours } часа
        [many] { $hours } часов
       *[other] { $hours } часа
    } после вашего последнего сообщения, и после завершения проверки ничего не хранится дольше. /forget сразу удаляет всё. Резервные копии хранилища, которые делает оператор бота, /forget не затрагивает. В групповых чатах я никогда не задаю вопросов о здоровье.
about-group = В этой группе я делюсь только общими советами. Проверка проходит в личном чате со мной, поэтому здесь никто не видит чужих ответов.
privacy =
    <b>Что я храню о вас</b>
    • Ваши ответы в проверке, текущий вопрос, а также повторный опрос, если вы о нём попросили, вместе с ответами на него.
    • Язык, выбранный командой /language, — до /forget или до того, как вы меня заблокируете (он ничего не говорит о вашем здоровье).
    • Не храню ваше имя, ваши сообщения вне проверки и ничего из групповых чатов (в группах я храню только настройки группы и никогда — чьи-либо ответы о здоровье).

    <b>Как долго</b>
    Всё удаляется через { $hours ->
        [one] { $hours } час
        [few] { $hours } часа
        [many] { $hours } часов
       *[other] { $hours } часа
    } после вашего последнего сообщения. Если вы попросили меня позже узнать, как у вас дела, данные хранятся до завершения этого повторного опроса, а затем ещё столько же — { $hours ->
        [one] { $hours } час
        [few] { $hours } часа
        [many] { $hours } часов
       *[other] { $hours } часа
    }.

    <b>Где</b>
    В { $store }.

    <b>Что вы можете сделать</b>
    /export пришлёт вам копию всего, что хранится. /cancel останавливает проверку или повторный опрос. /forget сразу удаляет всё, в том числе из файлов хранилища. Резервные копии хранилища, которые делает оператор, /forget не затрагивает.
# Where checks are kept, for /privacy. Prepositional case: they follow "В" ("In").
store-memory = памяти бота, которая стирается при его перезапуске
store-sqlite = файле базы данных на сервере оператора
store-redis = базе данных Redis, которую ведёт оператор

## The summary for a doctor
summary-heading = Сводка для вашего врача — { $title }
summary-level = Итоговый уровень:
summary-sign = Подтверждён признак неотложного состояния:
summary-answers = Ответы
summary-follow-up = Повторный опрос от { $date }:
summary-days-in-all = { $count ->
    [one] (всего примерно { $count } день)
    [few] (всего примерно { $count } дня)
    [many] (всего примерно { $count } дней)
   *[other] (всего примерно { $count } дня)
}
summary-next-follow-up = Следующий повторный опрос: { $date }
summary-earlier = Предыдущая проверка от { $date }:
summary-earlier-answers = { $count ->
    [one] { $level }; { $count } ответ (в файле)
    [few] { $level }; { $count } ответа (в файле)
    [many] { $level }; { $count } ответов (в файле)
   *[other] { $level }; { $count } ответа (в файле)
}
summary-file-follows = Ниже — то же самое в виде файла, чтобы распечатать или показать.
summary-page-date = Проверка от { $date }
summary-page-follow-ups = Повторные опросы
summary-page-sources = Источники
level-emergency = экстренная помощь
level-see_doctor = визит к врачу
level-self_care = самостоятельный уход

## Groups
group-intro =
    <b>Всем привет!</b> Я помогаю разобраться с подёргиваниями в области носа и лица.
    • /check — короткая проверка в личном чате со мной: ваши ответы останутся между нами, здесь я никогда не задаю вопросов о здоровье.
    • /tips — способы снять стресс, который может усиливать подёргивания.
    • /about — кто я и откуда моя информация.
check-in-private = Проверка проходит в личном чате, поэтому здесь никто не увидит ваших ответов. Нажмите кнопку ниже, чтобы начать свою.
private-check-button = Начать личную проверку
group-help =
    <b>Как я работаю в этой группе</b>
    /check — начать свою проверку в личном чате со мной
    /tips — способы снять стресс
    /about — кто я и мои источники
    /settings — приветствие, регулярные советы и язык (только для администраторов)

    В группе я никогда не задаю вопросов о здоровье.
welcome-everyone = друзья
welcome-others = { $count ->
    [one] ещё { $count } человек
    [few] ещё { $count } человека
    [many] ещё { $count } человек
   *[other] ещё { $count } человека
}
welcome-and = { $first } и { $last }
welcome-members = Добро пожаловать, { $who }! Если вас беспокоят подёргивания в области носа или лица, я могу провести вас через короткую проверку в личном чате — ваши ответы останутся между нами.
settings-admins-only = Извините, менять мои настройки могут только администраторы группы.
settings-admins-only-short = Эти настройки могут менять только администраторы группы.
settings-nothing-to-change = Менять нечего.
settings-saved = Сохранено.
settings =
    <b>Настройки этой группы</b>
    Приветствие новых участников: <b>{ $welcome }</b>
    Регулярный совет о стрессе: <b>{ $tips }</b>
    Где публикуются приветствия и советы: <b>{ $place }</b>
    Язык: <b>{ $language }</b>
settings-on = вкл.
settings-off = выкл.
settings-daily = ежедневно
settings-weekly = еженедельно
settings-general = общая тема
settings-this-topic = эта тема
settings-topic = тема { $topic }
settings-welcome-on = Приветствие: вкл.
settings-welcome-off = Приветствие: выкл.
settings-tips-off = Без советов
settings-tips-daily = Ежедневно
settings-tips-weekly = Еженедельно
settings-post-general = Публиковать в общей теме
settings-post-here = Публиковать в этой теме

## Menus and the bot's profile (setMyCommands, setMyDescription)
command-start = Приветствие; /start check сразу начинает проверку
command-check = Начать проверку или продолжить с того места, где вы остановились
command-back = Изменить последний ответ
command-restart = Начать проверку заново
command-tips = Способы снять стресс
command-summary = Краткий итог проверки, чтобы показать врачу
command-cancel = Остановить проверку и повторный опрос (ответы сохранятся)
command-language = Выбрать язык, на котором я пишу
command-about = Что это за бот, его источники и что он хранит
command-privacy = Что о вас хранится, как долго и как это удалить
command-export = Всё, что о вас хранится, в виде файла
command-forget = Удалить всё, что о вас хранится
command-help = Как пользоваться ботом
group-command-start = Знакомство
group-command-check = Начать личную проверку
group-command-about = Что это за бот и его источники
group-command-help = Как бот работает в этой группе
group-command-settings = Настройки группы (только для администраторов)
bot-description = Я проведу вас через короткую проверку подёргиваний в области носа и лица: сначала уточню, нет ли признаков инсульта, затем задам несколько вопросов. В конце скажу, насколько это выглядит срочным (экстренная помощь, визит к врачу или самостоятельный уход), и что может помочь. Это не медицинская консультация.
bot-short-description = Короткая проверка подёргиваний в области носа и лица: насколько это срочно и что может помочь.

## The twitch diary
diary-none = В этой проверке нет дневника.
diary-empty = Пока ничего не записано. Когда начнётся подёргивание, нажмите «{ $log }» или отправьте /log.
diary-is-off = Дневник выключен: /diary on снова включает его.
diary-stale = Эта кнопка устарела.
diary-recorded = ✓ Записано: { $count ->
    [one] { $count } эпизод
    [few] { $count } эпизода
    [many] { $count } эпизодов
   *[other] { $count } эпизода
}, { $date }.
diary-off = Дневник выключен.
diary-off-ask = Дневник выключен. Удалить { $entries ->
    [one] его { $entries } запись
    [few] его { $entries } записи
    [many] его { $entries } записей
   *[other] его { $entries } записи
} сейчас? Иначе они хранятся до { $date }, а потом удаляются.
diary-delete = Удалить сейчас
diary-keep = Оставить
diary-deleted = Готово: записи дневника удалены.
diary-kept = Хранятся до { $date }, потом удаляются. /diary on снова включает дневник.
diary-chart-title = Эпизоды подёргивания по дням
diary-chart-axis = Эпизоды
diary-chart-caption = Ваш дневник подёргиваний: { $episodes ->
    [one] { $episodes } эпизод
    [few] { $episodes } эпизода
    [many] { $episodes } эпизодов
   *[other] { $episodes } эпизода
} за { $days ->
    [one] { $days } день
    [few] { $days } дня
    [many] { $days } дней
   *[other] { $days } дня
}, { $from } – { $to }.
diary-logged-over = С нашего прошлого разговора вы записали в дневник { $episodes ->
    [one] { $episodes } эпизод
    [few] { $episodes } эпизода
    [many] { $episodes } эпизодов
   *[other] { $episodes } эпизода
} в { $days ->
    [one] { $days } день
    [few] { $days } разных дня
    [many] { $days } разных дней
   *[other] { $days } разных дня
}.
summary-page-diary = Дневник подёргиваний
privacy-diary =
    <b>Ваш дневник подёргиваний</b>
    Если вы его ведёте: записанные эпизоды, их время, отмеченное вместе с ними и добавленные вами слова. Он хранится { $days ->
        [one] { $days } день
        [few] { $days } дня
        [many] { $days } дней
       *[other] { $days } дня
    } после последней записи (а не { $hours ->
        [one] { $hours } час
        [few] { $hours } часа
        [many] { $hours } часов
       *[other] { $hours } часа
    }, как указано выше), потом удаляется. /diary off предлагает сразу удалить его, а /forget удаляет его вместе со всем остальным. Если вы заблокируете меня, он удаляется.
command-log = Записать в дневник, что сейчас дёргается
command-diary = Дневник подёргиваний в виде графика; /diary off выключает его
