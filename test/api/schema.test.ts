import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  isEnumType,
  isObjectType,
  type GraphQLNamedType,
  type IntrospectionQuery,
} from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { codegenConfig } from '../../codegen.js';
import { printedSchema } from '../../src/graphql/print-schema.js';
import { httpData } from '../support/graphql-client.js';
import { disposer } from '../support/disposer.js';
import { startTestApp } from '../support/test-app.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The schema block of issue 3, verbatim: the names the dashboard is built against. */
const CONTRACT = /* GraphQL */ `
scalar DateTime
scalar Date
type Query {
  panels(first: Int, after: String): PanelConnection  # every panel ever seen, sorted by id, page by page (issue 23)
  panel(id: ID!): Panel                   # null when unknown
  overview: Overview                      # building totals for the header cards (nullable: issue 23, failures stay local)
  monthlySummary(year: Int!, month: Int!, panelId: ID): MonthlySummary  # one row per day
  yearlySummary(year: Int!, panelId: ID): YearlySummary                 # one row per month
  tariff: Tariff
}
type Subscription {
  panelReading(panelId: ID): Reading!     # every stored reading, of one panel or all
  panelStatusChanged(panelId: ID): PanelStatusChange!
}
type Panel { id: ID! name: String! status: PanelStatus! lastSeenAt: DateTime
  latestReading: Reading todayUsage: Usage
  readings(from: DateTime!, to: DateTime!, every: String, first: Int, after: String): ReadingConnection }
type PageInfo { hasNextPage: Boolean! endCursor: String }   # issue 23: Relay connections
type PanelConnection { nodes: [Panel!]! pageInfo: PageInfo! totalCount: Int }
type ReadingConnection { nodes: [Reading!]! pageInfo: PageInfo! }
enum PanelStatus { ONLINE OFFLINE }
type Reading { panelId: ID! time: DateTime! voltage: PhaseValues! current: PhaseValues!
  activePowerKw: Float! apparentPowerKva: Float meterEnergyKwh: Float! powerFactor: Float
  voltageUnbalance: Float currentUnbalance: Float }
type PhaseValues { l1: Float l2: Float l3: Float average: Float }
type Usage { energyKwh: Float! cost: Money! }
type Money { amount: String! currency: Currency! }   # issue 23: amounts are exact decimal strings
enum Currency { IDR }
type Overview { panelCount: Int! onlineCount: Int! offlineCount: Int! todayUsage: Usage! }
type MonthlySummary { year: Int! month: Int! panelId: ID total: Usage! days: [DailyUsage!]! }
type DailyUsage { date: Date! energyKwh: Float! cost: Money! }
type YearlySummary { year: Int! panelId: ID total: Usage! months: [MonthlyUsage!]! }
type MonthlyUsage { month: Int! energyKwh: Float! cost: Money! }
type Tariff { ratePerKwh: Money! currency: Currency! timezone: String! }
type PanelStatusChange { panelId: ID! status: PanelStatus! at: DateTime! }
`;

/** Every `Type.field(arg: T): T` and enum value the contract names, as comparable strings. */
function signatures(type: GraphQLNamedType): string[] {
  if (isEnumType(type)) return type.getValues().map((value) => `${type.name}.${value.name}`);
  if (!isObjectType(type)) return [`scalar ${type.name}`];
  return Object.values(type.getFields()).flatMap((field) => [
    `${type.name}.${field.name}: ${String(field.type)}`,
    ...field.args.map((arg) => `${type.name}.${field.name}(${arg.name}: ${String(arg.type)})`),
  ]);
}

const disposers = disposer();
afterEach(() => disposers.run());

describe('schema contract', () => {
  it('serves every type, field, argument and enum value of issue 3 with exactly its type (introspection)', async () => {
    const api = disposers.use(await startTestApp(), (a) => a.stop({ removeData: true }));
    // Deprecated arguments too: a deprecated name is still served until it is removed (docs/api.md).
    const introspection = await httpData<IntrospectionQuery, Record<string, never>>(api.httpUrl, getIntrospectionQuery({ inputValueDeprecation: true }));
    const served = buildClientSchema(introspection);
    const contract = buildSchema(CONTRACT);

    const missing: string[] = [];
    for (const type of Object.values(contract.getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
      const live = served.getType(type.name);
      if (!live || live.constructor !== type.constructor) {
        missing.push(`type ${type.name}`);
        continue;
      }
      const have = new Set(signatures(live));
      for (const signature of signatures(type)) if (!have.has(signature)) missing.push(signature);
    }
    expect(missing, 'names or types that differ from the issue 3 contract').toEqual([]);
    expect(served.getQueryType()?.name).toBe('Query');
    expect(served.getSubscriptionType()?.name).toBe('Subscription');
  });

  it('schema.graphql is the printed Pothos schema', () => {
    const checkedIn = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(checkedIn === printedSchema(), 'schema.graphql is out of date: run `npm run schema` (then `npm run codegen`)').toBe(
      true,
    );
  });

  it('test/generated is what codegen makes of operations/*.graphql and schema.graphql', async () => {
    // Also proves every dashboard operation validates against the checked-in schema.
    const outputs = await generate({ ...codegenConfig, cwd: root, silent: true, errorsOnly: true }, false);
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs) {
      const file = output.filename.startsWith('/') ? output.filename : `${root}${output.filename}`;
      expect(readFileSync(file, 'utf8') === output.content, `${output.filename} is out of date: run \`npm run codegen\``).toBe(
        true,
      );
    }
  });
});
