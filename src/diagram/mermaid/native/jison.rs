//! A jison parser and lexer run in Rust from the tables mermaid's own jison parsers carry
//! (extracted at build time by `js/extract-grammars.mjs`): the LR driver and the lexer loop of
//! jison 0.4.18 / jison-lex 0.3.4, step for step, with the lexer's rules translated by
//! `jsregex` and its actions read from their source. What a grammar action does is the
//! business of a `Semantics` (one per diagram type); anything neither understands makes the
//! run `Undecided`, and the caller asks mermaid itself (QuickJS).

use super::jsregex;
use regex_automata::{meta, Anchored, Input};
use serde::Deserialize;
use std::collections::HashMap;

/// The run could not decide exactly; mermaid itself must be asked.
#[derive(Debug, Clone, PartialEq)]
pub struct Undecided(pub &'static str);

/// One diagram type's parser as `js/extract-grammars.mjs` writes it.
#[derive(Deserialize)]
pub struct RawGrammar {
    symbols: HashMap<String, u32>,
    productions: Vec<(u32, u32)>,
    table: Vec<HashMap<u32, serde_json::Value>>,
    #[serde(rename = "defaultActions")]
    default_actions: HashMap<u32, serde_json::Value>,
    actions: String,
    pub entry: String,
    lexer: RawLexer,
}

#[derive(Deserialize)]
struct RawLexer {
    rules: Vec<RawRule>,
    conditions: HashMap<String, RawCondition>,
    options: HashMap<String, serde_json::Value>,
    actions: String,
}

#[derive(Deserialize)]
struct RawRule {
    source: String,
    flags: String,
}

#[derive(Deserialize)]
struct RawCondition {
    rules: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Action {
    Shift(u32),
    Reduce(u32),
    Accept,
}

pub struct Grammar {
    /// Per state, per symbol: the parse action.
    table: Vec<HashMap<u32, Action>>,
    gotos: Vec<HashMap<u32, u32>>,
    default_actions: HashMap<u32, Action>,
    /// Per production (1-based, index 0 unused): left-hand symbol and length.
    productions: Vec<(u32, u32)>,
    /// Per production: its grammar action's source, whitespace collapsed ("" when none).
    pub action_bodies: Vec<String>,
    symbols: HashMap<String, u32>,
    lexer: Lexer,
    pub entry: String,
}

const EOF: u32 = 1;

impl Grammar {
    pub fn load(raw: RawGrammar) -> Result<Grammar, String> {
        let mut table = Vec::with_capacity(raw.table.len());
        let mut gotos = Vec::with_capacity(raw.table.len());
        for state in &raw.table {
            let mut actions = HashMap::new();
            let mut goto = HashMap::new();
            for (symbol, v) in state {
                match v {
                    serde_json::Value::Number(n) => {
                        goto.insert(*symbol, n.as_u64().ok_or("goto")? as u32);
                    }
                    other => {
                        if let Some(a) = action(other)? {
                            actions.insert(*symbol, a);
                        }
                    }
                }
            }
            table.push(actions);
            gotos.push(goto);
        }
        let mut default_actions = HashMap::new();
        for (state, v) in &raw.default_actions {
            if let Some(a) = action(v)? {
                default_actions.insert(*state, a);
            }
        }
        let mut productions = vec![(0, 0)];
        productions.extend(raw.productions.iter().copied());
        let mut action_bodies = vec![String::new(); productions.len()];
        for (cases, body) in switch_cases(&raw.actions) {
            for case in cases {
                if let Some(slot) = action_bodies.get_mut(case) {
                    *slot = body.clone();
                }
            }
        }
        let lexer = Lexer::load(&raw.lexer, &raw.symbols)?;
        Ok(Grammar {
            table,
            gotos,
            default_actions,
            productions,
            action_bodies,
            symbols: raw.symbols,
            lexer,
            entry: raw.entry,
        })
    }

    /// The lexer's rules and conditions archsite cannot run (for the tests).
    #[cfg(test)]
    pub fn lexer_gaps(&self) -> Vec<String> {
        let mut gaps: Vec<String> = self
            .lexer
            .conditions
            .iter()
            .filter(|(_, c)| c.segments.is_none())
            .map(|(name, _)| format!("condition {name}"))
            .collect();
        gaps.extend(
            self.lexer
                .rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.ops.is_none())
                .map(|(i, _)| format!("action of rule {i}")),
        );
        gaps.sort();
        gaps
    }

    /// jison's `parse(input)`: `Ok(())` when the input is accepted (every action having run),
    /// `Err` when the table rejects it or something could not be decided natively.
    pub fn parse<S: Semantics>(&self, input: &str, sem: &mut S) -> Result<(), Undecided> {
        let mut lexer = LexState::new(input);
        let mut stack: Vec<u32> = vec![0];
        let mut values: Vec<S::Value> = vec![S::Value::default()];
        let mut symbol: Option<u32> = None;
        let mut steps: usize = 0;
        let limit = 4 * input.len() + 1000;
        loop {
            steps += 1;
            if steps > limit {
                return Err(Undecided("too many parser steps"));
            }
            let state = *stack.last().expect("the stack holds a state");
            let action = match self.default_actions.get(&state) {
                Some(a) => Some(*a),
                None => {
                    let sym = match symbol {
                        Some(s) => s,
                        None => {
                            let s = self.lexer.lex(&mut lexer, sem, &self.symbols)?;
                            symbol = Some(s);
                            s
                        }
                    };
                    self.table[state as usize].get(&sym).copied()
                }
            };
            match action {
                // A syntax error: mermaid's message, position and any error recovery are
                // mermaid's to give.
                None => return Err(Undecided("syntax error")),
                Some(Action::Shift(to)) => {
                    stack.push(to);
                    values.push(sem.token(&lexer.yytext));
                    symbol = None;
                }
                Some(Action::Reduce(p)) => {
                    let (lhs, len) = self.productions[p as usize];
                    let len = len as usize;
                    let at = values.len() - len;
                    let value = sem.reduce(p as usize, &mut values[at..])?;
                    if sem.ends_parse(p as usize) {
                        return Ok(());
                    }
                    values.truncate(at);
                    stack.truncate(stack.len() - len);
                    let from = *stack.last().expect("a state under the reduced symbols");
                    let to = *self.gotos[from as usize]
                        .get(&lhs)
                        .ok_or(Undecided("no goto"))?;
                    stack.push(to);
                    values.push(value);
                }
                Some(Action::Accept) => return Ok(()),
            }
        }
    }
}

fn action(v: &serde_json::Value) -> Result<Option<Action>, String> {
    let a = v.as_array().ok_or("a table entry")?;
    let n = |i: usize| a.get(i).and_then(|x| x.as_u64()).map(|x| x as u32);
    Ok(match n(0) {
        Some(1) => Some(Action::Shift(n(1).ok_or("shift")?)),
        Some(2) => Some(Action::Reduce(n(1).ok_or("reduce")?)),
        Some(3) => Some(Action::Accept),
        // jison treats any other entry as an error.
        _ => None,
    })
}

/// What each of a grammar's actions does, read from its source by a semantics' `handler`
/// (`otherwise` for one it does not recognise). Read once per grammar, not per diagram: read
/// per diagram, they took 8% of a flowchart's check and 22% of a sequence diagram's (a test
/// build: 66 of 804 µs, 119 of 546 µs).
pub fn handlers<H: Clone>(
    action_bodies: &[String],
    handler: fn(&str) -> Option<H>,
    otherwise: H,
) -> Vec<H> {
    action_bodies
        .iter()
        .map(|b| handler(b).unwrap_or_else(|| otherwise.clone()))
        .collect()
}

/// The grammar actions a semantics does not recognise (`handler` gives `None`), for the tests
/// that hold the bundled mermaid's actions to ones archsite knows.
#[cfg(test)]
pub fn unknown<H>(action_bodies: &[String], handler: fn(&str) -> Option<H>) -> Vec<String> {
    action_bodies
        .iter()
        .filter(|b| handler(b).is_none())
        .cloned()
        .collect()
}

/// What a diagram type's grammar actions do, as far as its verdict depends on it.
pub trait Semantics {
    type Value: Default + Clone;
    /// The value of a shifted token (its text).
    fn token(&mut self, yytext: &str) -> Self::Value;
    /// Runs production `p`'s action over the values of its right-hand side.
    fn reduce(&mut self, p: usize, rhs: &mut [Self::Value]) -> Result<Self::Value, Undecided>;
    /// Whether production `p`'s action returns a value (which ends jison's parse).
    fn ends_parse(&self, _p: usize) -> bool {
        false
    }
    /// A lexer action asking the diagram's database `yy.lex.<name>()`.
    fn lexer_asks(&mut self, name: &str) -> Result<bool, Undecided>;
}

/// The `case N: case M: body` groups of a `switch` in a function's source (esbuild's
/// formatting: one statement per line), each body with its whitespace collapsed and `break;`
/// statements dropped.
pub fn switch_cases(source: &str) -> Vec<(Vec<usize>, String)> {
    let Some(start) = source.find("switch (") else {
        return Vec::new();
    };
    let mut groups: Vec<(Vec<usize>, Vec<&str>)> = Vec::new();
    let mut open_labels = false;
    for line in source[start..].lines().skip(1) {
        let t = line.trim();
        if let Some(n) = t
            .strip_prefix("case ")
            .and_then(|r| r.strip_suffix(':'))
            .and_then(|n| n.parse::<usize>().ok())
        {
            if open_labels {
                groups.last_mut().expect("a group").0.push(n);
            } else {
                groups.push((vec![n], Vec::new()));
                open_labels = true;
            }
            continue;
        }
        open_labels = false;
        if let Some(g) = groups.last_mut() {
            g.1.push(t);
        }
    }
    groups
        .into_iter()
        .map(|(cases, lines)| {
            let mut body = lines.join(" ");
            // The switch's and the function's closing braces follow the last case.
            if let Some(i) = body.rfind("break;") {
                let tail = body[i + "break;".len()..].trim();
                if tail.chars().all(|c| c == '}' || c.is_whitespace()) {
                    body.truncate(i + "break;".len());
                }
            }
            let body = body.split_whitespace().collect::<Vec<_>>().join(" ");
            let body = body.replace(" break;", "").replace("break;", "");
            (cases, body.trim().to_string())
        })
        .collect()
}

/// A lexer action, read from its source.
#[derive(Debug, Clone)]
enum LexOp {
    Begin(String),
    PopState,
    ReturnNumber(u32),
    ReturnName(String),
    SetText(String),
    TrimText,
    /// `if (yy.lex.NAME()) { this.begin("X"); }`
    BeginIfAsked(String, String),
    /// `const re = /…/g; yy_.yytext = yy_.yytext.replace(re, "…");` (a literal replacement).
    ReplaceText(regex::Regex, String),
}

impl PartialEq for LexOp {
    fn eq(&self, other: &Self) -> bool {
        format!("{self:?}") == format!("{other:?}")
    }
}

struct Rule {
    /// `None`: the action holds a statement archsite does not know; lexing it is undecided.
    ops: Option<Vec<LexOp>>,
}

enum Segment {
    /// Consecutive plain rules, tried together (leftmost-first: the first rule that matches).
    Many {
        regex: meta::Regex,
        rules: Vec<usize>,
    },
    /// A rule with look-around.
    One {
        regex: fancy_regex::Regex,
        rule: usize,
    },
}

struct Condition {
    /// `None` when one of its rules could not be translated.
    segments: Option<Vec<Segment>>,
}

struct Lexer {
    rules: Vec<Rule>,
    conditions: HashMap<String, Condition>,
}

impl Lexer {
    fn load(raw: &RawLexer, symbols: &HashMap<String, u32>) -> Result<Lexer, String> {
        let unsupported_option = raw.options.iter().any(|(k, v)| {
            matches!(
                k.as_str(),
                "flex" | "backtrack_lexer" | "ranges" | "easy_keyword_rules"
            ) && v.as_bool() != Some(false)
        });
        if unsupported_option {
            return Err("a lexer option archsite does not run".into());
        }
        let case_insensitive = raw
            .options
            .get("case-insensitive")
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let translated: Vec<Option<jsregex::Translated>> = raw
            .rules
            .iter()
            .map(|r| {
                let mut flags = r.flags.clone();
                if case_insensitive && !flags.contains('i') {
                    flags.push('i');
                }
                jsregex::translate(&r.source, &flags).ok()
            })
            .collect();
        let mut ops_of: HashMap<usize, Option<Vec<LexOp>>> = HashMap::new();
        for (cases, body) in switch_cases(&raw.actions) {
            let ops = lex_ops(&body, symbols);
            for c in cases {
                ops_of.insert(c, ops.clone());
            }
        }
        let rules = (0..raw.rules.len())
            .map(|i| Rule {
                // A rule without a case returns nothing (a skipped match).
                ops: ops_of.remove(&i).unwrap_or(Some(Vec::new())),
            })
            .collect();
        let mut conditions = HashMap::new();
        for (name, c) in &raw.conditions {
            conditions.insert(
                name.clone(),
                Condition {
                    segments: segments(&c.rules, &translated),
                },
            );
        }
        Ok(Lexer { rules, conditions })
    }

    /// jison-lex's `lex()`: the next token's symbol.
    fn lex<S: Semantics>(
        &self,
        st: &mut LexState,
        sem: &mut S,
        symbols: &HashMap<String, u32>,
    ) -> Result<u32, Undecided> {
        // `lex()` calls itself once per skipped match: a very long run of them overflows
        // mermaid's stack, which is mermaid's to report.
        for _ in 0..2000 {
            if let Some(token) = self.next(st, sem, symbols)? {
                return Ok(token);
            }
        }
        Err(Undecided("a long run of skipped matches"))
    }

    /// jison-lex's `next()`: `Some(symbol)`, or `None` for a match that returned no token.
    fn next<S: Semantics>(
        &self,
        st: &mut LexState,
        sem: &mut S,
        symbols: &HashMap<String, u32>,
    ) -> Result<Option<u32>, Undecided> {
        if st.done {
            return Ok(Some(EOF));
        }
        if st.pos >= st.input.len() {
            st.done = true;
        }
        let condition = st.conditions.last().map_or("INITIAL", |c| c.as_str());
        let segments = self
            .conditions
            .get(condition)
            .or_else(|| self.conditions.get("INITIAL"))
            .and_then(|c| c.segments.as_ref())
            .ok_or(Undecided("a lexer condition archsite cannot run"))?;
        let rest = &st.input[st.pos..];
        let Some((rule, len)) = first_match(segments, rest)? else {
            if rest.is_empty() {
                return Ok(Some(EOF));
            }
            return Err(Undecided("a lexical error"));
        };
        st.yytext = rest[..len].to_string();
        st.pos += len;
        let ops = self.rules[rule]
            .ops
            .as_ref()
            .ok_or(Undecided("a lexer action archsite does not know"))?;
        let mut token: Option<u32> = None;
        for op in ops {
            match op {
                LexOp::Begin(c) => st.conditions.push(c.clone()),
                LexOp::PopState => {
                    if st.conditions.len() > 1 {
                        st.conditions.pop();
                    }
                }
                LexOp::SetText(t) => st.yytext = t.clone(),
                LexOp::TrimText => {
                    st.yytext = st.yytext.trim_matches(jsregex::is_js_space).to_string()
                }
                LexOp::ReplaceText(re, with) => {
                    st.yytext = re.replace_all(&st.yytext, with.as_str()).into_owned()
                }
                LexOp::BeginIfAsked(name, c) => {
                    if sem.lexer_asks(name)? {
                        st.conditions.push(c.clone());
                    }
                }
                LexOp::ReturnNumber(n) => {
                    token = Some(*n);
                    break;
                }
                LexOp::ReturnName(name) => {
                    // `self.symbols_[token] || token`: a name the grammar does not know stays a
                    // string, which no table entry accepts.
                    token = Some(
                        *symbols
                            .get(name)
                            .ok_or(Undecided("a token the grammar does not know"))?,
                    );
                    break;
                }
            }
        }
        if st.done && st.pos < st.input.len() {
            st.done = false;
        }
        // jison treats a returned 0 as "no token" too.
        Ok(token.filter(|t| *t != 0))
    }
}

/// The first rule of `segments` matching at the start of `text`, and its match's length.
fn first_match(segments: &[Segment], text: &str) -> Result<Option<(usize, usize)>, Undecided> {
    for segment in segments {
        match segment {
            Segment::Many { regex, rules } => {
                let input = Input::new(text).anchored(Anchored::Yes);
                if let Some(m) = regex.search(&input) {
                    return Ok(Some((rules[m.pattern().as_usize()], m.end())));
                }
            }
            Segment::One { regex, rule } => match regex.find(text) {
                Ok(Some(m)) if m.start() == 0 => return Ok(Some((*rule, m.end()))),
                Ok(_) => {}
                Err(_) => return Err(Undecided("a look-around match gave up")),
            },
        }
    }
    Ok(None)
}

fn segments(rules: &[usize], translated: &[Option<jsregex::Translated>]) -> Option<Vec<Segment>> {
    let mut out = Vec::new();
    let mut run: Vec<(usize, String)> = Vec::new();
    let flush = |run: &mut Vec<(usize, String)>, out: &mut Vec<Segment>| -> Option<()> {
        if run.is_empty() {
            return Some(());
        }
        let patterns: Vec<&str> = run.iter().map(|(_, p)| p.as_str()).collect();
        let regex = meta::Regex::new_many(&patterns).ok()?;
        out.push(Segment::Many {
            regex,
            rules: run.iter().map(|(r, _)| *r).collect(),
        });
        run.clear();
        Some(())
    };
    for &r in rules {
        let t = translated.get(r)?.as_ref()?;
        if t.fancy {
            flush(&mut run, &mut out)?;
            let regex = fancy_regex::Regex::new(&t.pattern).ok()?;
            out.push(Segment::One { regex, rule: r });
        } else {
            run.push((r, t.pattern.clone()));
        }
    }
    flush(&mut run, &mut out)?;
    Some(out)
}

/// Reads a lexer action's statements; `None` if one is not understood.
fn lex_ops(body: &str, symbols: &HashMap<String, u32>) -> Option<Vec<LexOp>> {
    let mut ops = Vec::new();
    let mut rest = body.trim();
    // `const NAME = /regex/flags;` statements, by name.
    let mut regexes: HashMap<String, regex::Regex> = HashMap::new();
    let string_arg = |s: &str, prefix: &str, suffix: &str| -> Option<String> {
        let inner = s.strip_prefix(prefix)?.strip_suffix(suffix)?;
        let inner = inner.strip_prefix('"')?.strip_suffix('"')?;
        (!inner.contains(['"', '\\'])).then(|| inner.to_string())
    };
    while !rest.is_empty() {
        let (stmt, tail) = if rest.starts_with("if (") {
            let end = rest.find('}')? + 1;
            (&rest[..end], &rest[end..])
        } else {
            let end = rest.find(';')? + 1;
            (&rest[..end], &rest[end..])
        };
        rest = tail.trim_start();
        let stmt = stmt.trim();
        let op = if stmt == "this.popState();" {
            LexOp::PopState
        } else if let Some(c) = string_arg(stmt, "this.begin(", ");")
            .or_else(|| string_arg(stmt, "this.pushState(", ");"))
        {
            LexOp::Begin(c)
        } else if let Some(t) = string_arg(stmt, "yy_.yytext = ", ";") {
            LexOp::SetText(t)
        } else if stmt == "yy_.yytext = yy_.yytext.trim();" {
            LexOp::TrimText
        } else if let Some(decl) = stmt.strip_prefix("const ") {
            let (name, literal) = decl.split_once(" = /")?;
            let (source, flags) = literal.strip_suffix(';')?.rsplit_once('/')?;
            // Only a global regex replaces every match, as `replace_all` does.
            if !flags.contains('g') || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
                return None;
            }
            let t = jsregex::translate(source, flags)
                .ok()
                .filter(|t| !t.fancy)?;
            regexes.insert(name.to_string(), regex::Regex::new(&t.pattern).ok()?);
            continue;
        } else if let Some(call) = stmt.strip_prefix("yy_.yytext = yy_.yytext.replace(") {
            let (name, with) = call.strip_suffix(");")?.split_once(", ")?;
            let with = with.strip_prefix('"')?.strip_suffix('"')?;
            // `$` starts a replacement pattern in JavaScript and in `regex`.
            if with.contains(['$', '"', '\\']) {
                return None;
            }
            LexOp::ReplaceText(regexes.get(name)?.clone(), with.to_string())
        } else if let Some(name) = string_arg(stmt, "return ", ";") {
            LexOp::ReturnName(name)
        } else if let Some(n) = stmt
            .strip_prefix("return ")
            .and_then(|r| r.strip_suffix(';'))
            .and_then(|n| n.parse::<u32>().ok())
        {
            LexOp::ReturnNumber(n)
        } else if let Some(inner) = stmt.strip_prefix("if (yy.lex.") {
            let (name, then) = inner.split_once("()) { ")?;
            let c = string_arg(then.trim_end_matches(" }").trim(), "this.begin(", ");")?;
            if !name.chars().all(|c| c.is_ascii_alphanumeric()) {
                return None;
            }
            LexOp::BeginIfAsked(name.to_string(), c)
        } else {
            return None;
        };
        ops.push(op);
    }
    // A returned name the grammar lacks is still an exact outcome (a syntax error later).
    let _ = symbols;
    Some(ops)
}

/// The lexer's state over one input.
struct LexState {
    input: String,
    pos: usize,
    done: bool,
    yytext: String,
    conditions: Vec<String>,
}

impl LexState {
    fn new(input: &str) -> LexState {
        LexState {
            input: input.to_string(),
            pos: 0,
            done: false,
            yytext: String::new(),
            conditions: vec!["INITIAL".to_string()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_patterns_prefer_the_first_rule_that_matches() {
        let regex = meta::Regex::new_many(&["^(?:a)", "^(?:ab)", "^(?:b)"]).unwrap();
        let m = regex
            .search(&Input::new("ab").anchored(Anchored::Yes))
            .unwrap();
        assert_eq!((m.pattern().as_usize(), m.end()), (0, 1));
        let m = regex
            .search(&Input::new("ba").anchored(Anchored::Yes))
            .unwrap();
        assert_eq!(m.pattern().as_usize(), 2);
        assert!(regex
            .search(&Input::new("xab").anchored(Anchored::Yes))
            .is_none());
    }

    #[test]
    fn reads_switch_cases_and_lexer_actions() {
        let src = "function anonymous(yy, yy_, $a, YY_START) {\n  var YYSTATE = YY_START;\n  switch ($a) {\n    case 0:\n      this.begin(\"x\");\n      return 34;\n      break;\n    case 1:\n    case 2:\n      this.popState();\n      return \"NAME\";\n      break;\n    case 3:\n      if (yy.lex.firstGraph()) {\n        this.begin(\"dir\");\n      }\n      return 12;\n      break;\n    case 4:\n      console.log(1);\n      break;\n  }\n}";
        let cases = switch_cases(src);
        assert_eq!(cases.len(), 4);
        assert_eq!(cases[1].0, vec![1, 2]);
        assert_eq!(cases[1].1, "this.popState(); return \"NAME\";");
        let symbols = HashMap::new();
        assert_eq!(
            lex_ops(&cases[2].1, &symbols),
            Some(vec![
                LexOp::BeginIfAsked("firstGraph".into(), "dir".into()),
                LexOp::ReturnNumber(12)
            ])
        );
        assert_eq!(lex_ops(&cases[3].1, &symbols), None);
    }
}
