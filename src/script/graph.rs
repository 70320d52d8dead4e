//! The dialogue as a picture: questions, answer edges, rules and outcomes,
//! in Mermaid (renders on GitHub) or Graphviz DOT.

use std::fmt::Write as _;

use super::{FINISH, NodeKind, Script, Target};

/// Output formats of `graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A Mermaid `flowchart`.
    Mermaid,
    /// A Graphviz `digraph`.
    Dot,
}

/// One edge of the drawing, whatever the format.
struct Edge {
    from: String,
    to: String,
    label: String,
}

/// One box of the drawing.
struct Box {
    id: String,
    label: String,
    shape: Shape,
}

#[derive(Clone, Copy)]
enum Shape {
    Question,
    Rules,
    Outcome,
}

/// Renders the whole dialogue as a graph in `format`.
pub fn render(script: &Script, format: Format) -> String {
    let (boxes, edges) = layout(script);
    match format {
        Format::Mermaid => mermaid(&boxes, &edges),
        Format::Dot => dot(&script.title, &boxes, &edges),
    }
}

fn node_key(id: &str) -> String {
    format!("q_{id}")
}

fn outcome_key(id: &str) -> String {
    format!("o_{id}")
}

fn target_key(target: &Target) -> String {
    match target {
        Target::Node(id) => node_key(id),
        Target::Finish => FINISH.to_string(),
    }
}

fn shorten(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        text
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

fn layout(script: &Script) -> (Vec<Box>, Vec<Edge>) {
    let mut boxes = Vec::new();
    let mut edges = Vec::new();
    for node in &script.nodes {
        boxes.push(Box {
            id: node_key(&node.id),
            label: format!(
                "{} ({})\n{}",
                node.id,
                node.kind.name(),
                shorten(&node.prompt.text, 48)
            ),
            shape: Shape::Question,
        });
        for option in &node.options {
            if let Some(target) = node.target(Some(option)) {
                edges.push(Edge {
                    from: node_key(&node.id),
                    to: target_key(target),
                    label: option.label.clone(),
                });
            }
        }
        let typed = match node.kind {
            NodeKind::Duration => Some("typed duration"),
            NodeKind::Text => Some("typed text"),
            NodeKind::Frequency => Some("typed rate"),
            NodeKind::Choice | NodeKind::YesNo => None,
        };
        if let (Some(label), Some(target)) = (typed, &node.next) {
            edges.push(Edge {
                from: node_key(&node.id),
                to: target_key(target),
                label: label.to_string(),
            });
        }
    }
    boxes.push(Box {
        id: FINISH.to_string(),
        label: "rules (first that holds)".to_string(),
        shape: Shape::Rules,
    });
    for (index, rule) in script.rules.iter().enumerate() {
        let when = rule.when_text.as_deref().unwrap_or("otherwise");
        edges.push(Edge {
            from: FINISH.to_string(),
            to: outcome_key(&rule.outcome),
            label: format!("{}. {}", index + 1, when),
        });
    }
    for outcome in &script.outcomes {
        boxes.push(Box {
            id: outcome_key(&outcome.id),
            label: format!("{} [{}]", outcome.id, outcome.level.name()),
            shape: Shape::Outcome,
        });
    }
    if let Some(follow_up) = &script.follow_up {
        follow_up_layout(script, follow_up, &mut boxes, &mut edges);
    }
    (boxes, edges)
}

/// The follow-up: offered after its outcomes, asked after a delay, and
/// where each answer leads.
fn follow_up_layout(
    script: &Script,
    follow_up: &super::FollowUp,
    boxes: &mut Vec<Box>,
    edges: &mut Vec<Edge>,
) {
    const KEY: &str = "follow_up";
    boxes.push(Box {
        id: KEY.to_string(),
        label: format!("follow-up\n{}", shorten(&follow_up.question.text, 48)),
        shape: Shape::Question,
    });
    let delays: Vec<String> = follow_up
        .delays
        .iter()
        .map(|d| format!("{} d", d.days))
        .collect();
    for after in &follow_up.after {
        edges.push(Edge {
            from: outcome_key(after),
            to: KEY.to_string(),
            label: format!("accepted: {}", delays.join(" / ")),
        });
    }
    for (meaning, label) in [
        (super::Meaning::Still, "still there (days in all)"),
        (super::Meaning::Gone, "gone: closing note"),
    ] {
        let answers: Vec<&str> = follow_up
            .meanings
            .iter()
            .filter(|(_, m)| *m == meaning)
            .map(|(v, _)| v.as_str())
            .collect();
        let end = format!("follow_up_{}", meaning.name());
        boxes.push(Box {
            id: end.clone(),
            label: label.to_string(),
            shape: Shape::Outcome,
        });
        edges.push(Edge {
            from: KEY.to_string(),
            to: end,
            label: answers.join(" / "),
        });
    }
    let worse: Vec<&str> = follow_up
        .meanings
        .iter()
        .filter(|(_, m)| *m == super::Meaning::Worse)
        .map(|(v, _)| v.as_str())
        .collect();
    edges.push(Edge {
        from: KEY.to_string(),
        to: node_key(&script.start),
        label: format!("{}: the check again", worse.join(" / ")),
    });
}

fn mermaid_text(text: &str) -> String {
    text.replace('"', "#quot;").replace('\n', "<br/>")
}

fn mermaid(boxes: &[Box], edges: &[Edge]) -> String {
    let mut out = String::from("flowchart TD\n");
    for b in boxes {
        let label = mermaid_text(&b.label);
        let _ = match b.shape {
            Shape::Question => writeln!(out, "    {}[\"{label}\"]", b.id),
            Shape::Rules => writeln!(out, "    {}{{\"{label}\"}}", b.id),
            Shape::Outcome => writeln!(out, "    {}([\"{label}\"])", b.id),
        };
    }
    for e in edges {
        let _ = writeln!(
            out,
            "    {} -->|\"{}\"| {}",
            e.from,
            mermaid_text(&e.label),
            e.to
        );
    }
    out
}

fn dot_text(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn dot(title: &str, boxes: &[Box], edges: &[Edge]) -> String {
    let mut out = format!(
        "digraph dialogue {{\n    label=\"{}\";\n    rankdir=TB;\n",
        dot_text(title)
    );
    for b in boxes {
        let shape = match b.shape {
            Shape::Question => "box",
            Shape::Rules => "diamond",
            Shape::Outcome => "ellipse",
        };
        let _ = writeln!(
            out,
            "    {} [shape={shape}, label=\"{}\"];",
            b.id,
            dot_text(&b.label)
        );
    }
    for e in edges {
        let _ = writeln!(
            out,
            "    {} -> {} [label=\"{}\"];",
            e.from,
            e.to,
            dot_text(&e.label)
        );
    }
    out.push_str("}\n");
    out
}
