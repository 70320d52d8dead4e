//! Benchmark peer: the nasal-twitching check written by hand as a Rust enum,
//! the way teloxide's own dialogue examples do it (`Dialogue` over
//! `InMemStorage`, teloxide's `Dispatcher` and long polling).
//!
//! It asks the same questions and sends the same replies with the same Bot
//! API calls as the data-driven bot (`bench/run` compares what both send), so
//! the load generator can tell what the dialogue engine, the store and the
//! at-least-once polling cost. It is not a product: no persistence, no
//! /back, no flood control, no re-delivery handling.

use teloxide::dispatching::dialogue::{Dialogue, InMemStorage};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, MessageId, ParseMode};
use teloxide::utils::html::escape;

type Check = Dialogue<State, InMemStorage<State>>;
type HandlerResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// What the user has answered so far.
#[derive(Clone, Default)]
struct Answers {
    frequency: &'static str,
    days: u32,
    duration: String,
    pain: bool,
    vision_hearing: bool,
    other_symptoms: bool,
    details: Option<String>,
    stress: bool,
}

/// Where a chat is in the check; each question remembers the message that
/// shows it, so the answered question can be edited.
#[derive(Clone, Default)]
enum State {
    #[default]
    Idle,
    RedFlags(MessageId),
    Frequency(MessageId, Answers),
    Duration(MessageId, Answers),
    Pain(MessageId, Answers),
    VisionHearing(MessageId, Answers),
    OtherSymptoms(MessageId, Answers),
    OtherDetails(MessageId, Answers),
    Stress(MessageId, Answers),
}

/// A question: its text, an optional line under it, and its buttons with the
/// words that may be typed instead of each.
struct Question {
    number: u8,
    prompt: &'static str,
    note: Option<&'static str>,
    options: &'static [(&'static str, &'static [&'static str])],
}

const YES: &[&str] = &["yes", "y", "yeah", "yep"];
const NO: &[&str] = &["no", "n", "nope", "not really"];
const YES_NO: &[(&str, &[&str])] = &[("Yes", YES), ("No", NO)];

const RED_FLAGS: Question = Question {
    number: 1,
    prompt: "First, a safety question. Right now, do you have ANY of these: one side of your face drooping or suddenly weak; trouble speaking, slurred words or trouble understanding others; sudden numbness, or sudden confusion?",
    note: None,
    options: &[
        ("Yes, I have one of these", &["yes", "i have", "i do"]),
        (
            "No, none of these",
            &["no", "none", "none of these", "none of them"],
        ),
    ],
};
const FREQUENCY: Question = Question {
    number: 2,
    prompt: "How often does the twitching around your nose happen?",
    note: None,
    options: &[
        (
            "Almost all the time",
            &["constantly", "all the time", "always"],
        ),
        (
            "Several times a day",
            &["often", "daily", "every day", "a lot"],
        ),
        (
            "A few times a week",
            &["weekly", "sometimes", "now and then"],
        ),
        ("Once in a while", &["rarely", "seldom", "occasionally"]),
    ],
};
const DURATION: Question = Question {
    number: 3,
    prompt: "How long has it been going on? Tap an answer, or type it, for example “3 days” or “2 weeks”.",
    note: Some("Or type how long, e.g. “3 days”."),
    options: &[
        ("It started today", &["today", "started today"]),
        ("1 to 3 days", &["1-3 days", "a day or two"]),
        ("4 to 7 days", &["4-7 days", "most of a week"]),
        ("1 to 4 weeks", &["1-4 weeks", "several weeks"]),
        ("More than a month", &["over a month", "months", "longer"]),
    ],
};
/// The days each `DURATION` option stands for.
const DURATION_DAYS: [u32; 5] = [0, 3, 7, 28, 60];
const PAIN: Question = Question {
    number: 4,
    prompt: "Does the twitching come with pain or discomfort?",
    note: None,
    options: YES_NO,
};
const VISION_HEARING: Question = Question {
    number: 5,
    prompt: "Have you noticed any change in your vision or your hearing?",
    note: None,
    options: YES_NO,
};
const OTHER_SYMPTOMS: Question = Question {
    number: 6,
    prompt: "Any other unusual symptoms? For example twitching spreading to other parts of your face, weakness, or feeling generally unwell.",
    note: None,
    options: YES_NO,
};
const OTHER_DETAILS: Question = Question {
    number: 7,
    prompt: "In a few words, what else have you noticed? It can help you describe it to a doctor. Tap “Skip” if you would rather not say.",
    note: None,
    options: &[("Skip", &["skip", "rather not say", "pass"])],
};
const STRESS: Question = Question {
    number: 7,
    prompt: "Last question: have you been under stress or feeling anxious lately?",
    note: None,
    options: YES_NO,
};

const INTRO: &str = "Hi! I can walk you through a short check about twitching around your nose and face. At the end I will tell you how urgent it looks and what may help.";
const DISCLAIMER: &str = "<i>⚠ This check is general information, not medical advice and not a diagnosis. If you are worried about your health, talk to a doctor.</i>";
const EMERGENCY: &str = "<b>🚨 EMERGENCY: call emergency services now (999 in the UK, 112 in the EU, 911 in the US).</b>\n\n• A face that droops or goes weak on one side, trouble speaking, or sudden numbness or confusion can be signs of a stroke. A stroke is a medical emergency: every minute counts.\n\n• Call even if the signs seem to fade or you are not sure. Do not wait to see whether they pass, and do not drive yourself to hospital.";
const SEE_DOCTOR: &str =
    "<b>🩺 SEE A DOCTOR: book an appointment with your doctor (GP) to have this checked.</b>";
const CAUSES: &str = "• Most twitching is harmless. Now and then it goes with a condition of the nerves, such as epilepsy, multiple sclerosis or Tourette syndrome, or of the muscles, such as dystonia or myoclonus. These are only possibilities to talk over with your doctor; this check cannot tell whether any of them applies to you.";
const SELF_CARE: &str = "<b>🌿 SELF-CARE: this sounds like the kind of twitching that is usually harmless and settles by itself.</b>\n\n• Brief twitches around the nose are common and tend to fade without treatment.\n\n• See a doctor if it keeps going for more than a few days, or if pain, changes in your vision or hearing, or other new symptoms appear.\n\n• Stress and anxiety can make twitching worse, so easing stress is one of the most useful things you can do.";
const TIPS_TITLE: &str = "Ways to ease stress, which can make twitching worse";
const TIPS_LEAD: &str = "You said you have been stressed or anxious lately. Stress can feed twitching, so these may help you most:";
const TIPS: &str = "• Try mindfulness meditation: a few quiet minutes a day paying attention to your breathing.\n• Move regularly: a walk, a swim or any exercise you enjoy.\n• Look after everyday habits that keep you well; healthy routines can make symptoms ease.\n• You do not have to manage alone: a support group or a therapist can offer practical advice and emotional support.";

#[tokio::main]
async fn main() {
    let bot = Bot::from_env();
    let handler = dptree::entry()
        .branch(
            Update::filter_message()
                .enter_dialogue::<Message, InMemStorage<State>, State>()
                .endpoint(on_message),
        )
        .branch(
            Update::filter_callback_query()
                .enter_dialogue::<CallbackQuery, InMemStorage<State>, State>()
                .endpoint(on_button),
        );
    Dispatcher::builder(bot, handler)
        .dependencies(dptree::deps![InMemStorage::<State>::new()])
        .enable_ctrlc_handler()
        .build()
        .dispatch()
        .await;
}

async fn on_message(bot: Bot, check: Check, msg: Message) -> HandlerResult {
    let text = msg.text().unwrap_or_default().trim();
    if text.starts_with("/start") || text == "/check" {
        let intro = format!("{INTRO}\n\n{DISCLAIMER}");
        send(&bot, check.chat_id(), intro, None).await?;
        let question = ask(&bot, check.chat_id(), &RED_FLAGS).await?;
        return Ok(check.update(State::RedFlags(question)).await?);
    }
    let state = check.get_or_default().await?;
    step(&bot, &check, state, text).await
}

async fn on_button(bot: Bot, check: Check, query: CallbackQuery) -> HandlerResult {
    bot.answer_callback_query(query.id.clone()).await?;
    let state = check.get_or_default().await?;
    step(
        &bot,
        &check,
        state,
        query.data.as_deref().unwrap_or_default(),
    )
    .await
}

/// Applies one answer (typed, or a button's label) to the chat's state.
async fn step(bot: &Bot, check: &Check, state: State, answer: &str) -> HandlerResult {
    let chat = check.chat_id();
    let next = match state {
        State::Idle => {
            send(bot, chat, "Send /check to start a check.".into(), None).await?;
            return Ok(());
        }
        State::RedFlags(shown) => match choose(&RED_FLAGS, answer) {
            Some(0) => {
                answered(bot, chat, shown, &RED_FLAGS, RED_FLAGS.options[0].0).await?;
                send(bot, chat, format!("{EMERGENCY}\n\n{DISCLAIMER}"), None).await?;
                return Ok(check.exit().await?);
            }
            Some(_) => {
                answered(bot, chat, shown, &RED_FLAGS, RED_FLAGS.options[1].0).await?;
                let question = ask(bot, chat, &FREQUENCY).await?;
                State::Frequency(question, Answers::default())
            }
            None => return Ok(invalid(bot, chat, "Please answer yes or no.").await?),
        },
        State::Frequency(shown, mut answers) => {
            let Some(i) = choose(&FREQUENCY, answer) else {
                return Ok(invalid(bot, chat, "Please tap one of the buttons.").await?);
            };
            answers.frequency = FREQUENCY.options[i].0;
            answered(bot, chat, shown, &FREQUENCY, answers.frequency).await?;
            State::Duration(ask(bot, chat, &DURATION).await?, answers)
        }
        State::Duration(shown, mut answers) => {
            let picked = choose(&DURATION, answer)
                .map(|i| (DURATION_DAYS[i], DURATION.options[i].0.to_string()));
            let Some((days, label)) = picked.or_else(|| typed_days(answer)) else {
                let hint = "Please tap a button or type how long, e.g. “3 days”.";
                return Ok(invalid(bot, chat, hint).await?);
            };
            (answers.days, answers.duration) = (days, label);
            answered(bot, chat, shown, &DURATION, &answers.duration).await?;
            State::Pain(ask(bot, chat, &PAIN).await?, answers)
        }
        State::Pain(shown, mut answers) => {
            let Some(yes) = yes_no(bot, chat, shown, &PAIN, answer).await? else {
                return Ok(());
            };
            answers.pain = yes;
            State::VisionHearing(ask(bot, chat, &VISION_HEARING).await?, answers)
        }
        State::VisionHearing(shown, mut answers) => {
            let Some(yes) = yes_no(bot, chat, shown, &VISION_HEARING, answer).await? else {
                return Ok(());
            };
            answers.vision_hearing = yes;
            State::OtherSymptoms(ask(bot, chat, &OTHER_SYMPTOMS).await?, answers)
        }
        State::OtherSymptoms(shown, mut answers) => {
            let Some(yes) = yes_no(bot, chat, shown, &OTHER_SYMPTOMS, answer).await? else {
                return Ok(());
            };
            answers.other_symptoms = yes;
            match yes {
                true => State::OtherDetails(ask(bot, chat, &OTHER_DETAILS).await?, answers),
                false => State::Stress(ask(bot, chat, &STRESS).await?, answers),
            }
        }
        State::OtherDetails(shown, mut answers) => {
            let details: String = answer.chars().take(200).collect();
            let skipped = choose(&OTHER_DETAILS, answer).is_some();
            answers.details = (!skipped).then_some(details);
            let shown_answer = answers.details.as_deref().unwrap_or("Skip");
            answered(bot, chat, shown, &OTHER_DETAILS, &escape(shown_answer)).await?;
            State::Stress(ask(bot, chat, &STRESS).await?, answers)
        }
        State::Stress(shown, mut answers) => {
            let Some(yes) = yes_no(bot, chat, shown, &STRESS, answer).await? else {
                return Ok(());
            };
            answers.stress = yes;
            outcome(bot, chat, &answers).await?;
            return Ok(check.exit().await?);
        }
    };
    Ok(check.update(next).await?)
}

/// A yes/no question: the answer, with the question edited to show it, or
/// `None` after telling the user it does not fit.
async fn yes_no(
    bot: &Bot,
    chat: ChatId,
    shown: MessageId,
    question: &Question,
    answer: &str,
) -> Result<Option<bool>, teloxide::RequestError> {
    let Some(i) = choose(question, answer) else {
        invalid(bot, chat, "Please answer yes or no.").await?;
        return Ok(None);
    };
    answered(bot, chat, shown, question, question.options[i].0).await?;
    Ok(Some(i == 0))
}

/// Which option a button label or typed answer names.
fn choose(question: &Question, answer: &str) -> Option<usize> {
    let answer = answer.trim().to_lowercase();
    question.options.iter().position(|(label, words)| {
        label.to_lowercase() == answer || words.iter().any(|w| *w == answer)
    })
}

/// "3 days", "2 weeks", "1 month": the days, and how to say them.
fn typed_days(answer: &str) -> Option<(u32, String)> {
    let lower = answer.trim().to_lowercase();
    let mut words = lower.split_whitespace();
    let n: u32 = words.next()?.parse().ok()?;
    let unit = words.next()?.trim_end_matches('s');
    let days = match unit {
        "day" => n,
        "week" => n * 7,
        "month" => n * 30,
        _ => return None,
    };
    let plural = if n == 1 { "" } else { "s" };
    Some((days, format!("{n} {unit}{plural}")))
}

async fn send(
    bot: &Bot,
    chat: ChatId,
    html: String,
    keyboard: Option<InlineKeyboardMarkup>,
) -> Result<Message, teloxide::RequestError> {
    let request = bot.send_message(chat, html).parse_mode(ParseMode::Html);
    match keyboard {
        Some(keyboard) => request.reply_markup(keyboard).await,
        None => request.await,
    }
}

/// Sends a question with one button per option; returns its message.
async fn ask(
    bot: &Bot,
    chat: ChatId,
    question: &Question,
) -> Result<MessageId, teloxide::RequestError> {
    let mut text = format!("<b>Question {}.</b> {}", question.number, question.prompt);
    if let Some(note) = question.note {
        text = format!("{text}\n<i>{note}</i>");
    }
    let rows = question
        .options
        .iter()
        .map(|(label, _)| vec![InlineKeyboardButton::callback(*label, *label)]);
    let keyboard = InlineKeyboardMarkup::new(rows);
    Ok(send(bot, chat, text, Some(keyboard)).await?.id)
}

/// Replaces a question's message with the question and its answer.
async fn answered(
    bot: &Bot,
    chat: ChatId,
    shown: MessageId,
    question: &Question,
    answer: &str,
) -> Result<(), teloxide::RequestError> {
    let text = format!("{}\n\n✓ <b>{answer}</b>", question.prompt);
    bot.edit_message_text(chat, shown, text)
        .parse_mode(ParseMode::Html)
        .await?;
    Ok(())
}

async fn invalid(bot: &Bot, chat: ChatId, hint: &str) -> Result<(), teloxide::RequestError> {
    let text = format!("Sorry, that answer does not fit. {hint}");
    send(bot, chat, text, None).await?;
    Ok(())
}

/// The verdict with its guidance, then the stress tips.
async fn outcome(bot: &Bot, chat: ChatId, a: &Answers) -> Result<(), teloxide::RequestError> {
    let see_doctor = a.days > 3 || a.pain || a.vision_hearing || a.other_symptoms;
    let verdict = if see_doctor {
        let mut lines = vec![SEE_DOCTOR.to_string()];
        if a.days > 3 {
            lines.push(format!("• You said it has been going on for {}. Twitching that keeps coming back for more than a few days is worth a check-up.", a.duration));
        }
        if a.pain {
            lines.push("• You mentioned pain or discomfort with the twitching; that is a reason to have it looked at.".into());
        }
        if a.vision_hearing {
            lines.push(
                "• You noticed changes in your vision or hearing; mention these to the doctor."
                    .into(),
            );
        }
        if a.other_symptoms {
            lines.push(
                "• You noticed other unusual symptoms; tell the doctor about them too.".into(),
            );
        }
        if let Some(details) = &a.details {
            lines.push(format!("• In your words: “{}”.", escape(details)));
        }
        lines.push(CAUSES.into());
        lines.push(format!("• Treatment starts with finding the cause, so your doctor may ask how often it happens (you said: {}) and how long it has lasted. Depending on the cause, they may suggest medicine for a nerve or muscle problem.", a.frequency));
        lines.join("\n\n")
    } else {
        SELF_CARE.to_string()
    };
    send(bot, chat, format!("{verdict}\n\n{DISCLAIMER}"), None).await?;
    let tips = if a.stress {
        format!("<b>⭐ {TIPS_TITLE}</b>\n{TIPS_LEAD}\n{TIPS}")
    } else {
        format!("<b>{TIPS_TITLE}</b>\n{TIPS}")
    };
    send(bot, chat, tips, None).await?;
    Ok(())
}
