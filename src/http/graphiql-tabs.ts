import { readdirSync, readFileSync } from 'node:fs';
import { Kind, parse, print, visit, type ASTNode, type FragmentDefinitionNode, type OperationDefinitionNode, type TypeNode } from 'graphql';
import { dateOfDayNumber, isoDate, type LocalTime } from '../time/local-time.js';

/** One GraphiQL tab: an operation and variables it runs with as they are. */
export interface GraphiqlTab {
  readonly query: string;
  readonly variables?: string;
}

/** What the example variables are made of: a panel that exists, and the site's calendar now. */
export interface ExampleContext {
  readonly panelId: string;
  readonly now: Date;
  readonly time: LocalTime;
}

/** The dashboard's operations (operations/*.graphql), the dashboard first. Empty when not shipped. */
export function loadOperationSources(dir: URL = new URL('../../operations/', import.meta.url)): string[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((file) => file.endsWith('.graphql'));
  } catch {
    return [];
  }
  return files
    .sort((a, b) => (a === 'dashboard.graphql' ? -1 : b === 'dashboard.graphql' ? 1 : a.localeCompare(b)))
    .map((file) => readFileSync(new URL(file, dir), 'utf8'));
}

/**
 * One tab per operation, each with example variables that work against this installation: the
 * first known panel, this local month and year, the last 24 hours. Optional variables are left out
 * (a panel-optional operation then shows the building). A tab runs on its own, so it carries the
 * fragments its operation uses, after the operation.
 */
export function operationTabs(sources: readonly string[], context: ExampleContext): GraphiqlTab[] {
  const definitions = sources.flatMap((source) => parse(source).definitions);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const tabs: GraphiqlTab[] = [];
  for (const definition of definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const variables = exampleVariables(definition, context);
    tabs.push({
      query: [definition, ...usedFragments(definition, fragments)].map((node) => print(node)).join('\n\n'),
      ...(Object.keys(variables).length > 0 ? { variables: JSON.stringify(variables, null, 2) } : {}),
    });
  }
  return tabs;
}

/**
 * The fragments `node` spreads, and those they spread in turn, each once. An unknown name is left
 * out: the server's answer in the tab then names it.
 */
function usedFragments(
  node: ASTNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  used = new Map<string, FragmentDefinitionNode>(),
): FragmentDefinitionNode[] {
  visit(node, {
    FragmentSpread(spread) {
      const fragment = fragments.get(spread.name.value);
      if (!fragment || used.has(fragment.name.value)) return;
      used.set(fragment.name.value, fragment);
      usedFragments(fragment, fragments, used);
    },
  });
  return [...used.values()];
}

function exampleVariables(operation: OperationDefinitionNode, context: ExampleContext): Record<string, unknown> {
  const today = context.time.dayNumber(context.now.getTime());
  const { year, month } = dateOfDayNumber(today);
  // A period of whole local days (Date variables): the last 7 days, today included.
  const days: Record<string, string> = { from: isoDate(today - 6), to: isoDate(today) };
  const to = new Date(Math.ceil(context.now.getTime() / 3_600_000) * 3_600_000);
  const byName: Record<string, unknown> = {
    id: context.panelId,
    panelId: context.panelId,
    year,
    month,
    from: new Date(to.getTime() - 24 * 3_600_000).toISOString(),
    to: to.toISOString(),
    every: '1h',
    limit: 20,
  };
  const input = EXAMPLE_INPUTS[operation.name?.value ?? '']?.(byName);
  if (input !== undefined) byName.input = input;
  const variables: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.type.kind !== Kind.NON_NULL_TYPE) continue;
    const name = definition.variable.name.value;
    variables[name] = namedType(definition.type) === 'Date' && name in days ? days[name] : name in byName ? byName[name] : fallback(definition.type);
  }
  return variables;
}

/**
 * A mutation's `input` as a tab shows it: one that works as it is (a download link for the last
 * 24 hours of the example panel), or one whose answer says what to put in (an alarm id: the
 * userErrors name it, nothing is acknowledged until a real id is pasted from OpenAlarms).
 */
const EXAMPLE_INPUTS: Readonly<Record<string, (known: Readonly<Record<string, unknown>>) => unknown>> = {
  CreateExportLink: ({ panelId, from, to }) => ({ kind: 'READINGS', format: 'CSV', panelId, from, to }),
  AcknowledgeAlarm: () => ({ id: 'an alarm id from the OpenAlarms tab', note: 'Checked on site' }),
};

function namedType(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}

/** A value of the right type for a required variable the examples do not know by name. */
function fallback(type: TypeNode): unknown {
  if (type.kind === Kind.NON_NULL_TYPE) return fallback(type.type);
  if (type.kind === Kind.LIST_TYPE) return [];
  switch (type.name.value) {
    case 'Int':
    case 'Float':
      return 1;
    case 'Boolean':
      return false;
    default:
      return '';
  }
}
