import { readFileSync } from 'node:fs';
import { buildSchema, Kind, parse, validate, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposer } from '../support/disposer.js';
import { startInProcessApi, type InProcessApi } from '../support/in-process.js';
import { seed, series, wib } from '../support/seed.js';
import { documentation, fences, ROOT, type Fence } from './markdown.js';

/** The public contract the examples are written against (a test keeps it equal to the Pothos schema). */
const schema = buildSchema(readFileSync(`${ROOT}schema.graphql`, 'utf8'));

interface Example {
  readonly where: string;
  readonly source: string;
  /** The ```json block right after the example, if any. */
  readonly variables: Fence | null;
}

const examples: Example[] = documentation().flatMap((file) =>
  fences(file.text)
    .filter((fence) => fence.info.split(/\s+/)[0] === 'graphql')
    .map((fence) => ({
      where: `${file.path}:${fence.line}`,
      source: fence.body,
      variables: fence.next && fence.next.info.split(/\s+/)[0] === 'json' ? fence.next : null,
    })),
);

function operationOf(document: DocumentNode): OperationDefinitionNode {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  expect(operations, 'one operation per example, so a reader can paste it as it is').toHaveLength(1);
  return operations[0]!;
}

/** Whether the example can run as written: a query or mutation whose required variables are given. */
function runnable(operation: OperationDefinitionNode, variables: Record<string, unknown>): boolean {
  if (operation.operation === 'subscription') return false;
  return (operation.variableDefinitions ?? []).every((v) => v.type.kind !== Kind.NON_NULL_TYPE || v.defaultValue !== undefined || v.variable.name.value in variables);
}

describe('GraphQL examples in README.md and docs/*.md', () => {
  const cleanup = disposer();
  let api: InProcessApi;

  beforeAll(async () => {
    api = await startInProcessApi(cleanup);
    // The panels and the month the examples name, with a day of readings, and one reading today.
    for (const [k, panelId] of ['PANEL_LANTAI_1', 'PANEL_LANTAI_2', 'PANEL_LANTAI_3'].entries()) {
      seed(api, series(panelId, wib('2026-03-01 08:00:00'), 12 * 60, { kwh0: 1_000 * (k + 1), kwhStep: 0.1, kw: 6 }));
      seed(api, [{ panelId, time: new Date(Date.now() - 60_000), kwh: 1_000 * (k + 1) + 100 }]);
    }
  });
  afterAll(() => cleanup.run());

  it('finds the examples (the parser works)', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
    expect(examples.filter((example) => example.variables !== null).length).toBeGreaterThanOrEqual(1);
    const run = examples.filter((example) => {
      const variables = example.variables ? (JSON.parse(example.variables.body) as Record<string, unknown>) : {};
      return runnable(operationOf(parse(example.source)), variables);
    });
    expect(run.length, 'examples run against the API').toBeGreaterThanOrEqual(5);
  });

  for (const example of examples) {
    it(`${example.where} is valid against schema.graphql, and runs without errors when it can`, async () => {
      const document = parse(example.source);
      expect(validate(schema, document).map((error) => error.message)).toEqual([]);
      const operation = operationOf(document);
      const variables = example.variables ? (JSON.parse(example.variables.body) as Record<string, unknown>) : {};
      if (!runnable(operation, variables)) return;
      const result = await api.request<unknown, Record<string, unknown>>(example.source, variables);
      expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
      expect(result.status).toBe(200);
      expect(result.data).toBeTruthy();
    });
  }

  it('can fail: an example naming a field the schema lacks is refused', () => {
    expect(validate(schema, parse('{ panels { nodes { id energy } } }')).map((error) => error.message)).toEqual([
      'Cannot query field "energy" on type "Panel".',
    ]);
  });
});
