//! How a check ends: the outcome the rules choose for the answers, with the
//! guidance that applies to them, and the stress tips.

use super::ask::{current, fill};
use super::{OutcomeReply, Position, Reply, SafetyNet, Session, TipsReply};
use crate::script::{Level, Outcome, Script, Text};

/// Picks the outcome with the first rule that holds and renders it.
pub(super) fn finish(script: &Script, session: &mut Session) -> Reply {
    let chosen = script
        .rules
        .iter()
        .find(|rule| rule.when.as_ref().is_none_or(|when| when.eval(session)))
        .and_then(|rule| script.outcome(&rule.outcome));
    let Some(outcome) = chosen else {
        // Validation guarantees a fallback rule; stay put rather than invent one.
        return current(script, session);
    };
    session.position = Position::Finished {
        outcome: outcome.id.clone(),
    };
    outcome_reply(script, session, outcome)
}

/// An outcome with the guidance that applies to these answers.
pub(super) fn outcome_reply(script: &Script, session: &Session, outcome: &Outcome) -> Reply {
    Reply::Outcome(OutcomeReply {
        outcome: outcome.id.clone(),
        level: outcome.level,
        verdict: fill(&outcome.verdict.text, script, Some(session)),
        emergency_numbers: if outcome.level == Level::Emergency {
            script.emergency_numbers.clone()
        } else {
            Vec::new()
        },
        safety_net: script
            .red_flags
            .as_ref()
            .filter(|_| outcome.level != Level::Emergency)
            .map(|flags| SafetyNet {
                text: flags.safety_net.text.clone(),
                numbers: script.emergency_numbers.clone(),
            }),
        guidance: outcome
            .guidance
            .iter()
            .filter(|g| g.when.as_ref().is_none_or(|when| when.eval(session)))
            .map(|g| fill(&g.text.text, script, Some(session)))
            .collect(),
        tips: outcome.show_tips.then(|| tips(script, Some(session))),
        disclaimer: script.disclaimer.text.clone(),
    })
}

/// The stress tips on their own (for a `tips` command), emphasised when the
/// session's answers call for it.
pub fn tips(script: &Script, session: Option<&Session>) -> TipsReply {
    let emphasized = match (session, &script.tips.emphasis_when) {
        (Some(session), Some(when)) => when.eval(session),
        _ => false,
    };
    let fill = |t: &Text| fill(&t.text, script, session);
    TipsReply {
        title: script.tips.title.clone(),
        lead: script
            .tips
            .emphasis_lead
            .as_ref()
            .filter(|_| emphasized)
            .map(fill),
        items: script.tips.items.iter().map(fill).collect(),
        emphasized,
    }
}
