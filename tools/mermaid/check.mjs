// Reads diagrams separated by a line "%%--" from stdin and parses each with
// Mermaid's own parser (the one GitHub renders with). Prints "ok N" or the
// first parse error with the diagram's number, and exits 1 on an error.
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

let input = '';
for await (const chunk of process.stdin) input += chunk;
const diagrams = input.split('\n%%--\n').filter((d) => d.trim() !== '');
for (const [i, d] of diagrams.entries()) {
  try {
    await mermaid.parse(d);
  } catch (e) {
    console.log(`diagram ${i + 1}: ${e.message}\n${d}`);
    process.exit(1);
  }
}
console.log(`ok ${diagrams.length}`);
