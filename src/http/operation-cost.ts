import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { HistoryService } from '../services/history-service.js';

/**
 * The most items a list field may hold, from its arguments (undefined: DEFAULT_LIST_SIZE); with
 * `work`, what a field walks to answer beyond the values it returns (the hours of history it
 * reads, the days it sums), counted at every place the field is resolved.
 */
export interface ListSize {
  (coordinate: string, args: Record<string, unknown>): number | undefined;
  readonly work?: (coordinate: string, args: Record<string, unknown>) => number;
}

/** Lists the model knows nothing about (summary blocks, tariff versions...) count this many items. */
export const DEFAULT_LIST_SIZE = 100;
/** `__schema` or `__type`: bounded by the schema, whatever is selected. */
export const INTROSPECTION_COST = 20_000;
/** The most points `readings` and `history` return (history-service.ts refuses more). */
export const MAX_POINTS = 5_000;

/**
 * The cost of an operation: every value its response may hold, each list counted at the most items
 * it can have (readings and history: 5,000 or the windows `every` gives; panels: the panels known),
 * plus the work each field does to answer (`ListSize.work`: a history from the year 2000 in yearly
 * windows returns 26 values but walks 230,000 hours). So 20 aliases of a 5,000-row history cost
 * 20 times one, unlike cost models that count each field once. Computed before execution, from
 * the document and the variables, in time linear in the document (fragments are expanded; the
 * token limit bounds the document).
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
  listSize: ListSize,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    else if (definition.kind === Kind.OPERATION_DEFINITION && (!operationName || definition.name?.value === operationName)) operation ??= definition;
  }
  if (!operation) return 0;
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;

  const costOf = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType, spreading: ReadonlySet<string>): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name === SchemaMetaFieldDef.name || name === TypeMetaFieldDef.name) {
          total += INTROSPECTION_COST;
          continue;
        }
        const field: GraphQLField<unknown, unknown> | undefined =
          name === TypeNameMetaFieldDef.name ? TypeNameMetaFieldDef : 'getFields' in parent ? parent.getFields()[name] : undefined;
        if (!field) continue; // validation reports it
        const type = getNamedType(field.type);
        const child = selection.selectionSet && isCompositeType(type) ? costOf(selection.selectionSet, type, spreading) : 0;
        const coordinate = `${parent.name}.${name}`;
        let args: Record<string, unknown> | undefined;
        const argsOf = (): Record<string, unknown> => {
          if (args) return args;
          try {
            args = getArgumentValues(field, selection, variables ?? undefined);
          } catch {
            // Bad arguments fail in execution with their own message; count the worst case.
            args = {};
          }
          return args;
        };
        let items = 1;
        // One factor per list level ([[X]] counts both).
        for (let t = getNullableType(field.type); isListType(t); t = getNullableType(t.ofType)) {
          items *= Math.max(0, listSize(coordinate, argsOf()) ?? DEFAULT_LIST_SIZE);
        }
        const work = listSize.work && field.args.length > 0 ? Math.max(0, listSize.work(coordinate, argsOf())) : 0;
        total += items * (1 + child) + work;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (on && isCompositeType(on)) total += costOf(selection.selectionSet, on, spreading);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || spreading.has(name)) continue; // cycles are a validation error
        const on = schema.getType(fragment.typeCondition.name.value);
        if (on && isCompositeType(on)) total += costOf(fragment.selectionSet, on, new Set([...spreading, name]));
      }
    }
    return total;
  };
  return costOf(operation.selectionSet, root, new Set());
}

/** Days walked by the summaries and bills (a day of every panel in scope each). */
const DAYS_WALKED: Readonly<Record<string, number>> = { yearlySummary: 366, monthlySummary: 31, monthlyBill: 31, currentBill: 31, peakDemand: 366, loadProfile: 366 };

/**
 * The list sizes of this schema: `panels` as many as are known, `readings` and `history` the
 * windows of `every` over the clamped range (5,000 at most, and for raw readings), a month's days,
 * a year's months. Their work: the hours `readings` and `history` walk (history-service.ts), the
 * days of a summary or bill.
 */
export function productListSizes(panelCount: () => number, history: Pick<HistoryService, 'plan' | 'work'>): ListSize {
  const size = (coordinate: string, args: Record<string, unknown>): number | undefined => {
    const field = coordinate.slice(coordinate.indexOf('.') + 1);
    switch (field) {
      case 'panels':
        return Math.max(1, panelCount());
      case 'readings':
      case 'history':
        return pointsOf(history, args);
      case 'days':
        return 31;
      case 'months':
        return 12;
      default:
        return undefined;
    }
  };
  const work = (coordinate: string, args: Record<string, unknown>): number => {
    const field = coordinate.slice(coordinate.indexOf('.') + 1);
    const { from, to, every } = args;
    if ((field === 'readings' || field === 'history') && from instanceof Date && to instanceof Date) {
      return history.work(from, to, typeof every === 'string' ? every : null, field === 'history');
    }
    return DAYS_WALKED[field] ?? 0;
  };
  return Object.assign(size, { work });
}

/** The windows a `readings` or `history` request answers (MAX_POINTS for raw readings, or when it is refused anyway). */
function pointsOf(history: Pick<HistoryService, 'plan'>, args: Record<string, unknown>): number {
  const { from, to, every } = args;
  if (typeof every !== 'string' || !(from instanceof Date) || !(to instanceof Date)) return MAX_POINTS;
  try {
    return history.plan(from, to, every).windows;
  } catch {
    return MAX_POINTS;
  }
}
