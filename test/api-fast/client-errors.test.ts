import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/config/logger.js';
import { maskClientError } from '../../src/http/client-errors.js';
import { EnergyNotReadyError } from '../../src/services/energy/energy-service.js';
import { UserInputError } from '../../src/services/user-input-error.js';

/** What the client is told, for each kind of failure a resolver can raise (as graphql wraps it). */
describe('client errors', () => {
  const mask = maskClientError(silentLogger);
  const raised = (cause: Error) => new GraphQLError(cause.message, { originalError: cause, path: ['panel', 'todayUsage'] });

  it('figures still being computed: SERVICE_UNAVAILABLE, retryable, with the reason and where', () => {
    const answer = mask(raised(new EnergyNotReadyError(['PANEL_A', 'PANEL_B'])), 'Unexpected error.') as GraphQLError;
    expect(answer.message).toMatch(/still being computed for 2 panel\(s\).*try again shortly/);
    expect(answer.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', reason: 'ENERGY_NOT_READY', retryable: true, retryAfterSeconds: 2 });
    expect(answer.path).toEqual(['panel', 'todayUsage']);
  });

  it('a request the client can fix: BAD_USER_INPUT with its reason, details and message', () => {
    const answer = mask(raised(new UserInputError('RANGE_TOO_LARGE', 'more than 5000 raw readings', { maximum: 5_000 })), 'Unexpected error.') as GraphQLError;
    expect(answer.extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'RANGE_TOO_LARGE', maximum: 5_000 });
    expect(answer.message).toBe('more than 5000 raw readings');
  });

  it('anything else: INTERNAL_SERVER_ERROR with the generic message, nothing of the cause', () => {
    const answer = mask(raised(new Error('SQLITE_CORRUPT at /var/lib/energy/readings.sqlite')), 'Unexpected error.') as GraphQLError;
    expect(answer.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(answer.message).toBe('Unexpected error.');
  });
});
