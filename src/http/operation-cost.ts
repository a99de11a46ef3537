import {
  getArgumentValues,
  getVariableValues,
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { MAX_PANELS_PAGE } from '../graphql/types/panel.js';
import { MAX_HISTORY_POINTS, type HistoryService, type PointsPage } from '../services/history-service.js';

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
/** The most points one page of `readings` and `history` returns (a larger `first` is refused). */
export const MAX_POINTS = MAX_HISTORY_POINTS;

/**
 * The cost of an operation: every value its response may hold, each list counted at the most items
 * it can have (a connection's page: its `first`, and readings and history at most the windows
 * `every` leaves; panels at most the panels known),
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
  // Arguments read as execution reads them: variables coerced by their types (a DateTime variable is
  // a Date here, as a literal is), so a range or a page given by variables costs what it walks.
  // Variables that do not coerce fail in execution with their own message; count the worst case.
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  const variableValues = coerced.coerced ?? {};

  // `page`: the items of a connection's `edges` and `nodes`, from the arguments of the field that answered it.
  const costOf = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType, spreading: ReadonlySet<string>, page?: number): number => {
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
        const coordinate = `${parent.name}.${name}`;
        let args: Record<string, unknown> | undefined;
        const argsOf = (): Record<string, unknown> => {
          if (args) return args;
          try {
            args = getArgumentValues(field, selection, variableValues);
          } catch {
            // Bad arguments fail in execution with their own message; count the worst case.
            args = {};
          }
          return args;
        };
        // A connection's page is the size its field's arguments give (`first`), counted at its edges and nodes.
        const connectionPage = isConnection(type) ? Math.max(0, listSize(coordinate, argsOf()) ?? firstOf(argsOf()) ?? DEFAULT_LIST_SIZE) : undefined;
        const child = selection.selectionSet && isCompositeType(type) ? costOf(selection.selectionSet, type, spreading, connectionPage) : 0;
        const pageItems = page !== undefined && (name === 'edges' || name === 'nodes') ? page : undefined;
        let items = 1;
        // One factor per list level ([[X]] counts both).
        for (let t = getNullableType(field.type); isListType(t); t = getNullableType(t.ofType)) {
          items *= Math.max(0, pageItems ?? listSize(coordinate, argsOf()) ?? DEFAULT_LIST_SIZE);
        }
        const work = listSize.work && field.args.length > 0 ? Math.max(0, listSize.work(coordinate, argsOf())) : 0;
        total += items * (1 + child) + work;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (on && isCompositeType(on)) total += costOf(selection.selectionSet, on, spreading, page);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || spreading.has(name)) continue; // cycles are a validation error
        const on = schema.getType(fragment.typeCondition.name.value);
        if (on && isCompositeType(on)) total += costOf(fragment.selectionSet, on, new Set([...spreading, name]), page);
      }
    }
    return total;
  };
  return costOf(operation.selectionSet, root, new Set());
}

/** A Relay connection (edges and pageInfo): its field's `first` sizes its page. */
function isConnection(type: GraphQLNamedType): boolean {
  return isObjectType(type) && 'edges' in type.getFields() && 'pageInfo' in type.getFields();
}

/** A connection's `first` when given (the field refuses one out of range anyway). */
function firstOf(args: Record<string, unknown>): number | undefined {
  return typeof args.first === 'number' ? args.first : undefined;
}

/** Days walked by the summaries and bills (a day of every panel in scope each). */
const DAYS_WALKED: Readonly<Record<string, number>> = { yearlySummary: 366, monthlySummary: 31, monthlyBill: 31, currentBill: 31, peakDemand: 366, loadProfile: 366 };

/**
 * The list sizes of this schema: a page of `panels` (its `first`, at most the panels known), a page
 * of `readings` and `history` (its `first`, or the windows of `every` left in the range), a month's
 * days, a year's months. Their work: the hours a page of `readings` or `history` walks
 * (history-service.ts), the days of a summary or bill.
 */
export function productListSizes(panelCount: () => number, history: Pick<HistoryService, 'plan' | 'pagePlan' | 'work'>): ListSize {
  const size = (coordinate: string, args: Record<string, unknown>): number | undefined => {
    const field = coordinate.slice(coordinate.indexOf('.') + 1);
    switch (field) {
      case 'panels':
        return Math.max(1, Math.min(panelCount(), firstOf(args) ?? MAX_PANELS_PAGE));
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
      return history.work(from, to, typeof every === 'string' ? every : null, field === 'history', pageOfArgs(args));
    }
    return DAYS_WALKED[field] ?? 0;
  };
  return Object.assign(size, { work });
}

/**
 * The page a `readings` or `history` request asks for: `first` (MAX_POINTS by default) and the
 * position of `after` (its cursor: `<list>|<ms>`, base64url; a cursor it cannot read counts as none).
 */
function pageOfArgs(args: Record<string, unknown>): PointsPage {
  const first = Math.min(MAX_POINTS, Math.max(0, firstOf(args) ?? MAX_POINTS));
  if (typeof args.after !== 'string') return { first, afterMs: null };
  const key = /\|(-?\d{1,16})$/.exec(Buffer.from(args.after, 'base64url').toString('utf8'));
  return { first, afterMs: key ? Number(key[1]) : null };
}

/** The points one page of a `readings` or `history` request answers (its `first` for raw readings, or when it is refused anyway). */
function pointsOf(history: Pick<HistoryService, 'plan' | 'pagePlan'>, args: Record<string, unknown>): number {
  const { from, to, every } = args;
  const page = pageOfArgs(args);
  if (typeof every !== 'string' || !(from instanceof Date) || !(to instanceof Date)) return page.first;
  try {
    return history.pagePlan(history.plan(from, to, every), page).windows;
  } catch {
    return page.first;
  }
}
