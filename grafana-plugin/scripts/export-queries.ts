/**
 * Writes every PromQL expression of the app's pages to queries.json (name → expression), the file
 * the Go tests parse with promql/parser and run in e2e. Variable sources are included as
 * `variable.<name>` (the selector whose label values fill the variable).
 *
 * Usage: npm run export-queries   (a jest test fails when queries.json is stale)
 */
import fs from 'fs';
import path from 'path';
import { exportedQueries } from '../src/queriesExport';

const out = path.resolve(__dirname, '..', 'queries.json');
fs.writeFileSync(out, JSON.stringify(exportedQueries(), null, 2) + '\n');
console.log(`wrote ${Object.keys(exportedQueries()).length} expressions to ${path.relative(process.cwd(), out)}`);
