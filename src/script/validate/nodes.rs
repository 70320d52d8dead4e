//! The `[[node]]` section: each question's id, kind, prompt, hint, length
//! limit and red flag (its options are checked in `options.rs`).

use std::collections::HashSet;

use toml::Spanned;

use super::options::NodeShape;
use super::{CheckedNode, Checker, DEFAULT_MAX_LENGTH, MAX_TEXT, QuestionInfo};
use crate::script::raw::RawNode;
use crate::script::{FINISH, FOLLOW_UP, Node, NodeKind, Target};

/// No free-text answer may be longer than this, whatever the node says.
const MAX_MAX_LENGTH: u32 = 1000;

/// What conditions and placeholders may read about `node`: its kind and values.
pub(super) fn question_info(node: &RawNode) -> QuestionInfo {
    let kind = NodeKind::parse(node.kind.get_ref());
    let mut values: Vec<String> = node
        .options
        .iter()
        .map(|o| o.get_ref().value.get_ref().clone())
        .collect();
    if kind == Some(NodeKind::YesNo) {
        values = vec!["yes".to_string(), "no".to_string()];
    }
    QuestionInfo { kind, values }
}

impl Checker<'_, '_> {
    /// Converts every `[[node]]`, with the `next` targets the graph checks
    /// need; a node of unknown kind is reported and left out.
    pub(super) fn nodes(&mut self, raw: Vec<Spanned<RawNode>>) -> Vec<CheckedNode> {
        let mut seen = HashSet::new();
        let mut nodes = Vec::new();
        for item in raw {
            let node = item.into_inner();
            let id_span = node.id.span();
            let id = self.unique_id(node.id, "node", &mut seen);
            if id == FINISH {
                self.report.error(
                    id_span.clone(),
                    format!(
                        "`{FINISH}` is reserved for ending the questions; choose another node id"
                    ),
                );
            }
            if id == FOLLOW_UP {
                self.report.error(
                    id_span.clone(),
                    format!("`{FOLLOW_UP}` is reserved for the follow-up's buttons; choose another node id"),
                );
            }
            let kinds = "`choice`, `yes_no`, `duration`, `frequency`, `text`";
            let Some(kind) = self.one_of(&node.kind, NodeKind::parse, "node kind", kinds) else {
                continue;
            };
            let prompt = self.text(node.prompt, &format!("prompt of `{id}`"));
            let hint = node
                .hint
                .map(|h| self.bounded(h, &format!("hint of `{id}`"), MAX_TEXT, "a hint may have"));
            let max_length = match (&node.max_length, kind) {
                (None, _) => DEFAULT_MAX_LENGTH,
                (Some(len), NodeKind::Text) if (1..=MAX_MAX_LENGTH).contains(len.get_ref()) => {
                    *len.get_ref()
                }
                (Some(len), NodeKind::Text) => {
                    self.report.error(
                        len.span(),
                        format!("`max_length` must be between 1 and {MAX_MAX_LENGTH}"),
                    );
                    DEFAULT_MAX_LENGTH
                }
                (Some(len), _) => {
                    self.report
                        .error(len.span(), "`max_length` only applies to `text` questions");
                    DEFAULT_MAX_LENGTH
                }
            } as usize;
            let red_flag = match node.red_flag {
                Some(flag) if *flag.get_ref() && kind != NodeKind::YesNo => {
                    self.report
                        .error(flag.span(), "`red_flag` only applies to `yes_no` questions");
                    false
                }
                Some(flag) => flag.into_inner(),
                None => false,
            };
            let unsure = node.unsure.map(|raw| {
                let span = raw.text.span();
                let text = self.text(raw, &format!("`unsure` of `{id}`"));
                if !red_flag {
                    self.report.error(
                        span,
                        "`unsure` only applies to questions with `red_flag = true`",
                    );
                }
                text
            });
            let mut targets = Vec::new();
            if let Some(next) = &node.next {
                targets.push(next.clone());
            }
            let shape = NodeShape {
                id: &id,
                span: id_span.clone(),
                kind,
                has_next: node.next.is_some(),
                red_flag,
            };
            let options = self.options(&shape, node.options, &mut targets);
            let free_answers = matches!(kind, NodeKind::Duration | NodeKind::Text);
            if node.next.is_none() && free_answers {
                self.report.error(
                    id_span.clone(),
                    format!("`{id}` takes typed answers, so it needs a `next`"),
                );
            }
            let next = node.next.map(|n| Target::parse(n.get_ref()));
            nodes.push(CheckedNode {
                node: Node {
                    id,
                    kind,
                    prompt,
                    hint,
                    options,
                    next,
                    max_length,
                    red_flag,
                    unsure,
                },
                id_span,
                targets,
            });
        }
        nodes
    }
}
