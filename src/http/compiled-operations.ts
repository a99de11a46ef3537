import { useGraphQlJit } from '@envelop/graphql-jit';
import { getVariableValues, Kind, OperationTypeNode, type DocumentNode, type ExecutionArgs, type OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Runs queries and mutations compiled by graphql-jit into plain JavaScript (with a compiled
 * stringifier for the result): the dashboard's 100 panel cards and a 720-window history chart are
 * thousands of field resolutions per request, which the generic executor walks one by one.
 *
 * - One compiled plan per operation: the plugin keeps one per document whatever `operationName`
 *   asks for, and the page sends whole files of several operations (operations/*.graphql), so
 *   each operation is handed to it as a document of its own (that operation and the fragments).
 * - Variables only once they are known to be valid: graphql-jit replaces a scalar's own message
 *   for a bad variable with a generic one, and clients deserve to be told what is wrong, so those
 *   go to the generic executor.
 * - Never subscriptions: its subscribe drops literal arguments (`panelReading(panelId: "X")`
 *   streamed every panel), and their per-event execution is shared between sockets anyway.
 */
export function useCompiledOperations(): Plugin {
  const jit = useGraphQlJit();
  const onExecute = jit.onExecute!;
  const perOperation = new WeakMap<DocumentNode, Map<OperationDefinitionNode, DocumentNode>>();
  return {
    onExecute(payload) {
      const operation = compilableOperation(payload.args);
      if (operation === null) return undefined;
      const document = operationDocument(payload.args.document, operation, perOperation);
      return onExecute({
        ...payload,
        args: { ...payload.args, document },
        setExecuteFn: (execute) => payload.setExecuteFn((args) => execute({ ...args, document })),
      });
    },
  };
}

/** The operation to compile, or null: a subscription, an unknown name, or variables that do not coerce. */
function compilableOperation({ schema, document, operationName, variableValues }: ExecutionArgs): OperationDefinitionNode | null {
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operations.length === 1 ? operations[0] : operations.find((d) => d.name !== undefined && d.name.value === operationName);
  if (operation === undefined || operation.operation === OperationTypeNode.SUBSCRIPTION) return null;
  const definitions = operation.variableDefinitions ?? [];
  if (definitions.length > 0 && getVariableValues(schema, definitions, variableValues ?? {}, { maxErrors: 1 }).errors !== undefined) return null;
  return operation;
}

/** `operation` alone with the document's fragments, one object per operation (the compiled plan is kept per document object). */
function operationDocument(document: DocumentNode, operation: OperationDefinitionNode, cache: WeakMap<DocumentNode, Map<OperationDefinitionNode, DocumentNode>>): DocumentNode {
  if (document.definitions.every((d) => d === operation || d.kind !== Kind.OPERATION_DEFINITION)) return document;
  let byOperation = cache.get(document);
  if (byOperation === undefined) {
    byOperation = new Map();
    cache.set(document, byOperation);
  }
  let alone = byOperation.get(operation);
  if (alone === undefined) {
    alone = { ...document, definitions: document.definitions.filter((d) => d === operation || d.kind !== Kind.OPERATION_DEFINITION) };
    byOperation.set(operation, alone);
  }
  return alone;
}
