import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from './schema.js';

/** The checked-in contract the dashboard builds against (`npm run schema` rewrites it). */
export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = fileURLToPath(new URL('../../schema.graphql', import.meta.url));
  writeFileSync(target, printedSchema());
  console.log(`wrote ${target}`);
}
