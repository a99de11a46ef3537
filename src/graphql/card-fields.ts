import {
  getNamedType,
  isObjectType,
  Kind,
  OperationTypeNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * The fields of the panel cards and the building header whose answers are computed only from what
 * `PanelService.cardsStamp` covers (panels and their newest readings, the energy ledger, the admin
 * record, statuses and today), so that an answer made of nothing else may be shared by callers who
 * see the same panels with the same role until the stamp changes (http/shared-answers.ts).
 *
 * A field belongs here only when that is true of it: nothing read from the store, nothing that
 * depends on the caller beyond role and panels, nothing that changes with the clock except
 * statuses and today. Anything else (history, summaries, bills, alarms, `caller`) is answered
 * afresh every time.
 */
const CARD_TYPES: Readonly<Record<string, Readonly<Record<string, readonly string[]>> | 'every field'>> = {
  Query: { site: [], panels: ['first', 'after', 'status', 'search', 'includeHidden'] },
  Site: { id: [], overview: [], tariff: [], currency: [], timezone: [] },
  Tariff: { ratePerKwh: [], currency: [], timezone: [] },
  Panel: { id: [], panelId: [], name: [], status: [], firstSeenAt: [], lastSeenAt: [], latestReading: [], todayUsage: [] },
  Overview: 'every field',
  Usage: { energyKwh: [], cost: [], blocks: [] },
  BlockUsage: 'every field',
  Money: 'every field',
  Reading: 'every field',
  PhaseValues: 'every field',
  PanelConnection: 'every field',
  PanelEdge: 'every field',
  PageInfo: 'every field',
};

/**
 * The schema coordinates listed (`Type.field`); throws when the list names a type or field the
 * schema does not have, so that a renamed field stops the start instead of quietly not sharing.
 */
export function cardFieldCoordinates(schema: GraphQLSchema): string[] {
  return Object.entries(CARD_TYPES).flatMap(([typeName, fields]) => {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) throw new Error(`card-fields.ts names ${typeName}, which is not an object type of the schema`);
    const names = fields === 'every field' ? Object.keys(type.getFields()) : Object.keys(fields);
    const missing = names.filter((field) => type.getFields()[field] === undefined);
    if (missing.length > 0) throw new Error(`card-fields.ts names ${missing.map((field) => `${typeName}.${field}`).join(', ')}, not in the schema`);
    return names.map((field) => `${typeName}.${field}`);
  });
}

/** The arguments a card field may be given, or null when the field is not one. */
function allowedArguments(type: GraphQLObjectType, field: string): readonly string[] | null {
  const fields = CARD_TYPES[type.name];
  if (fields === undefined) return null;
  const def = type.getFields()[field];
  if (def === undefined) return null;
  return fields === 'every field' ? def.args.map((arg) => arg.name) : (fields[field] ?? null);
}

/**
 * Whether `operation` is a query without variables that selects card fields only (with their
 * allowed literal arguments, no directive but @include and @skip, no abstract types).
 */
export function selectsCardFieldsOnly(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): boolean {
  if (operation.operation !== OperationTypeNode.QUERY || (operation.variableDefinitions?.length ?? 0) > 0) return false;
  const query = schema.getQueryType();
  if (!query) return false;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const plainDirectives = (node: { readonly directives?: ReadonlyArray<{ readonly name: { readonly value: string } }> }) =>
    (node.directives ?? []).every((d) => d.name.value === 'include' || d.name.value === 'skip');

  const check = (type: GraphQLObjectType, set: SelectionSetNode, spread: ReadonlySet<string>): boolean =>
    set.selections.every((selection) => {
      if (!plainDirectives(selection)) return false;
      switch (selection.kind) {
        case Kind.FIELD: {
          const name = selection.name.value;
          if (name === '__typename') return true;
          const allowed = allowedArguments(type, name);
          if (allowed === null || !(selection.arguments ?? []).every((arg) => allowed.includes(arg.name.value))) return false;
          if (!selection.selectionSet) return true;
          const named = getNamedType(type.getFields()[name]!.type);
          return isObjectType(named) && check(named, selection.selectionSet, spread);
        }
        case Kind.INLINE_FRAGMENT:
          return (selection.typeCondition === undefined || selection.typeCondition.name.value === type.name) && check(type, selection.selectionSet, spread);
        case Kind.FRAGMENT_SPREAD: {
          const fragment = fragments.get(selection.name.value);
          if (!fragment || fragment.typeCondition.name.value !== type.name || spread.has(fragment.name.value)) return false;
          return check(type, fragment.selectionSet, new Set([...spread, fragment.name.value]));
        }
      }
    });
  return check(query, operation.selectionSet, new Set());
}
