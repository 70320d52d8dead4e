//! The questions as a graph: every `next` names a node, every node is
//! reached from `start`, and every reached node can still reach an outcome.

use std::collections::{HashMap, HashSet, VecDeque};

use toml::Spanned;

use super::{CheckedNode, Checker};
use crate::script::{FINISH, Target};

impl Checker<'_, '_> {
    /// Checks `next` references, reachability from `start`, and that every
    /// reachable question can still reach an outcome.
    pub(super) fn graph(&mut self, nodes: &[CheckedNode], start: &Spanned<String>) {
        let known: HashSet<&str> = nodes.iter().map(|c| c.node.id.as_str()).collect();
        for checked in nodes {
            for target in &checked.targets {
                let name = target.get_ref();
                if name != FINISH && !known.contains(name.as_str()) {
                    self.report.error(
                        target.span(),
                        format!("`next` names `{name}`, but there is no node with that id (use `{FINISH}` to end the questions)"),
                    );
                }
            }
        }
        if !known.contains(start.get_ref().as_str()) {
            self.report.error(
                start.span(),
                format!(
                    "`start` names `{}`, but there is no node with that id",
                    start.get_ref()
                ),
            );
            return;
        }
        let edges: HashMap<&str, Vec<Target>> = nodes
            .iter()
            .map(|CheckedNode { node, .. }| {
                let mut out: Vec<Target> =
                    node.options.iter().filter_map(|o| o.next.clone()).collect();
                out.extend(node.next.clone());
                (node.id.as_str(), out)
            })
            .collect();
        let mut reached = HashSet::from([start.get_ref().as_str()]);
        let mut queue = VecDeque::from([start.get_ref().as_str()]);
        while let Some(id) = queue.pop_front() {
            for target in edges.get(id).into_iter().flatten() {
                if let Target::Node(next) = target
                    && let Some(&known_id) = known.get(next.as_str())
                    && reached.insert(known_id)
                {
                    queue.push_back(known_id);
                }
            }
        }
        let mut finishing: HashSet<&str> = HashSet::new();
        loop {
            let before = finishing.len();
            for (id, out) in &edges {
                let done = out.iter().any(|t| match t {
                    Target::Finish => true,
                    Target::Node(next) => finishing.contains(next.as_str()),
                });
                if done {
                    finishing.insert(id);
                }
            }
            if finishing.len() == before {
                break;
            }
        }
        for CheckedNode { node, id_span, .. } in nodes {
            let span = id_span.clone();
            if !reached.contains(node.id.as_str()) {
                self.report.error(
                    span.clone(),
                    format!(
                        "node `{}` is never reached from `start` (`{}`)",
                        node.id,
                        start.get_ref()
                    ),
                );
            }
            if !finishing.contains(node.id.as_str()) {
                self.report.error(
                    span,
                    format!("no outcome can be reached from node `{}`: no path from it leads to `{FINISH}`", node.id),
                );
            }
        }
    }
}
