// Run by build.rs with Node on the readable parse-only bundle: writes (to stdout) the jison
// parsers mermaid itself uses for the diagram types archsite checks natively, as data —
// the LR table, productions, symbols, the lexer's rules and start conditions, and the source
// text of the lexer's and the grammar's actions — so that archsite can run mermaid's own
// grammars in Rust (src/diagram/mermaid/native/). Nothing here is written by hand: every table is
// read from the parser objects mermaid builds.
import fs from 'fs';
import vm from 'vm';

const bundle = process.argv[2];
vm.runInThisContext(fs.readFileSync(bundle, 'utf8'), { filename: bundle });
const mermaid = globalThis.__archsiteMermaid;

// A small valid diagram of each type, to make mermaid load that type's parser.
const SAMPLES = {
  'flowchart-v2': 'flowchart TD\n  A --> B\n',
  sequence: 'sequenceDiagram\n  A->>B: hi\n',
};

const out = {};
for (const [type, sample] of Object.entries(SAMPLES)) {
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(sample);
  if (diagram.type !== type) throw new Error(`${type}: the sample was taken for ${diagram.type}`);
  const wrapper = diagram.parser;
  const p = wrapper.parser;
  const lexer = p.lexer;
  out[type] = {
    symbols: p.symbols_,
    terminals: p.terminals_,
    productions: p.productions_.slice(1),
    table: p.table,
    defaultActions: p.defaultActions,
    actions: p.performAction.toString(),
    // The function mermaid calls: the jison parser's own `parse`, or a wrapper that changes the
    // text first (archsite checks that it knows what the wrapper does).
    entry: wrapper.parse === p.parse ? 'jison' : wrapper.parse.toString(),
    lexer: {
      rules: lexer.rules.map((r) => ({ source: r.source, flags: r.flags })),
      conditions: lexer.conditions,
      options: lexer.options || {},
      actions: lexer.performAction.toString(),
    },
  };
}
process.stdout.write(JSON.stringify(out));
