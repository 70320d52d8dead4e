//! The dialogue as data: the model an engine runs, and how files become it.
//!
//! A dialogue file (TOML, see `dialogues/`) declares questions (nodes), the
//! rules that pick an outcome once the questions end, the outcomes with their
//! triage level and guidance, stress tips, and the sources every text restates.
//! [`load_file`] and [`load_paths`] check all of it and report every problem with
//! file, line and column.

pub mod band;
mod diagnostic;
pub mod expr;
pub mod graph;
mod load;
mod overlay;
pub mod placeholder;
mod raw;
mod validate;

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

pub use crate::language::letters::fold;
pub use crate::text::line_column;
use band::Band;
pub use diagnostic::{Diagnostic, Severity};
use expr::Expr;
pub use load::{LoadError, Loaded, load_checked, load_file, load_paths, load_str};
pub use overlay::{Header, header};

use crate::language::Catalog;

/// The target word that ends the questions and lets the rules choose an outcome.
pub const FINISH: &str = "finish";

/// Bytes of Telegram's 64-byte callback data left for a node id plus a choice value,
/// after the session id and turn that make stale buttons detectable.
pub const MAX_BUTTON_PAYLOAD: usize = 40;

/// Longest button label, in characters (Telegram cuts longer ones).
pub const MAX_LABEL: usize = 64;

/// Whether `word` may be an id: of a dialogue, node, option, outcome, sign
/// or source, and so a placeholder's name. Letters, digits, `_` and `-`.
pub fn is_id(word: &str) -> bool {
    !word.is_empty() && word.chars().all(placeholder::is_id_char)
}

/// Whether `text` reads as a phone number: digits, with spaces, `+` or `-`.
pub fn is_phone_number(text: &str) -> bool {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    (1..=15).contains(&digits)
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-'))
}

/// One loaded, checked dialogue.
#[derive(Debug, Clone)]
pub struct Script {
    /// The file it came from.
    pub path: PathBuf,
    /// Stable id, stamped on sessions.
    pub id: String,
    /// Human title.
    pub title: String,
    /// `major.minor`; a new major restarts checks in flight.
    pub version: Version,
    /// The first question.
    pub start: String,
    /// Greeting shown before the first question.
    pub intro: Text,
    /// "Not medical advice" line shown at the start and with every outcome.
    pub disclaimer: Text,
    /// Questions in file order.
    pub nodes: Vec<Node>,
    /// Checked in order once the questions end; the first that holds wins.
    pub rules: Vec<Rule>,
    /// Possible endings.
    pub outcomes: Vec<Outcome>,
    /// Stress-management tips.
    pub tips: Tips,
    /// Emergency signs described in a person's own words, and what uncertain
    /// answers to safety questions lead to.
    pub red_flags: Option<RedFlags>,
    /// A later check-in offered after some outcomes.
    pub follow_up: Option<FollowUp>,
    /// A twitch diary offered after some outcomes.
    pub diary: Option<Diary>,
    /// The references texts restate, listed on /about.
    pub sources: Vec<Source>,
    /// Numbers to call in an emergency, shown under the emergency verdict.
    pub emergency_numbers: Vec<EmergencyNumber>,
    /// The language its texts are in (`en` for the base file).
    pub language: String,
    /// The bot's own words in that language.
    pub catalog: Arc<Catalog>,
    /// The words its typed answers are read with, in its language.
    pub lexicon: Arc<crate::language::lexicon::Lexicon>,
    /// The emergency signs as the dialogue's other languages describe them,
    /// with their words: a sign typed in another language is still caught.
    pub other_nets: Vec<(Arc<crate::language::lexicon::Lexicon>, Arc<RedFlags>)>,
    node_index: HashMap<String, usize>,
}

/// A number to call in an emergency, and where it works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmergencyNumber {
    /// The number, e.g. `112`.
    pub number: String,
    /// Where it works, e.g. `EU`.
    pub place: String,
}

impl Script {
    /// The question with this id.
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.node_index.get(id).map(|&i| &self.nodes[i])
    }

    /// The outcome with this id.
    pub fn outcome(&self, id: &str) -> Option<&Outcome> {
        self.outcomes.iter().find(|o| o.id == id)
    }

    /// The source with this id.
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    fn index_nodes(&mut self) {
        self.node_index = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.clone(), i))
            .collect();
    }
}

/// A dialogue version, `major.minor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    /// Bumped when sessions in flight can no longer continue.
    pub major: u32,
    /// Bumped for wording and other compatible changes.
    pub minor: u32,
}

impl Version {
    /// Parses `"1.2"` (or `"1"`, meaning `1.0`).
    pub fn parse(text: &str) -> Option<Version> {
        let (major, minor) = text.split_once('.').unwrap_or((text, "0"));
        Some(Version {
            major: major.parse().ok()?,
            minor: minor.parse().ok()?,
        })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// The emergency numbers as one line in `catalog`'s language:
/// "Emergency numbers: 999 (UK) · 112 (EU)".
pub fn emergency_numbers(catalog: &Catalog, numbers: &[EmergencyNumber]) -> String {
    let listed = numbers
        .iter()
        .map(|n| {
            catalog.get(
                "emergency-number",
                &[
                    ("number", n.number.as_str().into()),
                    ("place", n.place.as_str().into()),
                ],
            )
        })
        .collect::<Vec<_>>()
        .join(" · ");
    format!("{} {listed}", catalog.text("emergency-numbers"))
}

/// A user-facing text with the ids of the sources it restates.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    /// The words shown; may hold `{node_id}` placeholders for answers.
    pub text: String,
    /// Source ids (see [`Source`]).
    pub sources: Vec<String>,
    /// For a text holding a count (`{days}`): its forms by plural category
    /// (`one`, `few`, `many`, `other`…); empty when it has one form.
    pub forms: Vec<(String, String)>,
}

impl Text {
    /// The text for a count of `n`, in the form `catalog`'s language uses
    /// for it, with `{days}` filled in.
    pub fn counted(&self, catalog: &Catalog, n: u64) -> String {
        let category = catalog.plural(n);
        let form = self
            .forms
            .iter()
            .find(|(c, _)| c == category)
            .or_else(|| self.forms.iter().find(|(c, _)| c == "other"))
            .map_or(self.text.as_str(), |(_, f)| f.as_str());
        placeholder::fill(form, |name| (name == "days").then(|| n.to_string()))
    }
}

/// A reference that texts restate.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// Name texts use.
    pub id: String,
    /// Human description, e.g. the article and section.
    pub title: String,
    /// Where to read it, if public.
    pub url: Option<String>,
}

/// What kind of answer a question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// Pick one option (buttons).
    Choice,
    /// Yes or no, with the usual typed variants understood.
    YesNo,
    /// How long, stored as days; options are quick picks.
    Duration,
    /// How often, read as a rate and mapped onto the options by their bands.
    Frequency,
    /// A few words of free text; options are quick picks such as "Skip".
    Text,
}

impl NodeKind {
    /// The word used in files.
    pub fn name(self) -> &'static str {
        match self {
            NodeKind::Choice => "choice",
            NodeKind::YesNo => "yes_no",
            NodeKind::Duration => "duration",
            NodeKind::Frequency => "frequency",
            NodeKind::Text => "text",
        }
    }

    fn parse(word: &str) -> Option<NodeKind> {
        [
            NodeKind::Choice,
            NodeKind::YesNo,
            NodeKind::Duration,
            NodeKind::Frequency,
            NodeKind::Text,
        ]
        .into_iter()
        .find(|k| k.name() == word)
    }
}

/// Where an answer leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Another question.
    Node(String),
    /// The end of the questions: rules pick the outcome.
    Finish,
}

impl Target {
    fn parse(word: &str) -> Target {
        if word == FINISH {
            Target::Finish
        } else {
            Target::Node(word.to_string())
        }
    }
}

/// One question.
#[derive(Debug, Clone)]
pub struct Node {
    /// Id, also the name rules use for its answer.
    pub id: String,
    /// What answers it takes.
    pub kind: NodeKind,
    /// The question shown.
    pub prompt: Text,
    /// What to say when an answer does not fit, if the default is not enough.
    pub hint: Option<String>,
    /// Buttons (for yes/no always `yes` then `no`).
    pub options: Vec<Choice>,
    /// Where answers go when their option names no `next`.
    pub next: Option<Target>,
    /// Longest free-text answer accepted, in characters.
    pub max_length: usize,
    /// A safety question (yes/no): only a clear no is a no, and an unsure
    /// answer is asked once more, then taken as yes.
    pub red_flag: bool,
    /// For a red-flag question: its own words for asking again after an
    /// unsure answer, instead of `[red_flags].unsure`.
    pub unsure: Option<Text>,
}

impl Node {
    /// The option with this value.
    pub fn option(&self, value: &str) -> Option<&Choice> {
        self.options.iter().find(|o| o.value == value)
    }

    /// Where an answer goes: its option's `next`, else the node's.
    pub fn target<'a>(&'a self, option: Option<&'a Choice>) -> Option<&'a Target> {
        option.and_then(|o| o.next.as_ref()).or(self.next.as_ref())
    }
}

/// One option of a question.
#[derive(Debug, Clone)]
pub struct Choice {
    /// Stored value, used by rules and buttons.
    pub value: String,
    /// Button text.
    pub label: String,
    /// Other words a user may type for it.
    pub synonyms: Vec<String>,
    /// Where this answer leads, if not the node's `next`.
    pub next: Option<Target>,
    /// For duration quick picks: the days it stands for.
    pub days: Option<u32>,
    /// For frequency options: the rates it stands for.
    pub band: Option<Band>,
}

/// Emergency signs and how the check treats them wherever they come up.
#[derive(Debug, Clone)]
pub struct RedFlags {
    /// The outcome a confirmed sign leads to (an emergency).
    pub outcome: String,
    /// "Is this happening now?", asked after a sign is described.
    pub confirm: Text,
    /// Asked once when the answer to a red-flag question is unsure.
    pub unsure: Text,
    /// Said when a described sign is not happening; the check goes on.
    pub declined: Text,
    /// Ends every outcome that is not an emergency: which signs mean calling
    /// the emergency number now (the numbers follow it).
    pub safety_net: Text,
    /// Label of the button confirming the sign.
    pub yes: String,
    /// Label of the button saying it is not happening.
    pub no: String,
    /// The signs and how people describe them.
    pub signs: Vec<Sign>,
}

/// A check-in some days after an outcome: "is the twitching still there?".
#[derive(Debug, Clone)]
pub struct FollowUp {
    /// Outcomes after which it is offered (never an emergency).
    pub after: Vec<String>,
    /// The duration question whose days the time since the check adds to.
    pub duration: String,
    /// Still there after more than this many days in all: see a doctor.
    pub more_than_days: u32,
    /// The offer, shown with a button per delay and one to decline.
    pub offer: Text,
    /// The decline button's label.
    pub decline: String,
    /// The delays offered.
    pub delays: Vec<Delay>,
    /// Said when a delay is chosen; `{days}` is its days.
    pub accepted: Text,
    /// "Is it still there?", asked when the follow-up is due.
    pub question: Text,
    /// Its answers, as a question (buttons and typed words).
    pub answers: Node,
    /// What each answer means, by answer value.
    pub meanings: Vec<(String, Meaning)>,
    /// Still there, for more than `more_than_days` in all; `{days}` is the count.
    pub still_long: Text,
    /// Still there, but not yet for long.
    pub still_short: Text,
    /// Worse or new signs: said before the check starts again at its screen.
    pub worse: Text,
    /// Gone: a short closing note.
    pub gone: Text,
}

impl FollowUp {
    /// What the answer with `value` means.
    pub fn meaning(&self, value: &str) -> Option<Meaning> {
        self.meanings
            .iter()
            .find(|(v, _)| v == value)
            .map(|(_, m)| *m)
    }
}

/// One delay a follow-up can be set for.
#[derive(Debug, Clone)]
pub struct Delay {
    /// The button's label.
    pub label: String,
    /// Days until the follow-up.
    pub days: u32,
}

/// What an answer to a follow-up means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    /// The twitching is still there (better or the same).
    Still,
    /// Worse, or new signs: the emergency screen first.
    Worse,
    /// Gone.
    Gone,
}

impl Meaning {
    /// The word used in files, logs and metrics.
    pub fn name(self) -> &'static str {
        match self {
            Meaning::Still => "still",
            Meaning::Worse => "worse",
            Meaning::Gone => "gone",
        }
    }

    fn parse(word: &str) -> Option<Meaning> {
        [Meaning::Still, Meaning::Worse, Meaning::Gone]
            .into_iter()
            .find(|m| m.name() == word)
    }
}

/// A twitch diary: one tap logs an episode, tags say what came with it,
/// and the record feeds the follow-up and the chart for a doctor.
#[derive(Debug, Clone)]
pub struct Diary {
    /// Outcomes after which it is offered (never an emergency).
    pub after: Vec<String>,
    /// Entries are kept this many days after the last one, then deleted.
    pub keep_days: u32,
    /// The offer, shown with `start` and `decline` buttons.
    pub offer: Text,
    /// The button that switches the diary on.
    pub start: String,
    /// The button that declines it.
    pub decline: String,
    /// The button that logs an episode now.
    pub log: String,
    /// Said when the diary is switched on: how to log, see and stop it.
    pub started: Text,
    /// Said after a log, above the tag buttons.
    pub logged: Text,
    /// Said at a follow-up when entries fall on more than the follow-up's
    /// `more_than_days` days: the article's see-a-doctor rule, unasked.
    pub persistent: Text,
    /// What may come with an episode, each traced to a source.
    pub tags: Vec<DiaryTag>,
}

impl Diary {
    /// The tag with this id.
    pub fn tag(&self, id: &str) -> Option<&DiaryTag> {
        self.tags.iter().find(|t| t.id == id)
    }
}

/// Something that may come with an episode (stress, poor sleep…).
#[derive(Debug, Clone)]
pub struct DiaryTag {
    /// Stable id, stored with entries.
    pub id: String,
    /// The button's label, with the sources it traces to.
    pub label: Text,
}

/// The longest diary tag id (it rides in a button's data with an entry number).
pub const MAX_TAG_ID: usize = 24;

/// The id follow-up buttons carry as their question.
pub const FOLLOW_UP: &str = "follow_up";

/// One emergency sign.
#[derive(Debug, Clone)]
pub struct Sign {
    /// Stable name, for logs and tests.
    pub id: String,
    /// What the bot says it understood ("You described …").
    pub said: Text,
    /// Each phrase as folded words; it matches a message holding all of them.
    pub phrases: Vec<Vec<String>>,
}

/// A rule: when `when` holds (or always, without it) the check ends with `outcome`.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The condition as written, for graphs.
    pub when_text: Option<String>,
    /// The parsed condition; `None` always holds.
    pub when: Option<Expr>,
    /// Outcome id.
    pub outcome: String,
}

/// The triage level an outcome gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    /// Call emergency services now.
    Emergency,
    /// Book a doctor's appointment.
    SeeDoctor,
    /// Usually harmless; look after yourself and watch for changes.
    SelfCare,
}

impl Level {
    /// The word used in files and logs.
    pub fn name(self) -> &'static str {
        match self {
            Level::Emergency => "emergency",
            Level::SeeDoctor => "see_doctor",
            Level::SelfCare => "self_care",
        }
    }

    fn parse(word: &str) -> Option<Level> {
        [Level::Emergency, Level::SeeDoctor, Level::SelfCare]
            .into_iter()
            .find(|l| l.name() == word)
    }
}

/// One ending of the check.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Id rules name.
    pub id: String,
    /// Triage level.
    pub level: Level,
    /// One line naming the level plainly.
    pub verdict: Text,
    /// Paragraphs, each shown when its condition holds.
    pub guidance: Vec<Guidance>,
    /// Whether stress tips follow.
    pub show_tips: bool,
}

/// A guidance paragraph and when it applies.
#[derive(Debug, Clone)]
pub struct Guidance {
    /// The paragraph.
    pub text: Text,
    /// Shown only when this holds; `None` always.
    pub when: Option<Expr>,
}

/// Stress-management tips.
#[derive(Debug, Clone)]
pub struct Tips {
    /// Heading.
    pub title: String,
    /// When this holds the tips are put forward (e.g. the user reported stress).
    pub emphasis_when: Option<Expr>,
    /// Line leading emphasised tips.
    pub emphasis_lead: Option<Text>,
    /// The tips.
    pub items: Vec<Text>,
}

/// One dialogue in every language it has: the base first, then each overlay.
/// The structure is the same in all, so a check can move between them.
#[derive(Debug, Clone)]
pub struct Dialogue {
    scripts: Vec<Script>,
}

impl Dialogue {
    /// The base dialogue (English).
    pub fn base(&self) -> &Script {
        &self.scripts[0]
    }

    /// The dialogue in `language`, else the base.
    pub fn get(&self, language: &str) -> &Script {
        self.scripts
            .iter()
            .find(|s| s.language == language)
            .unwrap_or(self.base())
    }

    /// Whether the dialogue exists in `language`.
    pub fn has(&self, language: &str) -> bool {
        self.scripts.iter().any(|s| s.language == language)
    }

    /// Every language, the base first.
    pub fn languages(&self) -> impl Iterator<Item = &Script> + Clone {
        self.scripts.iter()
    }

    /// The language for a Telegram `language_code` (`pt-br` → `pt-BR` → `pt`),
    /// else the base language.
    pub fn language_for(&self, tag: Option<&str>) -> &str {
        let codes = self.scripts.iter().map(|s| s.language.as_str());
        tag.and_then(|tag| crate::language::pick(codes, tag))
            .unwrap_or(&self.base().language)
    }
}

/// Why no dialogue could be picked from those loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    /// None has the id asked for.
    #[error("no dialogue with id `{id}`; loaded: {}", loaded.join(", "))]
    Unknown {
        /// The id asked for.
        id: String,
        /// The ids loaded.
        loaded: Vec<String>,
    },
    /// The dialogue's base file (its English texts) was not loaded.
    #[error("the dialogue's base file (its English texts) was not loaded")]
    NoBase,
    /// Several are loaded and none was named.
    #[error("several dialogues are loaded ({}); choose one with --dialogue ID", loaded.join(", "))]
    Several {
        /// The ids loaded.
        loaded: Vec<String>,
    },
}

/// Picks the dialogue with `id`, or the only one loaded when no id is given,
/// with all its languages.
pub fn select(scripts: Vec<Script>, id: Option<&str>) -> Result<Dialogue, SelectError> {
    let mut ids: Vec<&str> = Vec::new();
    for script in &scripts {
        if !ids.contains(&script.id.as_str()) {
            ids.push(&script.id);
        }
    }
    let chosen = match id {
        Some(id) if ids.contains(&id) => id.to_string(),
        Some(id) => {
            return Err(SelectError::Unknown {
                id: id.to_string(),
                loaded: ids.iter().map(|s| s.to_string()).collect(),
            });
        }
        None if ids.len() == 1 => ids[0].to_string(),
        None => {
            return Err(SelectError::Several {
                loaded: ids.iter().map(|s| s.to_string()).collect(),
            });
        }
    };
    let mut chosen: Vec<Script> = scripts.into_iter().filter(|s| s.id == chosen).collect();
    // The base first, then the other languages in a steady order.
    chosen.sort_by(|a, b| {
        (a.language != crate::language::BASE, &a.language)
            .cmp(&(b.language != crate::language::BASE, &b.language))
    });
    if chosen
        .first()
        .is_none_or(|s| s.language != crate::language::BASE)
    {
        return Err(SelectError::NoBase);
    }
    let nets: Vec<(
        String,
        Arc<crate::language::lexicon::Lexicon>,
        Arc<RedFlags>,
    )> = chosen
        .iter()
        .filter_map(|s| {
            let flags = s.red_flags.clone()?;
            Some((s.language.clone(), Arc::clone(&s.lexicon), Arc::new(flags)))
        })
        .collect();
    for script in &mut chosen {
        script.other_nets = nets
            .iter()
            .filter(|(language, _, _)| *language != script.language)
            .map(|(_, lexicon, flags)| (Arc::clone(lexicon), Arc::clone(flags)))
            .collect();
    }
    Ok(Dialogue { scripts: chosen })
}
