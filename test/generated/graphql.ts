// The dashboard's typed operations, as the page sends them: `npm run codegen` writes them to
// web/src/generated/ from operations/*.graphql. The API tests import them from here.
export * from '../../web/src/generated/graphql.js';
