import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the dashboard's operations (`operations/*.graphql`), checked against the
 * checked-in contract `schema.graphql` (run `npm run schema` first when the Pothos schema changed).
 * `npm run codegen` rewrites web/src/generated/ (checked in). The page sends these documents, and
 * the API tests execute the same ones (test/generated/ re-exports them), so a schema change that
 * would break the dashboard fails the typecheck.
 */
export const codegenConfig: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['operations/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'web/src/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        // Read by the page's bundler and by Node (the tests) alike: ESM with .js extensions under
        // NodeNext, and type-only imports.
        emitLegacyCommonJSImports: false,
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: {
          DateTime: { input: 'string', output: 'string' },
          Date: { input: 'string', output: 'string' },
        },
        // Only what the operations select; the schema's own types are in schema.graphql.
        onlyOperationTypes: true,
        // A nullable field an operation selects is always in the answer, as null when empty.
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
      },
    },
  },
};

export default codegenConfig;
