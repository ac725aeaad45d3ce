// Writes docs/diagnostics.md from the diagnostic catalogues. Run: npm run docs
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { diagnosticsMarkdown } from '../src/cli/catalogue.js';

const out = fileURLToPath(new URL('../docs/diagnostics.md', import.meta.url));
writeFileSync(out, diagnosticsMarkdown());
console.log(`docs: wrote ${out}`);
