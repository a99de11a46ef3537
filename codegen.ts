import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the dashboard's operations (`operations/*.graphql`), checked against the
 * checked-in contract `schema.graphql` (run `npm run schema` first when the Pothos schema changed).
 * `npm run codegen` rewrites test/generated/. The API tests execute these documents, so a schema
 * change that would break the dashboard fails the typecheck.
 */
export const codegenConfig: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['operations/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'test/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        // ESM under NodeNext: relative imports need the .js extension, and type-only imports.
        emitLegacyCommonJSImports: false,
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: {
          DateTime: { input: 'string', output: 'string' },
          Date: { input: 'string', output: 'string' },
        },
      },
    },
  },
};

export default codegenConfig;
