import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import type { Context } from './context.js';

/** The builder's type parameters (for helpers that take a field builder). */
export interface BuilderTypes {
  Context: Context;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    Date: { Input: string; Output: string };
  };
  DefaultFieldNullability: false;
}

/** The one schema builder. Types live in ./types, one file per domain type. */
export const builder = new SchemaBuilder<BuilderTypes>({
  plugins: [DataloaderPlugin],
  defaultFieldNullability: false,
});

builder.queryType({});
builder.subscriptionType({});
