import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { CONFIG_KEYS, configSchema, loadConfig } from '../../src/config/config.js';

/** Every environment variable the configuration schema reads, from the schema itself. */
export const SETTINGS: readonly string[] = CONFIG_KEYS;

/**
 * The default a setting's schema declares (`.default(x)` anywhere on its input side, through
 * pipes and transforms), as text as it would be written in the environment; undefined when the
 * schema declares none (the setting is optional, or its fallback is worked out in a transform).
 */
export function declaredDefault(key: string): string | undefined {
  const shape: Record<string, z.ZodType> = configSchema.in.shape;
  let type: z.ZodType | undefined = shape[key];
  if (type === undefined) throw new Error(`the configuration schema has no setting ${key}`);
  while (type instanceof z.ZodPipe) type = type.in as z.ZodType;
  return type instanceof z.ZodDefault ? String(type.def.defaultValue) : undefined;
}

/**
 * Why `value` is not the default the code applies for `key`, or null when it is. A declared
 * default must be written exactly; otherwise the value must either be empty (unset) or change
 * nothing when given alone (a fallback such as MQTT_RETAIN's `false`, applied in a transform).
 */
export function defaultMismatch(key: string, value: string): string | null {
  const declared = declaredDefault(key);
  if (declared !== undefined) return value === declared ? null : `"${value}", but the schema's default is "${declared}"`;
  if (value === '') return null;
  let config: unknown;
  try {
    config = loadConfig({ [key]: value });
  } catch (error) {
    return `"${value}", which the schema refuses (${(error as Error).message})`;
  }
  return isDeepStrictEqual(config, loadConfig({})) ? null : `"${value}", which configures something other than leaving ${key} unset`;
}
