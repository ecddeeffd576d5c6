import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPlainValidWebhookBody, webhookBodySchema } from './line-events.ts';

/** Values near each field's edge: right types, wrong types, empty, too long, negative, missing. */
const anyScalar = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -5, max: 5 }),
  fc.double(),
  fc.constantFrom('', 'U1', 'a'.repeat(100), 'a'.repeat(101)),
);
const field = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: anyScalar });

const event = fc.record(
  {
    type: field(fc.constantFrom('message', 'follow', '')),
    webhookEventId: field(fc.constantFrom('', 'E1', 'a'.repeat(100), 'a'.repeat(101))),
    timestamp: field(fc.oneof(fc.nat(), fc.constant(1.5), fc.constant(-1), fc.constant(2 ** 60))),
    mode: field(fc.constant('active')),
    replyToken: field(fc.constant('r')),
    deliveryContext: field(fc.record({ isRedelivery: field(fc.boolean()) }, { requiredKeys: [] })),
    source: field(
      fc.record(
        { type: field(fc.constantFrom('user', 'group')), userId: field(fc.constant('U1')) },
        { requiredKeys: [] },
      ),
    ),
    message: fc.constant({ id: '1', type: 'text', text: 'x' }),
  },
  { requiredKeys: ['type', 'webhookEventId', 'timestamp'] },
);

const body = fc.record(
  {
    destination: field(fc.constant('Ubot')),
    events: field(fc.array(field(event as fc.Arbitrary<unknown>), { maxLength: 4 })),
  },
  { requiredKeys: [] },
);

describe('isPlainValidWebhookBody', () => {
  it('accepts only bodies the schema accepts, and accepts what LINE sends', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(body, anyScalar, fc.array(anyScalar)), (candidate) => {
        const fast = isPlainValidWebhookBody(candidate);
        const schema = webhookBodySchema.safeParse(candidate).success;
        if (fast) accepted += 1;
        // Never more lenient than the schema; for these shapes, exactly as strict.
        expect(fast).toBe(schema);
      }),
      { numRuns: 5000 },
    );
    // The generator reaches both answers often enough to mean something.
    expect(accepted).toBeGreaterThan(100);
  });

  it('refuses more than 1,000 events, as the schema does', () => {
    const events = Array.from({ length: 1001 }, (_, i) => ({
      type: 'follow',
      webhookEventId: `E${i}`,
      timestamp: 1,
    }));
    const candidate = { destination: 'U', events };
    expect(isPlainValidWebhookBody(candidate)).toBe(false);
    expect(webhookBodySchema.safeParse(candidate).success).toBe(false);
    expect(isPlainValidWebhookBody({ destination: 'U', events: events.slice(1) })).toBe(true);
  });
});
