/**
 * `mount` checks each answer against its declared response: with the response's own `check` where
 * it has one (large answers), else with its zod schema; an answer that fails is a 500, not sent.
 */
import Fastify from 'fastify';
import { z } from 'zod';
import { mount, route, type MountOptions, type ResponseSpec } from '../../api/route';

const OPTIONS: MountOptions = {
  authenticator: {
    authenticate: async () => {
      throw new Error('public routes only');
    },
  },
  onRefused: async () => undefined,
};

const schema = z.object({ n: z.number() });

async function answer(response: ResponseSpec, body: unknown): Promise<number> {
  const app = Fastify({ logger: false });
  mount(
    app,
    [
      route({
        method: 'GET',
        url: '/x',
        summary: 'X',
        tag: 't',
        access: 'public',
        responses: { 200: response },
        handler: async () => ({ status: 200, body }),
      }),
    ],
    OPTIONS,
  );
  try {
    return (await app.inject({ method: 'GET', url: '/x' })).statusCode;
  } finally {
    await app.close();
  }
}

describe('the check of an answer', () => {
  it('uses the schema when the response has no check of its own', async () => {
    expect(await answer({ description: 'x', schema }, { n: 1 })).toBe(200);
    expect(await answer({ description: 'x', schema }, { n: 'one' })).toBe(500);
  });

  it('uses the response’s own check instead of the schema when it has one', async () => {
    const check = (body: unknown) => ((body as { n?: unknown }).n === 2 ? undefined : 'n: expected 2');
    expect(await answer({ description: 'x', schema, check }, { n: 2 })).toBe(200);
    // The check decides: it refuses what the schema would take …
    expect(await answer({ description: 'x', schema, check }, { n: 1 })).toBe(500);
  });
});
