import { getNamedType, isEnumType, isInterfaceType, isObjectType, type GraphQLField } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema.js';

/**
 * Issue 23 point 5, one meaning per name: every enum value is upper case like the rest, and every
 * number a client reads says its unit (or that it has none: a count, a ratio, a year), so a client
 * never guesses whether a figure is kW or W, percent or a fraction.
 */

/** Unit symbols, case-sensitive (`A` is amperes, "a" is an article). */
const UNIT_SYMBOL = /(?<![\w-])(kWh|kW|kVA|kVAr|kVArh|W|V|A|Hz|ms|IDR|kg CO2e|kg CO₂e|t CO2e\/MWh)(?![\w-])|%/;
/** Words that state a unit, or that a number is unitless (a count, a ratio, a calendar number, another field's unit). */
const UNIT_WORD = /\b(percent|seconds?|minutes?|hours?|days?|Rupiah|bytes?|unitless|a count|how many|ratio|calendar (year|month)|in the unit of)\b/i;

function statesUnit(description: string): boolean {
  return UNIT_SYMBOL.test(description) || UNIT_WORD.test(description);
}

function types() {
  return Object.values(schema.getTypeMap()).filter((type) => !type.name.startsWith('__'));
}

describe('schema conventions (issue 23 point 5)', () => {
  it('every enum value is upper case', () => {
    const lower = types()
      .filter(isEnumType)
      .flatMap((type) => type.getValues().filter((value) => !/^[A-Z][A-Z0-9_]*$/.test(value.name)).map((value) => `${type.name}.${value.name}`));
    expect(lower).toEqual([]);
  });

  it('every Float or Int field of an output type states its unit, or that it has none, in its description', () => {
    const unstated: string[] = [];
    for (const type of types()) {
      if (!isObjectType(type) && !isInterfaceType(type)) continue;
      for (const field of Object.values(type.getFields()) as GraphQLField<unknown, unknown>[]) {
        const named = getNamedType(field.type).name;
        if (named !== 'Float' && named !== 'Int') continue;
        if (!statesUnit(field.description ?? '')) unstated.push(`${type.name}.${field.name}: ${field.description ?? '(no description)'}`);
      }
    }
    expect(unstated).toEqual([]);
  });

  it('a unit-word check that accepts units and refuses a bare description', () => {
    expect(statesUnit('Average active power, kW (3 decimals).')).toBe(true);
    expect(statesUnit('Voltage unbalance, percent.')).toBe(true);
    expect(statesUnit('Current per phase, A.')).toBe(true);
    expect(statesUnit('The minimum, as a panel reports it.')).toBe(false);
    expect(statesUnit('The minimum.')).toBe(false);
  });
});
