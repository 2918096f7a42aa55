//! What mermaid's flowchart grammar actions (and the `FlowDB` methods they call) do, as far as
//! a verdict depends on it. Read from mermaid 11's `flowDb.ts`, the actions can reject a
//! flowchart that parsed in these ways only, each handled here:
//!
//! - `addSingleLink` throws past `maxEdges` (500, a secure setting a diagram cannot change):
//!   the edges are counted (each `A & B --> C & D` adds |start| × |end|).
//! - `linkStyle N …` and `linkStyle N interpolate …` index `edges[N]` with the token's text: an
//!   index that is not a canonical array index below the edge count throws a TypeError.
//! - `subgraph` with no name calls `addSubGraph(undefined, …)`: a TypeError.
//! - shape data (`A@{ … }`) goes through js-yaml and shape checks, and `click … href` links
//!   through `decodeURI`: both can throw, so a flowchart using them is left to mermaid.
//!
//! Every other action only records what the renderer needs. Each action is recognised by its
//! source text (as extracted from the bundle); an action not listed here is `Undecided`, so a
//! new mermaid version can make archsite slower, never wrong.

use super::jison::{Semantics, Undecided};

/// mermaid's default `maxEdges`.
const MAX_EDGES: usize = 500;

#[derive(Debug, Clone, Default)]
pub enum Val {
    /// A value whose content no check reads.
    #[default]
    Other,
    Str(String),
    List(Vec<Val>),
    /// A vertex statement: `{ stmt: nodes of the last group, nodes: all nodes }`.
    Statement {
        stmt: Box<Val>,
        nodes: Box<Val>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Handler {
    /// The action's value is irrelevant to every check and it cannot throw.
    Pure,
    /// `this.$ = $$[$0 - k];`
    Copy(usize),
    /// `this.$ = [$$[$0]];`
    ListOfLast,
    /// `$$[$0 - 2].push($$[$0]); this.$ = $$[$0 - 2];`
    PushInto,
    /// `this.$ = $$[$0 - 4].concat($$[$0]);`
    ConcatNodes,
    /// `this.$ = { stmt: $$[$0 - k], nodes: $$[$0 - k] };`
    Statement(usize),
    /// `yy.addLink($$[$0 - a].stmt, $$[$0 - b], …); this.$ = { stmt: $$[$0 - b], nodes: … }`
    AddLink { from: usize, to: usize },
    /// `yy.updateLink…(positions at $$[$0 - k], …)`, the positions a one-element list when
    /// `single`.
    LinkStyle { at: usize, single: bool },
    /// Mermaid must decide (the action can throw).
    Mermaid,
}

/// The handler of an action, by its source text.
fn handler(body: &str) -> Option<Handler> {
    use Handler::*;
    let known: &[(&str, Handler)] = &[
        ("", Copy(usize::MAX)),
        ("this.$ = [];", Pure),
        ("this.$ = $$[$0];", Copy(0)),
        ("this.$ = $$[$0 - 1];", Copy(1)),
        ("this.$ = $$[$0 - 1].nodes;", Pure),
        (
            "if (!Array.isArray($$[$0]) || $$[$0].length > 0) { $$[$0 - 1].push($$[$0]); } this.$ = $$[$0 - 1];",
            Pure,
        ),
        ("yy.setDirection(\"TB\"); this.$ = \"TB\";", Pure),
        ("yy.setDirection($$[$0 - 1]); this.$ = $$[$0 - 1];", Pure),
        ("this.$ = yy.addSubGraph($$[$0 - 6], $$[$0 - 1], $$[$0 - 4]);", Pure),
        ("this.$ = yy.addSubGraph($$[$0 - 3], $$[$0 - 1], $$[$0 - 3]);", Pure),
        ("this.$ = yy.addSubGraph(void 0, $$[$0 - 1], void 0);", Mermaid),
        ("this.$ = $$[$0].trim(); yy.setAccTitle(this.$);", Pure),
        ("this.$ = $$[$0].trim(); yy.setAccDescription(this.$);", Pure),
        ("this.$ = $$[$0 - 1] + $$[$0];", Pure),
        (
            "yy.addLink($$[$0 - 2].stmt, $$[$0], $$[$0 - 1]); this.$ = { stmt: $$[$0], nodes: $$[$0].concat($$[$0 - 2].nodes) };",
            AddLink { from: 2, to: 0 },
        ),
        (
            "yy.addLink($$[$0 - 3].stmt, $$[$0 - 1], $$[$0 - 2]); this.$ = { stmt: $$[$0 - 1], nodes: $$[$0 - 1].concat($$[$0 - 3].nodes) };",
            AddLink { from: 3, to: 1 },
        ),
        ("this.$ = { stmt: $$[$0 - 1], nodes: $$[$0 - 1] };", Statement(1)),
        ("this.$ = { stmt: $$[$0], nodes: $$[$0] };", Statement(0)),
        ("this.$ = [$$[$0]];", ListOfLast),
        ("this.$ = $$[$0 - 4].concat($$[$0]);", ConcatNodes),
        ("this.$ = $$[$0 - 2]; yy.setClass($$[$0 - 2], $$[$0]);", Copy(2)),
        ("this.$ = $$[$0]; yy.addVertex($$[$0]);", Copy(0)),
        ("$$[$0 - 1].text = $$[$0]; this.$ = $$[$0 - 1];", Pure),
        ("$$[$0 - 2].text = $$[$0 - 1]; this.$ = $$[$0 - 2];", Pure),
        (
            "var inf = yy.destructLink($$[$0], $$[$0 - 2]); this.$ = { \"type\": inf.type, \"stroke\": inf.stroke, \"length\": inf.length, \"text\": $$[$0 - 1] };",
            Pure,
        ),
        (
            "var inf = yy.destructLink($$[$0], $$[$0 - 2]); this.$ = { \"type\": inf.type, \"stroke\": inf.stroke, \"length\": inf.length, \"text\": $$[$0 - 1], \"id\": $$[$0 - 3] };",
            Pure,
        ),
        ("this.$ = { text: $$[$0], type: \"text\" };", Pure),
        ("this.$ = { text: $$[$0 - 1].text + \"\" + $$[$0], type: $$[$0 - 1].type };", Pure),
        ("this.$ = { text: $$[$0], type: \"string\" };", Pure),
        ("this.$ = { text: $$[$0], type: \"markdown\" };", Pure),
        (
            "var inf = yy.destructLink($$[$0]); this.$ = { \"type\": inf.type, \"stroke\": inf.stroke, \"length\": inf.length };",
            Pure,
        ),
        (
            "var inf = yy.destructLink($$[$0]); this.$ = { \"type\": inf.type, \"stroke\": inf.stroke, \"length\": inf.length, \"id\": $$[$0 - 1] };",
            Pure,
        ),
        ("this.$ = $$[$0 - 4]; yy.addClass($$[$0 - 2], $$[$0]);", Pure),
        ("this.$ = $$[$0 - 4]; yy.setClass($$[$0 - 2], $$[$0]);", Pure),
        ("this.$ = $$[$0 - 1]; yy.setClickEvent($$[$0 - 1], $$[$0]);", Pure),
        (
            "this.$ = $$[$0 - 3]; yy.setClickEvent($$[$0 - 3], $$[$0 - 2]); yy.setTooltip($$[$0 - 3], $$[$0]);",
            Pure,
        ),
        ("this.$ = $$[$0 - 2]; yy.setClickEvent($$[$0 - 2], $$[$0 - 1], $$[$0]);", Pure),
        (
            "this.$ = $$[$0 - 4]; yy.setClickEvent($$[$0 - 4], $$[$0 - 3], $$[$0 - 2]); yy.setTooltip($$[$0 - 4], $$[$0]);",
            Pure,
        ),
        ("this.$ = $$[$0 - 4]; yy.addVertex($$[$0 - 2], void 0, void 0, $$[$0]);", Pure),
        ("this.$ = $$[$0 - 4]; yy.updateLink([$$[$0 - 2]], $$[$0]);", LinkStyle { at: 2, single: true }),
        ("this.$ = $$[$0 - 4]; yy.updateLink($$[$0 - 2], $$[$0]);", LinkStyle { at: 2, single: false }),
        (
            "this.$ = $$[$0 - 8]; yy.updateLinkInterpolate([$$[$0 - 6]], $$[$0 - 2]); yy.updateLink([$$[$0 - 6]], $$[$0]);",
            LinkStyle { at: 6, single: true },
        ),
        (
            "this.$ = $$[$0 - 8]; yy.updateLinkInterpolate($$[$0 - 6], $$[$0 - 2]); yy.updateLink($$[$0 - 6], $$[$0]);",
            LinkStyle { at: 6, single: false },
        ),
        ("this.$ = $$[$0 - 6]; yy.updateLinkInterpolate([$$[$0 - 4]], $$[$0]);", LinkStyle { at: 4, single: true }),
        ("this.$ = $$[$0 - 6]; yy.updateLinkInterpolate($$[$0 - 4], $$[$0]);", LinkStyle { at: 4, single: false }),
        ("$$[$0 - 2].push($$[$0]); this.$ = $$[$0 - 2];", PushInto),
        ("this.$ = $$[$0 - 1] + \"\" + $$[$0];", Pure),
        ("this.$ = { stmt: \"dir\", value: \"TB\" };", Pure),
        ("this.$ = { stmt: \"dir\", value: \"BT\" };", Pure),
        ("this.$ = { stmt: \"dir\", value: \"RL\" };", Pure),
        ("this.$ = { stmt: \"dir\", value: \"LR\" };", Pure),
        ("this.$ = { stmt: \"dir\", value: \"TD\" };", Pure),
    ];
    // Vertex shapes: `this.$ = $$[$0 - k]; yy.addVertex($$[$0 - k], $$[$0 - j], "shape");`, and
    // the `rect` with properties (`A[|borders:lt|text]`, through `Object.fromEntries`).
    if let Some(k) = vertex_shape(body) {
        return Some(Copy(k));
    }
    known.iter().find(|(b, _)| *b == body).map(|(_, h)| *h)
}

fn vertex_shape(body: &str) -> Option<usize> {
    let rest = body.strip_prefix("this.$ = $$[$0 - ")?;
    let (k, rest) = rest.split_once("]; yy.addVertex($$[$0 - ")?;
    let (k2, rest) = rest.split_once("], $$[$0 - ")?;
    let (_, call) = rest.split_once("], \"")?;
    let plain = call
        .strip_suffix("\");")
        .is_some_and(|shape| shape.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
    let props =
        call == "rect\", void 0, void 0, void 0, Object.fromEntries([[$$[$0 - 5], $$[$0 - 3]]]));";
    (k == k2 && (plain || props))
        .then(|| k.parse().ok())
        .flatten()
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

pub struct Flowchart<'a> {
    handlers: &'a [Handler],
    edges: usize,
    first_graph: bool,
}

impl<'a> Flowchart<'a> {
    /// A fresh database over the grammar's actions.
    pub fn new(handlers: &'a Handlers) -> Flowchart<'a> {
        Flowchart {
            handlers: &handlers.0,
            edges: 0,
            first_graph: true,
        }
    }

    /// Every action of the grammar is one archsite knows (the tests hold this for the bundled
    /// mermaid; another version may add ones it does not, which are then left to mermaid).
    #[cfg(test)]
    pub fn unknown_actions(action_bodies: &[String]) -> Vec<String> {
        super::jison::unknown(action_bodies, handler)
    }
}

fn nodes_len(v: &Val) -> Result<usize, Undecided> {
    match v {
        Val::List(items) => Ok(items.len()),
        _ => Err(Undecided("a node list archsite did not follow")),
    }
}

/// `edges[pos]` exists: `pos` (a token's text) is "default" or a canonical array index below the
/// edge count.
fn link_index_ok(pos: &Val, edges: usize) -> bool {
    match pos {
        Val::Str(s) if s == "default" => true,
        Val::Str(s) => {
            let canonical = !s.is_empty()
                && s.len() < 10
                && s.bytes().all(|b| b.is_ascii_digit())
                && (s == "0" || !s.starts_with('0'));
            canonical && s.parse::<usize>().is_ok_and(|i| i < edges)
        }
        _ => false,
    }
}

impl Semantics for Flowchart<'_> {
    type Value = Val;

    fn token(&mut self, yytext: &str) -> Val {
        Val::Str(yytext.to_string())
    }

    fn reduce(&mut self, p: usize, rhs: &mut [Val]) -> Result<Val, Undecided> {
        let handler = self
            .handlers
            .get(p)
            .copied()
            .ok_or(Undecided("a production archsite does not know"))?;
        let len = rhs.len();
        // `$$[$0 - k]`
        let at = |k: usize| -> Result<&Val, Undecided> {
            len.checked_sub(1 + k)
                .map(|i| &rhs[i])
                .ok_or(Undecided("an action reads outside its production"))
        };
        Ok(match handler {
            Handler::Pure => Val::Other,
            // No action: jison's default `$$ = $1` (undefined for an empty production).
            Handler::Copy(usize::MAX) => rhs.first().cloned().unwrap_or_default(),
            Handler::Copy(k) => at(k)?.clone(),
            Handler::ListOfLast => Val::List(vec![at(0)?.clone()]),
            Handler::PushInto => {
                let item = at(0)?.clone();
                match rhs.get_mut(len.wrapping_sub(3)) {
                    Some(Val::List(items)) => {
                        items.push(item);
                        Val::List(std::mem::take(items))
                    }
                    _ => return Err(Undecided("a list archsite did not follow")),
                }
            }
            Handler::ConcatNodes => {
                let (list, last) = (at(4)?, at(0)?);
                match (list, last) {
                    (Val::List(items), Val::Str(_)) => {
                        let mut items = items.clone();
                        items.push(last.clone());
                        Val::List(items)
                    }
                    _ => return Err(Undecided("a node list archsite did not follow")),
                }
            }
            Handler::Statement(k) => {
                let nodes = at(k)?.clone();
                nodes_len(&nodes)?;
                Val::Statement {
                    stmt: Box::new(nodes.clone()),
                    nodes: Box::new(nodes),
                }
            }
            Handler::AddLink { from, to } => {
                let (Val::Statement { stmt, nodes }, end) = (at(from)?, at(to)?) else {
                    return Err(Undecided("a vertex statement archsite did not follow"));
                };
                let (starts, ends) = (nodes_len(stmt)?, nodes_len(end)?);
                self.edges += starts * ends;
                if self.edges > MAX_EDGES {
                    return Err(Undecided("more edges than mermaid allows"));
                }
                let mut all = match end {
                    Val::List(items) => items.clone(),
                    _ => unreachable!("checked by nodes_len"),
                };
                match nodes.as_ref() {
                    Val::List(items) => all.extend(items.iter().cloned()),
                    _ => return Err(Undecided("a node list archsite did not follow")),
                }
                Val::Statement {
                    stmt: Box::new(end.clone()),
                    nodes: Box::new(Val::List(all)),
                }
            }
            Handler::LinkStyle { at: k, single } => {
                let positions = at(k)?;
                let ok = if single {
                    link_index_ok(positions, self.edges)
                } else {
                    match positions {
                        Val::List(items) => items.iter().all(|p| link_index_ok(p, self.edges)),
                        _ => false,
                    }
                };
                if !ok {
                    return Err(Undecided("a linkStyle index mermaid may reject"));
                }
                Val::Other
            }
            Handler::Mermaid => return Err(Undecided("an action that can reject the diagram")),
        })
    }

    fn lexer_asks(&mut self, name: &str) -> Result<bool, Undecided> {
        match name {
            // `FlowDB.firstGraph()`: true once per diagram.
            "firstGraph" => Ok(std::mem::replace(&mut self.first_graph, false)),
            _ => Err(Undecided("a lexer question archsite does not know")),
        }
    }
}
