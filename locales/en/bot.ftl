# The bot's own words in English: everything it says that is not part of a
# dialogue file. Other languages translate every message here, keeping the
# same ids and the same { $variables }. Texts with HTML (<b>, <i>) are sent
# to Telegram as HTML; keep the tags. Check a translation with:
#     cargo run -- check --strict

## About this language
# Shown in the /language menu and on /about, in this language's own words.
language-name = English
# Said after /language switches to this language.
language-set = From now on I will write in English.
language-choose = Choose the language I write in:
language-unknown = I do not have that language yet. These are the ones I have:
languages-available = The check is available in: { $languages }.

## Status lines
notice-not-started = No check is running yet. Send /check to begin.
notice-resumed = Picking up where you left off.
notice-restarted = Starting the check again from the beginning.
notice-stale = That question is closed — here is where you are.
notice-dialogue-updated = This check was updated since you started, so it starts again from the beginning.
notice-at-first-question = This is the first question — there is nothing to go back to.
notice-finished = Your check is complete. Send /back to change your last answer, or /restart to start again.
notice-stopped = Stopped: nothing is running or scheduled now. Your answers are kept until they expire (/forget deletes them now); /check starts a new check.
notice-nothing-to-cancel = Nothing is running or scheduled, so there is nothing to stop.
notice-unreadable = Sorry — the check I had saved for you could not be read, so it starts again from the beginning.
notice-unsure = That's fine if you are not sure. If you have noticed it at all, even a little, answer yes; if not, answer no.

## When an answer does not fit
not-fit = Sorry, that answer does not fit. { $hint }
hint-message-too-long = That message is too long for an answer.
hint-yes-or-no = Please answer yes or no.
hint-max-length = Please keep it under { $max } characters.
hint-yes-no = Please answer yes or no, or tap a button.
hint-choice = Please choose one of: { $labels }.
hint-frequency = Please say how often, for example “3 times a day”, “twice a week” or “every few hours”, or choose: { $labels }.
hint-duration = Please say how long, for example “3 days”, “2 weeks”, “a month” or “since Monday”, or tap a button.
hint-text = Please answer in a few words.
hint-text-or-choose = Please answer in a few words, or choose: { $labels }.
duration-empty = I could not find a length of time in that.
duration-needs-unit = “{ $number }” what — days, weeks or months?
duration-unknown = I did not understand “{ $word }”.
duration-too-long = That is longer than I can record.

## Lengths of time and dates
duration-less-than-a-day = less than a day
duration-days = { $count ->
    [one] { $count } day
   *[other] { $count } days
}
duration-weeks = { $count ->
    [one] { $count } week
   *[other] { $count } weeks
}
duration-months = { $count ->
    [one] { $count } month
   *[other] { $count } months
}
duration-years = { $count ->
    [one] { $count } year
   *[other] { $count } years
}
# A date: day of the month, the month's name (below), year.
date = { $day } { $month } { $year }
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

## Questions and answers
start-button = Start the check
question-number = Question { $number }.
earlier-answer = Your earlier answer: { $answer }
you-said = you said “{ $said }”
or-type-duration = Or type how long, e.g. “3 days”.
or-type-text = Or type a few words.
or-type-frequency = Or type how often, e.g. “3 times a day”.
emergency-numbers = Emergency numbers:
emergency-number = { $number } ({ $place })

## Terminal (the `chat` command)
terminal-goodbye = Goodbye — take care.
terminal-no-follow-up = No follow-up is set.
terminal-help = Answer with the option number or in your own words.
    Commands: /back (change the last answer), /restart, /cancel, /tips, /quit;
    /followup asks an accepted follow-up now instead of days later.
terminal-question = Q{ $number }.
terminal-earlier-answer = (your earlier answer: { $answer })
terminal-pick-number = pick a number, { $typed }
terminal-type-answer = or type your answer
terminal-type-duration = or type how long, e.g. “3 days”
terminal-type-text = or type a few words
terminal-type-frequency = or type how often, e.g. “3 times a day”

## Private chats
only-text = I can only read typed answers and button taps.
edited-message = I can’t use edited messages — please send your answer as a new message.
flood-pause = You are sending a lot very quickly, so I will pause for a minute. Your answers so far are kept.
forgotten = Done — I deleted everything I kept about this chat. Send /check to start a new check.
nothing-to-sum-up = There is nothing to sum up yet: send /check to begin a check.
summary-caption = Your check, to print or show a doctor.
export-caption = Everything I keep about you. /forget deletes it.
help =
    <b>Commands</b>
    /check — begin the check, or continue where you left off
    /back — change your last answer
    /restart — start the check again
    /tips — ways to ease stress
    /summary — a recap of your check to show a doctor
    /log — log twitching now in your diary (/log 3 times: a count)
    /diary — your twitch diary as a chart (/diary on, /diary off)
    /cancel — stop the check and any follow-up (your answers are kept)
    /language — choose the language I write in
    /about — what this bot is, its sources and what it keeps
    /privacy — what is kept about you, for how long, and how to delete it
    /export — everything kept about you, as a file
    /forget — delete everything kept about you
    /help — this list

    Answer with the buttons or type your answer.
about-heading = Sources
about-private =
    <b>What I keep</b>
    While you do a check I keep your answers and the question you are on, so you can continue later or go /back. They are deleted { $hours } hours after your last message, and a finished check keeps nothing longer. /forget deletes everything at once. Backups the bot's operator keeps of its storage are outside what /forget can reach. I never ask health questions in group chats.
about-group = In this group I only share general tips. Checks happen in a private chat with me, so nobody here sees anyone's answers.
privacy =
    <b>What I keep about you</b>
    • Your answers in the check, the question you are on, and a follow-up you asked for with its answers.
    • The language you chose with /language, until /forget or until you block me (it holds nothing about your health).
    • Not your name, your messages outside the check, or anything from group chats (in groups I keep only the group's settings, never anyone's health answers).

    <b>For how long</b>
    Everything is deleted { $hours } hours after your last message. If you asked me to check on you later, it is kept until that follow-up is done, then for the same { $hours } hours.

    <b>Where</b>
    In { $store }.

    <b>Your choices</b>
    /export sends you a copy of everything kept. /cancel stops a check or a follow-up. /forget deletes everything at once, from the storage files too. Backups the operator keeps of the storage are outside what /forget can reach.
# Where checks are kept, for /privacy.
store-memory = the bot's memory, lost when it restarts
store-sqlite = a database file on the operator's server
store-redis = a Redis database run by the operator

## The summary for a doctor
summary-heading = Summary for your doctor — { $title }
summary-level = Level reached:
summary-sign = Emergency sign confirmed:
summary-answers = Answers
summary-follow-up = Follow-up, { $date }:
summary-days-in-all = { $count ->
    [one] (about { $count } day in all)
   *[other] (about { $count } days in all)
}
summary-next-follow-up = Next follow-up: { $date }
summary-earlier = Earlier check, { $date }:
summary-earlier-answers = { $count ->
    [one] { $level }; { $count } answer (in the file)
   *[other] { $level }; { $count } answers (in the file)
}
summary-file-follows = The same as a file to print or show follows.
summary-page-date = Check of { $date }
summary-page-follow-ups = Follow-ups
summary-page-sources = Sources
level-emergency = emergency
level-see_doctor = see a doctor
level-self_care = self-care

## Groups
group-intro =
    <b>Hello, everyone!</b> I help with twitching around the nose and face.
    • /check — a short check in a private chat with me: your answers stay between us, I never ask health questions here.
    • /tips — ways to ease stress, which can make twitching worse.
    • /about — what I am and where my information comes from.
check-in-private = Checks happen in a private chat, so nobody here sees your answers. Tap below to start yours.
private-check-button = Start my private check
group-help =
    <b>How I work in this group</b>
    /check — start your own check in a private chat with me
    /tips — ways to ease stress
    /about — what I am and my sources
    /settings — welcome message, periodic tips and language (admins only)

    I never ask health questions in the group.
welcome-everyone = everyone
welcome-others = { $count ->
    [one] { $count } other
   *[other] { $count } others
}
welcome-and = { $first } and { $last }
welcome-members = Welcome, { $who }! If twitching around your nose or face bothers you, I can walk you through a short check in a private chat — your answers stay between us.
settings-admins-only = Sorry — only the group's admins can change my settings.
settings-admins-only-short = Only the group's admins can change these settings.
settings-nothing-to-change = Nothing to change.
settings-saved = Saved.
settings =
    <b>Settings for this group</b>
    Welcome message for new members: <b>{ $welcome }</b>
    Periodic stress tip: <b>{ $tips }</b>
    Welcomes and tips are posted in: <b>{ $place }</b>
    Language: <b>{ $language }</b>
settings-on = on
settings-off = off
settings-daily = daily
settings-weekly = weekly
settings-general = General
settings-this-topic = this topic
settings-topic = topic { $topic }
settings-welcome-on = Welcome on
settings-welcome-off = Welcome off
settings-tips-off = Tips off
settings-tips-daily = Daily
settings-tips-weekly = Weekly
settings-post-general = Post in General
settings-post-here = Post in this topic

## Menus and the bot's profile (setMyCommands, setMyDescription)
command-start = Welcome; /start check begins the check at once
command-check = Begin the check, or continue where you left off
command-back = Change your last answer
command-restart = Start the check again
command-tips = Ways to ease stress
command-summary = A recap of your check to show a doctor
command-cancel = Stop the check and any follow-up (answers are kept)
command-language = Choose the language I write in
command-about = What this bot is, its sources and what it keeps
command-privacy = What is kept about you, for how long, and how to delete it
command-export = Everything kept about you, as a file
command-forget = Delete everything kept about you
command-help = How to use the bot
group-command-start = Introduction
group-command-check = Start your private check
group-command-about = What this bot is and its sources
group-command-help = How the bot works in this group
group-command-settings = Group settings (admins only)
bot-description = I walk you through a short check about twitching around your nose and face: first a safety screen for signs of a stroke, then a few questions. At the end I say how urgent it looks (emergency, see a doctor, or self-care) and what may help. Not medical advice.
bot-short-description = A short check for twitching around the nose and face: how urgent it looks and what may help.

## The twitch diary
diary-none = This check has no diary.
diary-empty = Nothing is logged yet. When the twitching starts, tap “{ $log }” or send /log.
diary-is-off = Your diary is off: /diary on switches it back on.
diary-stale = That button is out of date.
diary-recorded = ✓ Logged: { $count ->
    [one] { $count } episode
   *[other] { $count } episodes
}, { $date }.
diary-off = Your diary is off.
diary-off-ask = Your diary is off. Shall I delete its { $entries ->
    [one] { $entries } entry
   *[other] { $entries } entries
} now? Otherwise they are kept until { $date } and then deleted.
diary-delete = Delete them now
diary-keep = Keep them
diary-deleted = Done — the diary’s entries are deleted.
diary-kept = Kept until { $date }, then deleted. /diary on starts logging again.
diary-chart-title = Twitching episodes per day
diary-chart-axis = Episodes
diary-chart-caption = Your twitch diary: { $episodes ->
    [one] { $episodes } episode
   *[other] { $episodes } episodes
} on { $days ->
    [one] { $days } day
   *[other] { $days } days
}, { $from } – { $to }.
diary-logged-over = Since we last talked you logged { $episodes ->
    [one] { $episodes } episode
   *[other] { $episodes } episodes
} on { $days ->
    [one] { $days } day
   *[other] { $days } different days
} in your diary.
summary-page-diary = Twitch diary
privacy-diary =
    <b>Your twitch diary</b>
    If you keep one: the episodes you logged, when, what you marked with them and any words you added. It is kept { $days ->
        [one] { $days } day
       *[other] { $days } days
    } after your last entry (not the { $hours ->
        [one] { $hours } hour
       *[other] { $hours } hours
    } above), then deleted. /diary off offers to delete it at once, and /forget deletes it with everything else. If you block me, it is deleted.
command-log = Log twitching now in your diary
command-diary = Your twitch diary as a chart; /diary off stops it
