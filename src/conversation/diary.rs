//! The twitch diary in a private chat: the offer after an outcome, logging
//! (the "Twitching now" button, `/log`, or a sentence such as "twitched 3
//! times this morning"), tags on a log, `/diary` with its chart, and
//! `/diary off`. Entries are health data: they are written only in the
//! entry's one commit, kept the dialogue's `keep_days` after the last one,
//! exported by `/export` and deleted by `/forget`.

use super::Core;
use super::private::{Plan, StepPlan, plain};
use super::service::{Effects, StepChanges};
use super::wording::{self as render, Buttons};
use crate::diary::{self, DAY_MS, Log, chart};
use crate::engine::{self, Input, Position, diary_log};
use crate::language::Catalog;
use crate::message::{Action, Button, DiaryAction, MessageId, Outgoing};
use crate::script::{Diary, Script};
use crate::store::{Diaries, DiaryWrite, GroupSettings, GroupWrite, StoreResult};

/// The private chat a diary command, press or log is about.
pub struct Chat<'a> {
    /// The dialogue and the store.
    pub core: &'a Core,
    /// The chat's language.
    pub script: &'a Script,
    /// The chat.
    pub id: i64,
    /// Its settings (whether the diary is on).
    pub settings: &'a GroupSettings,
    /// Now, in ms since the epoch.
    pub now_ms: u64,
}

/// A button press being answered: its id and the message it was under.
pub struct Pressed<'a> {
    /// The press.
    pub id: &'a str,
    /// The message the button was under, when the platform said.
    pub message: Option<&'a MessageId>,
}

/// The chart covers at least this many days, ending today.
const CHART_DAYS: i64 = 28;

/// The offer shown after an outcome of `diary.after` while the diary is off.
pub fn offer(diary: &Diary) -> Outgoing {
    let buttons = vec![
        vec![Button::new(&diary.start, Action::Diary(DiaryAction::Start))],
        vec![Button::new(
            &diary.decline,
            Action::Diary(DiaryAction::Decline),
        )],
    ];
    render::message(None, render::plain(&diary.offer.text), buttons)
}

/// Whether `outcome` is one the diary is offered after.
pub fn offered_after(script: &Script, outcome: &str) -> bool {
    script
        .diary
        .as_ref()
        .is_some_and(|d| d.after.iter().any(|o| o == outcome))
}

/// `/diary`, `/diary on`, `/diary off`.
pub async fn command(chat: &Chat<'_>, args: &str) -> StoreResult<Plan> {
    let c = &chat.script.catalog;
    let Some(diary) = &chat.script.diary else {
        return Ok(reply(vec![plain(&c.text("diary-none"))]));
    };
    Ok(match args.trim().to_lowercase().as_str() {
        "off" => switch_off(chat, diary).await?,
        "on" => Plan::Effects(start(chat, diary, Vec::new())),
        _ if !chat.settings.diary => reply(vec![offer(diary)]),
        _ => {
            let log = chat.core.store.diary(chat.id).await?;
            match log
                .as_ref()
                .and_then(|log| picture(chat.script, log, chat.now_ms))
            {
                Some(chart) => reply(vec![chart.into_photo()]),
                None => reply(vec![render::message(
                    None,
                    render::plain(&c.get("diary-empty", &[("log", diary.log.as_str().into())])),
                    log_button(diary),
                )]),
            }
        }
    })
}

/// `/log`, with what the person wrote after it (a note, perhaps with a
/// count and a day: "3 times yesterday").
pub async fn log_command(chat: &Chat<'_>, text: &str) -> StoreResult<Plan> {
    let c = &chat.script.catalog;
    let Some(diary) = &chat.script.diary else {
        return Ok(reply(vec![plain(&c.text("diary-none"))]));
    };
    let text = text.trim();
    let typed = diary_log::after_command(chat.script, text);
    let note = (!text.is_empty()).then_some(text);
    log(chat, diary, typed.count, typed.days_ago, note, Vec::new()).await
}

/// A message typed outside a check while the diary is on: a log when it
/// reads as one ("twitched 3 times this morning"), else `None`.
pub async fn typed(chat: &Chat<'_>, text: &str) -> StoreResult<Option<Plan>> {
    let Some(diary) = chat.script.diary.as_ref().filter(|_| chat.settings.diary) else {
        return Ok(None);
    };
    let Some(typed) = diary_log::read(chat.script, text) else {
        return Ok(None);
    };
    // A check under way takes typed answers first.
    let current = chat
        .core
        .conversation(&chat.script.language)
        .current(chat.id, chat.now_ms)
        .await?;
    let in_check = current
        .as_ref()
        .is_some_and(|s| !matches!(s.position, Position::Finished { .. } | Position::Stopped {}));
    if in_check {
        return Ok(None);
    }
    log(
        chat,
        diary,
        typed.count,
        typed.days_ago,
        Some(text),
        Vec::new(),
    )
    .await
    .map(Some)
}

/// A press on a diary button.
pub async fn pressed(
    chat: &Chat<'_>,
    press: Pressed<'_>,
    action: DiaryAction,
) -> StoreResult<Plan> {
    let c = &chat.script.catalog;
    let answer = |notice: Option<String>| Outgoing::AnswerPress {
        press: press.id.to_string(),
        notice,
    };
    let Some(diary) = &chat.script.diary else {
        return Ok(reply(vec![answer(Some(c.text("diary-none")))]));
    };
    // Shows the offer answered, without its buttons.
    let answered = |label: &str| {
        press.message.map(|message| Outgoing::Replace {
            message: message.clone(),
            text: render::answered(c, &diary.offer.text, label, None),
            buttons: Vec::new(),
        })
    };
    Ok(match action {
        DiaryAction::Start => {
            let mut before = vec![answer(None)];
            before.extend(answered(&diary.start));
            Plan::Effects(start(chat, diary, before))
        }
        DiaryAction::Decline => {
            let mut out = vec![answer(None)];
            out.extend(answered(&diary.decline));
            reply(out)
        }
        DiaryAction::Log if !chat.settings.diary => {
            reply(vec![answer(Some(c.text("diary-is-off")))])
        }
        DiaryAction::Log => log(chat, diary, 1, 0, None, vec![answer(None)]).await?,
        DiaryAction::Tag { entry, tag } => {
            let mut log = chat.core.store.diary(chat.id).await?.unwrap_or_default();
            let known = diary.tag(&tag).is_some();
            if !known || !log.toggle(entry, &tag) {
                return Ok(reply(vec![answer(Some(c.text("diary-stale")))]));
            }
            let Some(shown) = log.entry(entry) else {
                return Ok(reply(vec![answer(Some(c.text("diary-stale")))]));
            };
            let mut out = vec![answer(None)];
            if let Some(message) = press.message {
                let (text, buttons) = logged(c, diary, shown);
                out.push(Outgoing::Replace {
                    message: message.clone(),
                    text,
                    buttons,
                });
            }
            Plan::Effects(Effects {
                diary: Some(save(diary, log)),
                ..Effects::reply(out)
            })
        }
        DiaryAction::Delete | DiaryAction::Keep if chat.settings.diary => {
            reply(vec![answer(Some(c.text("diary-stale")))])
        }
        DiaryAction::Delete => {
            let mut out = vec![answer(None)];
            let text = render::plain(&c.text("diary-deleted"));
            out.push(replace_or_send(press.message, text));
            Plan::Effects(Effects {
                diary: Some(DiaryWrite::Delete),
                ..Effects::reply(out)
            })
        }
        DiaryAction::Keep => {
            let log = chat.core.store.diary(chat.id).await?;
            let text = match log {
                Some(log) => render::plain(
                    &c.get("diary-kept", &[("date", kept_until(c, diary, &log).into())]),
                ),
                None => render::plain(&c.text("diary-deleted")),
            };
            reply(vec![answer(None), replace_or_send(press.message, text)])
        }
    })
}

/// The diary's chart and its caption (how many episodes on how many days,
/// from when to when), for `/diary`, `/summary` and `summary.html`.
pub struct Chart {
    /// The caption, in our markup.
    pub caption: String,
    /// The PNG.
    pub png: Vec<u8>,
}

impl Chart {
    /// The chart as a photo to send.
    pub fn into_photo(self) -> Outgoing {
        Outgoing::Photo {
            filename: "diary.png".to_string(),
            png: self.png,
            caption: self.caption,
        }
    }
}

/// What the diary adds to `/summary`: its chart, when it has entries.
pub async fn for_summary(chat: &Chat<'_>) -> StoreResult<Option<Chart>> {
    if chat.script.diary.is_none() {
        return Ok(None);
    }
    let log = chat.core.store.diary(chat.id).await?;
    Ok(log.and_then(|log| picture(chat.script, &log, chat.now_ms)))
}

/// Switches the diary on: the settings change, and `started` with the log
/// button follows `before`.
fn start(chat: &Chat<'_>, diary: &Diary, before: Vec<Outgoing>) -> Effects {
    let mut settings = chat.settings.clone();
    settings.diary = true;
    let mut out = before;
    out.push(render::message(
        None,
        render::plain(&diary.started.text),
        log_button(diary),
    ));
    Effects {
        group: Some(GroupWrite::Save(settings)),
        ..Effects::reply(out)
    }
}

/// `/diary off`: logging stops; entries there are may be deleted now (a
/// button) or are kept until their retention ends.
async fn switch_off(chat: &Chat<'_>, diary: &Diary) -> StoreResult<Plan> {
    let c = &chat.script.catalog;
    let mut settings = chat.settings.clone();
    settings.diary = false;
    let log = chat.core.store.diary(chat.id).await?;
    let group = Some(GroupWrite::Save(settings));
    let entries = log.as_ref().map_or(0, |l| l.entries.len());
    Ok(Plan::Effects(match log {
        Some(log) if entries > 0 => {
            let text = c.get(
                "diary-off-ask",
                &[
                    ("entries", entries.into()),
                    ("date", kept_until(c, diary, &log).into()),
                ],
            );
            let buttons = vec![vec![
                Button::new(c.text("diary-delete"), Action::Diary(DiaryAction::Delete)),
                Button::new(c.text("diary-keep"), Action::Diary(DiaryAction::Keep)),
            ]];
            Effects {
                group,
                ..Effects::reply(vec![render::message(None, render::plain(&text), buttons)])
            }
        }
        // Nothing logged: nothing to ask about.
        other => Effects {
            group,
            diary: other.map(|_| DiaryWrite::Delete),
            ..Effects::reply(vec![plain(&c.text("diary-off"))])
        },
    }))
}

/// Records `count` episodes `days_ago` days back, with `note`, switching
/// the diary on if it was off. A note that describes an emergency sign is
/// kept, and the check's red-flag net asks about the sign instead of the
/// usual confirmation.
async fn log(
    chat: &Chat<'_>,
    diary: &Diary,
    count: u32,
    days_ago: u32,
    note: Option<&str>,
    before: Vec<Outgoing>,
) -> StoreResult<Plan> {
    let now = chat.now_ms;
    let at = now.saturating_sub(u64::from(days_ago) * DAY_MS);
    let mut log = chat
        .core
        .store
        .diary(chat.id)
        .await?
        .unwrap_or_else(|| Log::started(now));
    let id = log.add(at, count, note, now);
    let mut effects = if chat.settings.diary {
        Effects::reply(before)
    } else {
        start(chat, diary, before)
    };
    if let Some(note) = note.filter(|n| engine::names_a_sign(chat.script, n)) {
        return Ok(Plan::Step(StepPlan {
            before: effects.outgoing,
            changes: StepChanges {
                clear_outbox: false,
                group: effects.group,
                diary: Some(save(diary, log)),
            },
            ..StepPlan::new(Input::Text(note.to_string()))
        }));
    }
    if let Some(entry) = log.entry(id) {
        let (text, buttons) = logged(&chat.script.catalog, diary, entry);
        effects.outgoing.push(render::message(None, text, buttons));
    }
    effects.diary = Some(save(diary, log));
    Ok(Plan::Effects(effects))
}

/// The confirmation of a log, with its tag buttons (a chosen one marked)
/// and the log button.
fn logged(c: &Catalog, diary: &Diary, entry: &diary::Entry) -> (String, Buttons) {
    let recorded = c.get(
        "diary-recorded",
        &[
            ("count", entry.count.into()),
            ("date", engine::date(c, entry.at_ms).into()),
        ],
    );
    let text = format!(
        "{}\n\n{}",
        render::plain(&recorded),
        render::plain(&diary.logged.text)
    );
    let tags: Vec<Button> = diary
        .tags
        .iter()
        .map(|tag| {
            let marked = entry.tags.contains(&tag.id);
            let label = if marked {
                format!("✓ {}", tag.label.text)
            } else {
                tag.label.text.clone()
            };
            let action = Action::Diary(DiaryAction::Tag {
                entry: entry.id,
                tag: tag.id.clone(),
            });
            Button::new(label, action)
        })
        .collect();
    let mut buttons: Buttons = tags.chunks(2).map(<[Button]>::to_vec).collect();
    buttons.extend(log_button(diary));
    (text, buttons)
}

fn log_button(diary: &Diary) -> Buttons {
    vec![vec![Button::new(
        &diary.log,
        Action::Diary(DiaryAction::Log),
    )]]
}

fn save(diary: &Diary, log: Log) -> DiaryWrite {
    DiaryWrite::Save {
        log,
        keep_ms: keep_ms(diary),
    }
}

/// How long a diary is kept after its last entry.
pub fn keep_ms(diary: &Diary) -> u64 {
    u64::from(diary.keep_days) * DAY_MS
}

fn kept_until(c: &Catalog, diary: &Diary, log: &Log) -> String {
    engine::date(c, log.touched_ms.saturating_add(keep_ms(diary)))
}

/// The diary's chart as a photo with its caption, when it has entries in
/// the chart's range: the last four weeks, or back to the first entry kept.
fn picture(script: &Script, log: &Log, now_ms: u64) -> Option<Chart> {
    let diary = script.diary.as_ref()?;
    let c = &script.catalog;
    let last = diary::day_of(now_ms);
    let oldest_kept = last - i64::from(diary.keep_days);
    let first = log
        .entries
        .first()
        .map_or(last, |e| diary::day_of(e.at_ms))
        .clamp(oldest_kept, last)
        .min(last - (CHART_DAYS - 1));
    let days = log.days(first, last);
    if days.is_empty() {
        return None;
    }
    let bars: Vec<chart::Day> = days
        .iter()
        .map(|d| chart::Day {
            day: d.day,
            episodes: d.episodes,
            tags: d
                .tags
                .iter()
                .filter_map(|t| diary.tags.iter().position(|known| &known.id == t))
                .collect(),
        })
        .collect();
    // "3 Dec", "3 dic", "3 дек": a month's first three letters.
    let months: Vec<String> = (1..=12)
        .map(|m| c.text(&format!("month-{m}")).chars().take(3).collect())
        .collect();
    let month = move |day: i64| {
        let (_, month, dom) = engine::civil_date(day);
        let name = (month as usize)
            .checked_sub(1)
            .and_then(|i| months.get(i))
            .map_or("", String::as_str);
        format!("{dom} {name}")
    };
    let text = chart::ChartText {
        title: c.text("diary-chart-title"),
        y_axis: c.text("diary-chart-axis"),
        tags: diary.tags.iter().map(|t| t.label.text.clone()).collect(),
        day_label: Box::new(month),
    };
    let png = match chart::draw(first, last, &bars, &text) {
        Ok(png) => png,
        Err(e) => {
            log::error!("the diary chart could not be drawn: {e}");
            return None;
        }
    };
    let episodes: u64 = days.iter().map(|d| u64::from(d.episodes)).sum();
    let caption = c.get(
        "diary-chart-caption",
        &[
            ("episodes", episodes.into()),
            ("days", days.len().into()),
            ("from", engine::date(c, day_start(first)).into()),
            ("to", engine::date(c, day_start(last)).into()),
        ],
    );
    Some(Chart {
        caption: render::plain(&caption),
        png,
    })
}

/// The first millisecond of day `day` (0 for days before the epoch).
fn day_start(day: i64) -> u64 {
    u64::try_from(day).unwrap_or(0).saturating_mul(DAY_MS)
}

fn replace_or_send(message: Option<&MessageId>, text: String) -> Outgoing {
    match message {
        Some(message) => Outgoing::Replace {
            message: message.clone(),
            text,
            buttons: Vec::new(),
        },
        None => Outgoing::text(None, text),
    }
}

fn reply(outgoing: Vec<Outgoing>) -> Plan {
    Plan::Effects(Effects::reply(outgoing))
}
