//! The small condition language of rules: `duration > 3 or pain = yes`.
//!
//! Grammar: `or` of `and` of `not`-able atoms; an atom is `( … )`, `true`,
//! `false`, or a comparison `answer OP value` with OP one of `= != < <= > >=`.
//! An answer that was never given makes every comparison on it false, so a
//! rule about a question the user skipped past never fires by accident.
//!
//! Parentheses and `not` nest at most [`MAX_DEPTH`] deep, and `and`/`or`
//! chains are kept flat, so parsing, evaluating and dropping a condition never
//! recurse more than that, whatever a (broken or hostile) file holds.

use std::ops::Range;

/// How deep parentheses and `not` may nest in one condition. Real rules need
/// two or three levels; the limit keeps the recursive parser, evaluation and
/// drop far from the stack's end.
pub const MAX_DEPTH: usize = 32;

/// A parsed condition. Spans are byte offsets inside the condition string.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A fixed truth value (`true` / `false`).
    Const(bool),
    /// True when every part is.
    And(Vec<Expr>),
    /// True when any part is.
    Or(Vec<Expr>),
    /// The opposite of its part.
    Not(Box<Expr>),
    /// A comparison of one answer with a literal.
    Compare(Comparison),
}

/// `answer OP value`, with where each side stands for error messages.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The question (node id) whose answer is read.
    pub answer: String,
    /// Where the answer name stands in the condition.
    pub answer_span: Range<usize>,
    /// How the answer is compared.
    pub op: Op,
    /// The literal compared with.
    pub value: Literal,
    /// Where the literal stands in the condition.
    pub value_span: Range<usize>,
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Op {
    /// Whether the operator orders values (only durations can be ordered).
    pub fn is_ordering(self) -> bool {
        !matches!(self, Op::Eq | Op::Ne)
    }

    /// Applies the operator to two ordered values.
    pub fn holds<T: PartialOrd>(self, left: &T, right: &T) -> bool {
        match self {
            Op::Eq => left == right,
            Op::Ne => left != right,
            Op::Lt => left < right,
            Op::Le => left <= right,
            Op::Gt => left > right,
            Op::Ge => left >= right,
        }
    }
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// A whole number (days, for durations).
    Number(u32),
    /// An option value, bare (`yes`) or quoted (`"not sure"`).
    Word(String),
}

/// A syntax error in a condition, at a byte offset inside it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExprError {
    /// Byte offset inside the condition string.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// How a condition reads the user's answers, so `Expr` stays independent of sessions.
pub trait Answers {
    /// The answer to `node` as an option value, if it was answered with one.
    fn value(&self, node: &str) -> Option<&str>;
    /// The answer to `node` in days, if it is a duration.
    fn days(&self, node: &str) -> Option<u32>;
}

impl Expr {
    /// Parses a condition, or says where it stops making sense.
    pub fn parse(text: &str) -> Result<Expr, ExprError> {
        let tokens = tokenize(text)?;
        let mut parser = Parser {
            tokens,
            pos: 0,
            end: text.len(),
            depth: 0,
        };
        let expr = parser.or()?;
        match parser.peek() {
            None => Ok(expr),
            Some(token) => Err(ExprError {
                offset: token.span.start,
                message: format!(
                    "unexpected `{}`: join conditions with `and` or `or`",
                    token.kind.describe()
                ),
            }),
        }
    }

    /// Evaluates the condition over a user's answers.
    pub fn eval(&self, answers: &impl Answers) -> bool {
        match self {
            Expr::Const(value) => *value,
            Expr::And(parts) => parts.iter().all(|part| part.eval(answers)),
            Expr::Or(parts) => parts.iter().any(|part| part.eval(answers)),
            Expr::Not(inner) => !inner.eval(answers),
            Expr::Compare(cmp) => match &cmp.value {
                Literal::Number(n) => answers
                    .days(&cmp.answer)
                    .is_some_and(|days| cmp.op.holds(&days, n)),
                Literal::Word(word) => answers
                    .value(&cmp.answer)
                    .is_some_and(|given| cmp.op.holds(&given, &word.as_str())),
            },
        }
    }

    /// Every comparison in the condition, for validation and graph labels.
    pub fn comparisons(&self) -> Vec<&Comparison> {
        let mut found = Vec::new();
        self.collect(&mut found);
        found
    }

    fn collect<'a>(&'a self, found: &mut Vec<&'a Comparison>) {
        match self {
            Expr::Const(_) => {}
            Expr::And(parts) | Expr::Or(parts) => parts.iter().for_each(|p| p.collect(found)),
            Expr::Not(inner) => inner.collect(found),
            Expr::Compare(cmp) => found.push(cmp),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum TokenKind {
    Word(String),
    Quoted(String),
    Number(u32),
    Op(Op),
    Open,
    Close,
}

impl TokenKind {
    fn describe(&self) -> String {
        match self {
            TokenKind::Word(w) | TokenKind::Quoted(w) => w.clone(),
            TokenKind::Number(n) => n.to_string(),
            TokenKind::Op(op) => match op {
                Op::Eq => "=",
                Op::Ne => "!=",
                Op::Lt => "<",
                Op::Le => "<=",
                Op::Gt => ">",
                Op::Ge => ">=",
            }
            .to_string(),
            TokenKind::Open => "(".to_string(),
            TokenKind::Close => ")".to_string(),
        }
    }
}

#[derive(Debug, Clone)]
struct Token {
    kind: TokenKind,
    span: Range<usize>,
}

fn tokenize(text: &str) -> Result<Vec<Token>, ExprError> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let single = |kind| Token {
            kind,
            span: start..start + 1,
        };
        let token = match c {
            '(' => {
                chars.next();
                single(TokenKind::Open)
            }
            ')' => {
                chars.next();
                single(TokenKind::Close)
            }
            '=' => {
                chars.next();
                if chars.next_if(|&(_, c)| c == '=').is_some() {
                    Token {
                        kind: TokenKind::Op(Op::Eq),
                        span: start..start + 2,
                    }
                } else {
                    single(TokenKind::Op(Op::Eq))
                }
            }
            '!' | '<' | '>' => {
                chars.next();
                let with_eq = chars.next_if(|&(_, c)| c == '=').is_some();
                let op = match (c, with_eq) {
                    ('!', true) => Op::Ne,
                    ('<', false) => Op::Lt,
                    ('<', true) => Op::Le,
                    ('>', false) => Op::Gt,
                    ('>', true) => Op::Ge,
                    _ => {
                        return Err(ExprError {
                            offset: start,
                            message: "`!` must be followed by `=` (use `not` to negate)"
                                .to_string(),
                        });
                    }
                };
                Token {
                    kind: TokenKind::Op(op),
                    span: start..start + if with_eq { 2 } else { 1 },
                }
            }
            '"' | '\'' => {
                chars.next();
                let mut word = String::new();
                let mut end = None;
                for (i, ch) in chars.by_ref() {
                    if ch == c {
                        end = Some(i + 1);
                        break;
                    }
                    word.push(ch);
                }
                let Some(end) = end else {
                    return Err(ExprError {
                        offset: start,
                        message: "quoted value is not closed".to_string(),
                    });
                };
                Token {
                    kind: TokenKind::Quoted(word),
                    span: start..end,
                }
            }
            c if c.is_alphanumeric() || c == '_' || c == '-' => {
                let mut end = start;
                let mut word = String::new();
                while let Some((i, ch)) =
                    chars.next_if(|&(_, ch)| ch.is_alphanumeric() || ch == '_' || ch == '-')
                {
                    word.push(ch);
                    end = i + ch.len_utf8();
                }
                let kind = if word.chars().all(|ch| ch.is_ascii_digit()) {
                    match word.parse() {
                        Ok(n) => TokenKind::Number(n),
                        Err(_) => {
                            return Err(ExprError {
                                offset: start,
                                message: format!("number `{word}` is too large"),
                            });
                        }
                    }
                } else {
                    TokenKind::Word(word)
                };
                Token {
                    kind,
                    span: start..end,
                }
            }
            other => {
                return Err(ExprError {
                    offset: start,
                    message: format!("unexpected character `{other}` in condition"),
                });
            }
        };
        tokens.push(token);
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    end: usize,
    /// How many `(` and `not` enclose the current position.
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn keyword(&mut self, word: &str) -> bool {
        let is_it = matches!(self.peek(), Some(Token { kind: TokenKind::Word(w), .. }) if w.eq_ignore_ascii_case(word));
        if is_it {
            self.pos += 1;
        }
        is_it
    }

    fn next_or_end(&mut self, expected: &str) -> Result<Token, ExprError> {
        let token = self
            .tokens
            .get(self.pos)
            .cloned()
            .ok_or_else(|| ExprError {
                offset: self.end,
                message: format!("condition ends early: expected {expected}"),
            })?;
        self.pos += 1;
        Ok(token)
    }

    /// Enters one more level of `(` or `not`, which starts at `offset`.
    fn descend(&mut self, offset: usize) -> Result<(), ExprError> {
        if self.depth == MAX_DEPTH {
            return Err(ExprError {
                offset,
                message: format!("conditions nest at most {MAX_DEPTH} deep"),
            });
        }
        self.depth += 1;
        Ok(())
    }

    /// `and` and `or` chains stay flat: one `Vec` however many terms, so
    /// their length never adds depth.
    fn or(&mut self) -> Result<Expr, ExprError> {
        let mut parts = vec![self.and()?];
        while self.keyword("or") {
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Expr, ExprError> {
        let mut parts = vec![self.unary()?];
        while self.keyword("and") {
            parts.push(self.unary()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::And(parts)
        })
    }

    fn unary(&mut self) -> Result<Expr, ExprError> {
        if let Some(start) = self.peek().map(|t| t.span.start)
            && self.keyword("not")
        {
            self.descend(start)?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        let token = self.next_or_end("an answer name, `true` or `(`")?;
        match token.kind {
            TokenKind::Open => {
                self.descend(token.span.start)?;
                let inner = self.or()?;
                self.depth -= 1;
                let close = self.next_or_end("`)`")?;
                if close.kind != TokenKind::Close {
                    return Err(ExprError {
                        offset: close.span.start,
                        message: format!("expected `)`, found `{}`", close.kind.describe()),
                    });
                }
                Ok(inner)
            }
            TokenKind::Word(w) if w.eq_ignore_ascii_case("true") => Ok(Expr::Const(true)),
            TokenKind::Word(w) if w.eq_ignore_ascii_case("false") => Ok(Expr::Const(false)),
            TokenKind::Word(answer) => self.comparison(answer, token.span),
            other => Err(ExprError {
                offset: token.span.start,
                message: format!("expected an answer name, found `{}`", other.describe()),
            }),
        }
    }

    fn comparison(&mut self, answer: String, answer_span: Range<usize>) -> Result<Expr, ExprError> {
        let op_token = self.next_or_end("a comparison such as `= yes` or `> 3`")?;
        let TokenKind::Op(op) = op_token.kind else {
            return Err(ExprError {
                offset: op_token.span.start,
                message: format!(
                    "expected a comparison (`=`, `!=`, `<`, `<=`, `>`, `>=`) after `{answer}`, found `{}`",
                    op_token.kind.describe()
                ),
            });
        };
        let value_token = self.next_or_end("a value to compare with")?;
        let value = match value_token.kind {
            TokenKind::Number(n) => Literal::Number(n),
            TokenKind::Word(w) | TokenKind::Quoted(w) => Literal::Word(w),
            other => {
                return Err(ExprError {
                    offset: value_token.span.start,
                    message: format!("expected a value, found `{}`", other.describe()),
                });
            }
        };
        Ok(Expr::Compare(Comparison {
            answer,
            answer_span,
            op,
            value,
            value_span: value_token.span,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Given(
        HashMap<&'static str, &'static str>,
        HashMap<&'static str, u32>,
    );

    impl Answers for Given {
        fn value(&self, node: &str) -> Option<&str> {
            self.0.get(node).copied()
        }
        fn days(&self, node: &str) -> Option<u32> {
            self.1.get(node).copied()
        }
    }

    fn given(values: &[(&'static str, &'static str)], days: &[(&'static str, u32)]) -> Given {
        Given(
            values.iter().copied().collect(),
            days.iter().copied().collect(),
        )
    }

    #[test]
    fn precedence_and_evaluation() {
        let e = Expr::parse("duration > 3 or pain = yes and not (stress = no)").unwrap();
        assert!(e.eval(&given(&[], &[("duration", 4)])));
        assert!(!e.eval(&given(&[], &[("duration", 3)])));
        assert!(e.eval(&given(&[("pain", "yes"), ("stress", "yes")], &[])));
        assert!(!e.eval(&given(&[("pain", "yes"), ("stress", "no")], &[])));
    }

    #[test]
    fn missing_answers_make_comparisons_false() {
        let e = Expr::parse("pain != yes").unwrap();
        assert!(!e.eval(&given(&[], &[])));
        assert!(e.eval(&given(&[("pain", "no")], &[])));
    }

    #[test]
    fn errors_point_inside_the_condition() {
        let err = Expr::parse("pain = yes or").unwrap_err();
        assert_eq!(err.offset, 13);
        let err = Expr::parse("pain yes").unwrap_err();
        assert_eq!(err.offset, 5);
        assert!(
            err.message.contains("expected a comparison"),
            "{}",
            err.message
        );
        let err = Expr::parse("pain = yes )").unwrap_err();
        assert_eq!(err.offset, 11);
        let err = Expr::parse("a ! b").unwrap_err();
        assert_eq!(err.offset, 2);
    }

    #[test]
    fn quoted_values_and_constants() {
        let e = Expr::parse("kind = \"not sure\" or true").unwrap();
        assert!(e.eval(&given(&[], &[])));
        assert_eq!(e.comparisons().len(), 1);
        assert_eq!(e.comparisons()[0].value, Literal::Word("not sure".into()));
    }

    /// Depth of the parsed tree, counted without recursion.
    fn tree_depth(expr: &Expr) -> usize {
        let mut deepest = 0;
        let mut stack = vec![(expr, 1)];
        while let Some((e, depth)) = stack.pop() {
            deepest = deepest.max(depth);
            match e {
                Expr::And(parts) | Expr::Or(parts) => {
                    stack.extend(parts.iter().map(|p| (p, depth + 1)))
                }
                Expr::Not(inner) => stack.push((inner, depth + 1)),
                Expr::Const(_) | Expr::Compare(_) => {}
            }
        }
        deepest
    }

    #[test]
    fn nesting_is_limited_where_it_goes_too_deep() {
        let deep = format!("{}a = x{}", "(".repeat(50_000), ")".repeat(50_000));
        let err = Expr::parse(&deep).unwrap_err();
        assert_eq!(err.offset, MAX_DEPTH);
        assert_eq!(err.message, "conditions nest at most 32 deep");

        let nots = format!("{}a = x", "not ".repeat(50_000));
        let err = Expr::parse(&nots).unwrap_err();
        assert_eq!(err.offset, MAX_DEPTH * 4);

        // `not` and parentheses count together.
        let mixed = format!("{}a = x{}", "not (".repeat(17), ")".repeat(17));
        assert_eq!(Expr::parse(&mixed).unwrap_err().offset, 16 * 5);
    }

    #[test]
    fn nesting_up_to_the_limit_parses_and_evaluates() {
        let at_limit = format!("{}a = x{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(
            Expr::parse(&at_limit)
                .unwrap()
                .eval(&given(&[("a", "x")], &[]))
        );
        // Siblings do not add up: each group is back at the top level.
        let siblings = vec![at_limit.as_str(); 100].join(" and ");
        assert!(
            Expr::parse(&siblings)
                .unwrap()
                .eval(&given(&[("a", "x")], &[]))
        );
        let even_nots = format!("{}a = x", "not ".repeat(MAX_DEPTH));
        assert!(
            Expr::parse(&even_nots)
                .unwrap()
                .eval(&given(&[("a", "x")], &[]))
        );
        // The deepest tree the limit allows: every level an `or` of `and`s.
        let level = "(b = y or c = z and ";
        let worst = format!("{}a = x{}", level.repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        let parsed = Expr::parse(&worst).unwrap();
        assert!(tree_depth(&parsed) <= 2 * MAX_DEPTH + 3);
        assert!(!parsed.eval(&given(&[], &[])));
    }

    #[test]
    fn long_chains_stay_flat() {
        for joiner in [" or ", " and "] {
            let chain = vec!["a = x"; 50_000].join(joiner);
            let parsed = Expr::parse(&chain).unwrap();
            assert_eq!(tree_depth(&parsed), 2, "{joiner}");
            assert!(parsed.eval(&given(&[("a", "x")], &[])));
            assert!(!parsed.eval(&given(&[("a", "y")], &[])));
            assert_eq!(parsed.comparisons().len(), 50_000);
            drop(parsed);
        }
    }
}
