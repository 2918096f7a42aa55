//! What mermaid's sequence-diagram grammar actions and `SequenceDB.apply` do, as far as a
//! verdict depends on it. The actions build a list of statements; the start rule hands it to
//! `apply`, which can reject a diagram that parsed (mermaid 11's `sequenceDb.ts`):
//!
//! - `create participant X` when X already exists;
//! - a created (destroyed) participant not followed by a message to (to or from) it;
//! - `deactivate X` (or `-` on a message) when X has no open activation;
//! - `box …` reads `window.CSS` in `parseBoxData` and `links`/`details` … reads `document`: in
//!   mermaid's parse-only bundle both throw, so such diagrams are left to mermaid, as are
//!   participants with shape data (`@{ … }`, read by js-yaml).
//!
//! Each action is recognised by its source text; one not listed is `Undecided`.

use super::jison::{Semantics, Undecided};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ActorKind {
    Add,
    Create,
    Destroy,
}

#[derive(Debug, Clone, Default)]
pub enum Val {
    #[default]
    Other,
    /// JavaScript's `undefined` (the value of an empty production without an action).
    Undefined,
    Str(String),
    /// `{ type, actor, config? }` from the `actor` rules, retyped by the participant rules.
    Actor {
        kind: ActorKind,
        name: String,
        config: bool,
    },
    List(Vec<Val>),
    Message {
        from: String,
        to: String,
    },
    ActiveStart(String),
    ActiveEnd(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Handler {
    Pure,
    /// No action: `$$ = $1`.
    Default,
    Copy(usize),
    EmptyList,
    /// `$$[$0 - 1].push($$[$0]); this.$ = $$[$0 - 1];`
    Push,
    /// `$$[$0 - 1].unshift({…}); $$[$0 - 1].push({…}); this.$ = $$[$0 - 1];` (loop, alt, …)
    Block,
    /// `this.$ = $$[$0 - 3].concat([{…}, $$[$0]]);` (else, and, option)
    Continue,
    Retype {
        at: usize,
        kind: ActorKind,
        described: bool,
    },
    NewActor,
    NewActorWithConfig,
    Trim(usize),
    ActorAndOther(usize),
    Pair,
    ActiveStart,
    ActiveEnd,
    /// `[from, to, { addMessage }, …]` with the activation the arrow asks for.
    Message {
        from: usize,
        to: usize,
        then: Then,
    },
    Apply,
    Mermaid,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Then {
    Nothing,
    ActivateTo,
    DeactivateFrom,
}

fn handler(body: &str) -> Option<Handler> {
    use Handler::*;
    if body.is_empty() {
        return Some(Default);
    }
    // `this.$ = yy.LINETYPE.X;`, `this.$ = yy.PLACEMENT.X;`
    if let Some(rest) = body
        .strip_prefix("this.$ = yy.LINETYPE.")
        .or_else(|| body.strip_prefix("this.$ = yy.PLACEMENT."))
    {
        if let Some(name) = rest.strip_suffix(';') {
            if name.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
                return Some(Pure);
            }
        }
    }
    // Blocks: `$$[$0 - 1].unshift({ type: "loopStart", …yy.parseMessage($$[$0 - 2])… });
    // $$[$0 - 1].push({ type: "loopEnd", … }); this.$ = $$[$0 - 1];` — parseMessage trims a
    // string, nothing throws.
    if body.starts_with("$$[$0 - 1].unshift({ type: \"")
        && body.ends_with("}); this.$ = $$[$0 - 1];")
        && !body.contains("parseBoxData")
        && only_calls(body, &["yy.parseMessage($$[$0 - 2])", "yy.LINETYPE."])
    {
        return Some(Block);
    }
    if body.starts_with("this.$ = $$[$0 - 3].concat([{ type: \"")
        && body.ends_with("}, $$[$0]]);")
        && only_calls(body, &["yy.parseMessage($$[$0 - 1])", "yy.LINETYPE."])
    {
        return Some(Continue);
    }
    if let Some(m) = message(body) {
        return Some(m);
    }
    if let Some(r) = retype(body) {
        return Some(r);
    }
    let known: &[(&str, Handler)] = &[
        ("yy.apply($$[$0]); return $$[$0];", Apply),
        ("this.$ = [];", EmptyList),
        ("$$[$0 - 1].push($$[$0]); this.$ = $$[$0 - 1];", Push),
        ("this.$ = $$[$0];", Copy(0)),
        ("this.$ = { type: \"sequenceIndex\", sequenceIndex: Number($$[$0 - 2]), sequenceIndexStep: Number($$[$0 - 1]), sequenceVisible: true, signalType: yy.LINETYPE.AUTONUMBER };", Pure),
        ("this.$ = { type: \"sequenceIndex\", sequenceIndex: Number($$[$0 - 1]), sequenceIndexStep: 1, sequenceVisible: true, signalType: yy.LINETYPE.AUTONUMBER };", Pure),
        ("this.$ = { type: \"sequenceIndex\", sequenceVisible: false, signalType: yy.LINETYPE.AUTONUMBER };", Pure),
        ("this.$ = { type: \"sequenceIndex\", sequenceVisible: true, signalType: yy.LINETYPE.AUTONUMBER };", Pure),
        ("this.$ = { type: \"activeStart\", signalType: yy.LINETYPE.ACTIVE_START, actor: $$[$0 - 1].actor };", ActiveStart),
        ("this.$ = { type: \"activeEnd\", signalType: yy.LINETYPE.ACTIVE_END, actor: $$[$0 - 1].actor };", ActiveEnd),
        ("yy.setDiagramTitle($$[$0].substring(6)); this.$ = $$[$0].substring(6);", Trim(usize::MAX)),
        ("yy.setDiagramTitle($$[$0].substring(7)); this.$ = $$[$0].substring(7);", Trim(usize::MAX)),
        ("this.$ = $$[$0].trim(); yy.setAccTitle(this.$);", Trim(0)),
        ("this.$ = $$[$0].trim(); yy.setAccDescription(this.$);", Trim(0)),
        ("this.$ = [$$[$0 - 1], { type: \"addNote\", placement: $$[$0 - 2], actor: $$[$0 - 1].actor, text: $$[$0] }];", ActorAndOther(1)),
        ("$$[$0 - 2] = [].concat($$[$0 - 1], $$[$0 - 1]).slice(0, 2); $$[$0 - 2][0] = $$[$0 - 2][0].actor; $$[$0 - 2][1] = $$[$0 - 2][1].actor; this.$ = [$$[$0 - 1], { type: \"addNote\", placement: yy.PLACEMENT.OVER, actor: $$[$0 - 2].slice(0, 2), text: $$[$0] }];", ActorAndOther(1)),
        ("this.$ = [$$[$0 - 1], { type: \"addLinks\", actor: $$[$0 - 1].actor, text: $$[$0] }];", ActorAndOther(1)),
        ("this.$ = [$$[$0 - 1], { type: \"addALink\", actor: $$[$0 - 1].actor, text: $$[$0] }];", ActorAndOther(1)),
        ("this.$ = [$$[$0 - 1], { type: \"addProperties\", actor: $$[$0 - 1].actor, text: $$[$0] }];", ActorAndOther(1)),
        ("this.$ = [$$[$0 - 2], $$[$0]];", Pair),
        ("this.$ = { type: \"addParticipant\", actor: $$[$0 - 1], config: $$[$0] };", NewActorWithConfig),
        ("this.$ = $$[$0 - 1].trim();", Trim(1)),
        ("this.$ = { type: \"addParticipant\", actor: $$[$0] };", NewActor),
        ("this.$ = yy.parseMessage($$[$0].trim().substring(1));", Trim(0)),
        ("$$[$0].type = \"createParticipant\"; this.$ = $$[$0];", Retype { at: 0, kind: ActorKind::Create, described: false }),
    ];
    known
        .iter()
        .find(|(b, _)| *b == body)
        .map(|(_, h)| h.clone())
}

/// Whether every `yy.` in `body` starts one of `allowed`.
fn only_calls(body: &str, allowed: &[&str]) -> bool {
    body.match_indices("yy.")
        .all(|(i, _)| allowed.iter().any(|a| body[i..].starts_with(a)))
}

/// `$$[$0 - k].draw = "…"; $$[$0 - k].type = "…"; [$$[$0 - k].description = yy.parseMessage($$[$0 - j]);] this.$ = $$[$0 - k];`
fn retype(body: &str) -> Option<Handler> {
    let rest = body.strip_prefix("$$[$0 - ")?;
    let (k, rest) = rest.split_once("]")?;
    let at: usize = k.parse().ok()?;
    let slot = format!("$$[$0 - {k}]");
    let mut described = false;
    let mut kind = None;
    for stmt in format!("{slot}{rest}").split("; ") {
        let stmt = stmt.trim_end_matches(';');
        if let Some(v) = stmt.strip_prefix(&format!("{slot}.draw = \"")) {
            if !matches!(v, "participant\"" | "actor\"") {
                return None;
            }
        } else if let Some(v) = stmt.strip_prefix(&format!("{slot}.type = \"")) {
            kind = Some(match v {
                "addParticipant\"" => ActorKind::Add,
                "destroyParticipant\"" => ActorKind::Destroy,
                _ => return None,
            });
        } else if stmt.starts_with(&format!("{slot}.description = yy.parseMessage($$[$0 - "))
            && stmt.ends_with("])")
        {
            described = true;
        } else if stmt != format!("this.$ = {slot}") {
            return None;
        }
    }
    Some(Handler::Retype {
        at,
        kind: kind?,
        described,
    })
}

/// The message rules: `this.$ = [ $$[$0 - a], $$[$0 - b], { type: "addMessage", from: $$[$0 - a].actor, to: $$[$0 - b].actor, … }, {…} ];`
fn message(body: &str) -> Option<Handler> {
    let rest = body
        .strip_prefix("this.$ = [ $$[$0 - ")
        .or_else(|| body.strip_prefix("this.$ = [$$[$0 - "))?;
    let (a, rest) = rest.split_once("], $$[$0 - ")?;
    let (b, rest) = rest.split_once("], { type: \"addMessage\", from: $$[$0 - ")?;
    let (a2, rest) = rest.split_once("].actor, to: $$[$0 - ")?;
    let (b2, rest) = rest.split_once("].actor, signalType: ")?;
    if a != a2 || b != b2 {
        return None;
    }
    let (from, to): (usize, usize) = (a.parse().ok()?, b.parse().ok()?);
    // What follows the message: nothing, an activation of the receiver, a deactivation of the
    // sender, or central-connection markers (no check reads them).
    let then = if rest.ends_with("msg: $$[$0] } ];")
        || rest.ends_with("msg: $$[$0] }];")
    {
        Then::Nothing
    } else if rest.ends_with(&format!(
        "{{ type: \"activeStart\", signalType: yy.LINETYPE.ACTIVE_START, actor: $$[$0 - {b}].actor }} ];"
    )) && !rest.contains("centralConnection")
    {
        Then::ActivateTo
    } else if rest.ends_with(&format!(
        "{{ type: \"activeEnd\", signalType: yy.LINETYPE.ACTIVE_END, actor: $$[$0 - {a}].actor }} ];"
    )) {
        Then::DeactivateFrom
    } else if rest.contains("centralConnection")
        && !rest.contains("activeStart")
        && !rest.contains("activeEnd")
    {
        Then::Nothing
    } else {
        return None;
    };
    only_calls(body, &["yy.LINETYPE."]).then_some(Handler::Message { from, to, then })
}

/// The state `apply` keeps that its checks read.
#[derive(Default)]
struct Db {
    actors: std::collections::HashSet<String>,
    activations: HashMap<String, i64>,
    last_created: Option<String>,
    last_destroyed: Option<String>,
}

impl Db {
    fn apply(&mut self, v: &Val) -> Result<(), Undecided> {
        let rejects = Err(Undecided("SequenceDB.apply rejects the diagram"));
        match v {
            Val::List(items) => {
                for item in items {
                    self.apply(item)?;
                }
            }
            Val::Actor { kind, name, config } => {
                if *config {
                    return Err(Undecided("participant shape data (js-yaml)"));
                }
                match kind {
                    ActorKind::Add => {
                        self.actors.insert(name.clone());
                    }
                    ActorKind::Create => {
                        if self.actors.contains(name) {
                            return rejects;
                        }
                        self.last_created = Some(name.clone());
                        self.actors.insert(name.clone());
                    }
                    ActorKind::Destroy => self.last_destroyed = Some(name.clone()),
                }
            }
            Val::Message { from, to } => {
                if let Some(created) = &self.last_created {
                    if to != created {
                        return rejects;
                    }
                    self.last_created = None;
                } else if let Some(destroyed) = &self.last_destroyed {
                    if to != destroyed && from != destroyed {
                        return rejects;
                    }
                    self.last_destroyed = None;
                }
            }
            Val::ActiveStart(name) => *self.activations.entry(name.clone()).or_default() += 1,
            Val::ActiveEnd(name) => {
                let open = self.activations.entry(name.clone()).or_default();
                if name.is_empty() || *open < 1 {
                    return rejects;
                }
                *open -= 1;
            }
            // `param.type` of undefined.
            Val::Undefined => return Err(Undecided("an undefined statement")),
            Val::Other | Val::Str(_) => {}
        }
        Ok(())
    }
}

/// The handler of each of the grammar's actions (`jison::handlers`).
pub struct Handlers(Vec<Handler>);

impl Handlers {
    pub fn of(action_bodies: &[String]) -> Handlers {
        Handlers(super::jison::handlers(
            action_bodies,
            handler,
            Handler::Mermaid,
        ))
    }
}

pub struct Sequence<'a> {
    handlers: &'a [Handler],
}

impl<'a> Sequence<'a> {
    pub fn new(handlers: &'a Handlers) -> Sequence<'a> {
        Sequence {
            handlers: &handlers.0,
        }
    }

    #[cfg(test)]
    pub fn unknown_actions(action_bodies: &[String]) -> Vec<String> {
        super::jison::unknown(action_bodies, handler)
    }
}

fn actor_name(v: &Val) -> Result<String, Undecided> {
    match v {
        Val::Actor { name, .. } => Ok(name.clone()),
        _ => Err(Undecided("an actor archsite did not follow")),
    }
}

fn string(v: &Val) -> Result<&str, Undecided> {
    match v {
        Val::Str(s) => Ok(s),
        _ => Err(Undecided("a string archsite did not follow")),
    }
}

impl Semantics for Sequence<'_> {
    type Value = Val;

    fn token(&mut self, yytext: &str) -> Val {
        Val::Str(yytext.to_string())
    }

    fn ends_parse(&self, p: usize) -> bool {
        self.handlers.get(p) == Some(&Handler::Apply)
    }

    fn reduce(&mut self, p: usize, rhs: &mut [Val]) -> Result<Val, Undecided> {
        let handler = self
            .handlers
            .get(p)
            .cloned()
            .ok_or(Undecided("a production archsite does not know"))?;
        let len = rhs.len();
        let idx = |k: usize| -> Result<usize, Undecided> {
            len.checked_sub(1 + k)
                .ok_or(Undecided("an action reads outside its production"))
        };
        Ok(match handler {
            Handler::Pure => Val::Other,
            Handler::Default => rhs.first().cloned().unwrap_or(Val::Undefined),
            Handler::Copy(k) => rhs[idx(k)?].clone(),
            Handler::EmptyList => Val::List(Vec::new()),
            Handler::Push => {
                let item = rhs[idx(0)?].clone();
                match &mut rhs[idx(1)?] {
                    Val::List(items) => {
                        items.push(item);
                        Val::List(std::mem::take(items))
                    }
                    _ => return Err(Undecided("a list archsite did not follow")),
                }
            }
            Handler::Block => {
                string(&rhs[idx(2)?])?;
                match std::mem::take(&mut rhs[idx(1)?]) {
                    Val::List(items) => {
                        let mut all = vec![Val::Other];
                        all.extend(items);
                        all.push(Val::Other);
                        Val::List(all)
                    }
                    _ => return Err(Undecided("a block archsite did not follow")),
                }
            }
            Handler::Continue => {
                string(&rhs[idx(1)?])?;
                let last = rhs[idx(0)?].clone();
                match &rhs[idx(3)?] {
                    Val::List(items) => {
                        let mut all = items.clone();
                        all.push(Val::Other);
                        all.push(last);
                        Val::List(all)
                    }
                    _ => return Err(Undecided("a block archsite did not follow")),
                }
            }
            Handler::Retype {
                at,
                kind,
                described,
            } => {
                if described {
                    string(&rhs[idx(1)?])?;
                }
                match &rhs[idx(at)?] {
                    Val::Actor { name, config, .. } => Val::Actor {
                        kind,
                        name: name.clone(),
                        config: *config,
                    },
                    _ => return Err(Undecided("an actor archsite did not follow")),
                }
            }
            Handler::NewActor => Val::Actor {
                kind: ActorKind::Add,
                name: string(&rhs[idx(0)?])?.to_string(),
                config: false,
            },
            Handler::NewActorWithConfig => Val::Actor {
                kind: ActorKind::Add,
                name: string(&rhs[idx(1)?])?.to_string(),
                config: true,
            },
            Handler::Trim(k) => {
                let k = if k == usize::MAX { 0 } else { k };
                string(&rhs[idx(k)?])?;
                Val::Other
            }
            Handler::ActorAndOther(k) => {
                let actor = rhs[idx(k)?].clone();
                match &actor {
                    Val::Actor { .. } => {}
                    Val::List(items) if items.iter().all(|i| matches!(i, Val::Actor { .. })) => {}
                    _ => return Err(Undecided("an actor archsite did not follow")),
                }
                Val::List(vec![actor, Val::Other])
            }
            Handler::Pair => Val::List(vec![rhs[idx(2)?].clone(), rhs[idx(0)?].clone()]),
            Handler::ActiveStart => Val::ActiveStart(actor_name(&rhs[idx(1)?])?),
            Handler::ActiveEnd => Val::ActiveEnd(actor_name(&rhs[idx(1)?])?),
            Handler::Message { from, to, then } => {
                let (a, b) = (rhs[idx(from)?].clone(), rhs[idx(to)?].clone());
                let (from_name, to_name) = (actor_name(&a)?, actor_name(&b)?);
                let mut items = vec![
                    a,
                    b,
                    Val::Message {
                        from: from_name.clone(),
                        to: to_name.clone(),
                    },
                ];
                match then {
                    Then::Nothing => {}
                    Then::ActivateTo => items.push(Val::ActiveStart(to_name)),
                    Then::DeactivateFrom => items.push(Val::ActiveEnd(from_name)),
                }
                Val::List(items)
            }
            Handler::Apply => {
                Db::default().apply(&rhs[idx(0)?])?;
                Val::Other
            }
            Handler::Mermaid => return Err(Undecided("an action that can reject the diagram")),
        })
    }

    fn lexer_asks(&mut self, _name: &str) -> Result<bool, Undecided> {
        Err(Undecided("a lexer question archsite does not know"))
    }
}
