import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { cartKindSchema } from '../../crm/cart-kind.ts';
import { FIELD_TYPES, formKeySchema, parseSubmission } from '../../crm/form.ts';
import { FormRepository } from '../../db/forms.ts';
import { DEFAULT_TIME_ZONE } from '../../db/filter-sql.ts';
import { FormSubmissions, SUBMITS_PER_MINUTE } from '../../db/form-submissions.ts';
import { purchaseHistory } from '../../db/purchase-history.ts';
import { AppError, notFound } from '../errors.ts';
import { errorResponses, errorSchema, jsonBody } from '../openapi.ts';
import { language, liffAuth, liffBot, type LiffEnv } from './liff-auth.ts';
import { botParams } from './params.ts';

const localized = z.object({ ja: z.string(), en: z.string() });

const liffFormSchema = z
  .object({
    key: z.string(),
    title: localized,
    fields: z.array(
      z.object({
        key: z.string(),
        type: z.enum(FIELD_TYPES),
        label: localized,
        required: z.boolean(),
        maxLength: z.number().int().optional(),
      }),
    ),
    submitLabel: localized,
    afterSubmit: localized,
  })
  .openapi('LiffForm');

const outcomeSchema = z
  .union([
    z.object({
      outcome: z.literal('linked'),
      carts: z.array(
        z.object({ connectionId: z.string(), cart: cartKindSchema, name: z.string() }),
      ),
    }),
    z.object({
      outcome: z.literal('pending'),
      reason: z.object({ code: z.string(), message: localized }),
    }),
  ])
  .openapi('FormSubmitOutcome');

const submissionSchema = z.strictObject({
  /** Made by the client once per submit intent (a UUID): repeats get the stored outcome. */
  submissionId: z
    .string()
    .regex(/^[A-Za-z0-9-]{8,64}$/, 'must be a UUID made once per submit')
    .openapi({ example: '0b6f3c1e-6a4e-4f57-9a43-3f1a2a9f0c11' }),
  values: z
    .record(
      z.string().max(64),
      z.union([z.string().max(10_000, 'is too long'), z.boolean(), z.null()]),
    )
    .refine((v) => Object.keys(v).length <= 50, 'has too many fields'),
});

const historySchema = z
  .object({
    linked: z.boolean(),
    orders: z.array(
      z.object({
        id: z.string(),
        cart: cartKindSchema,
        orderedAt: z.string(),
        totalAmount: z.number(),
        currency: z.string(),
        items: z.array(z.object({ name: z.string(), quantity: z.number(), unitPrice: z.number() })),
        requestedDeliveryDate: z.string().nullable(),
        carrier: z.enum(['yamato', 'sagawa', 'japanpost']).nullable(),
        trackingUrl: z.string().nullable(),
      }),
    ),
  })
  .openapi('PurchaseHistory');

const formParams = botParams.extend({ formKey: formKeySchema });
const bearer = [{ liffIdToken: [] }];
const tooMany = {
  429: {
    description: 'Too many submits by this friend in a minute; `Retry-After` says when to retry',
    content: { 'application/json': { schema: errorSchema } },
  },
};
const unavailable = {
  503: {
    description: 'LINE could not be reached to verify the ID token',
    content: { 'application/json': { schema: errorSchema } },
  },
};

const routes = {
  form: createRoute({
    method: 'get',
    path: '/api/liff/{botId}/forms/{formKey}',
    summary: 'A form as the LIFF mini-app shows it (F2.1, F2.2)',
    request: { params: formParams },
    responses: {
      200: { description: 'The form', content: { 'application/json': { schema: liffFormSchema } } },
      ...errorResponses(400, 404),
    },
  }),
  submit: createRoute({
    method: 'post',
    path: '/api/liff/{botId}/forms/{formKey}/submissions',
    summary: 'Submit a form as the friend the LIFF ID token names; links the friend at once',
    description:
      'Send `Authorization: Bearer <liff.getIDToken()>`. 401 codes: missing_token, invalid_token, ' +
      'token_expired, wrong_channel. A repeated `submissionId` answers the stored outcome.',
    security: bearer,
    middleware: [liffAuth] as const,
    request: { params: formParams, body: jsonBody(submissionSchema) },
    responses: {
      200: { description: 'Outcome', content: { 'application/json': { schema: outcomeSchema } } },
      ...errorResponses(400, 401, 404, 409),
      ...tooMany,
      ...unavailable,
    },
  }),
  purchases: createRoute({
    method: 'get',
    path: '/api/liff/{botId}/purchases',
    summary:
      "The friend's orders of every linked cart: the last 3 months, newest 12 (F8.2); " +
      '`linked: false` when the friend has no link yet',
    security: bearer,
    middleware: [liffAuth] as const,
    request: { params: botParams },
    responses: {
      200: {
        description: 'Purchase history',
        content: { 'application/json': { schema: historySchema } },
      },
      ...errorResponses(400, 401, 404, 409),
      ...unavailable,
    },
  }),
};

/** Today in the shop's time zone: a birthday must lie before it. */
const todayIn = (timeZone: string, now: Date) =>
  new Intl.DateTimeFormat('en-CA', { timeZone }).format(now);

/** The API of the LIFF mini-apps (F8): no admin token, the LIFF ID token instead. */
export function liffRoutes() {
  return new OpenAPIHono<LiffEnv>()
    .openapi(routes.form, async (c) => {
      const { botId, formKey } = c.req.valid('param');
      await liffBot(c);
      const form = await new FormRepository(c.var.deps.db.kysely).get(botId, formKey);
      if (!form) throw notFound('form');
      const { tags: _tags, ...shown } = form;
      return c.json(shown, 200);
    })
    .openapi(routes.submit, async (c) => {
      const { botId, formKey } = c.req.valid('param');
      const { submissionId, values } = c.req.valid('json');
      const lineUserId = c.var.lineUserId;
      const db = c.var.deps.db.kysely;
      const submissions = new FormSubmissions(db, c.var.deps.timeZone);
      const form = await new FormRepository(db).get(botId, formKey);
      if (!form) throw notFound('form');

      const prior = await submissions.stored(botId, submissionId, lineUserId);
      if (prior?.kind === 'done') return c.json(prior.outcome, 200);
      if (prior?.kind === 'conflict') throw submissionConflict();
      const recent = await submissions.recent(botId, lineUserId);
      if (recent.count >= SUBMITS_PER_MINUTE) {
        c.header('Retry-After', String(recent.retryAfter));
        return c.json(
          new AppError(
            429,
            'too_many_submits',
            `at most ${SUBMITS_PER_MINUTE} submits a minute; retry in ${recent.retryAfter} s`,
          ).toJSON(),
          429,
        );
      }

      const parsed = parseSubmission(
        form,
        values,
        todayIn(c.var.deps.timeZone ?? DEFAULT_TIME_ZONE, new Date()),
      );
      if (!parsed.ok) {
        const lang = language(c);
        const fields = parsed.errors.map((e) => ({ field: e.field, message: e.message[lang] }));
        throw new AppError(
          400,
          'invalid_request',
          `${fields[0]!.field}: ${fields[0]!.message}`,
          fields,
        );
      }
      const result = await submissions.submit({
        botId,
        form,
        lineUserId,
        submissionId,
        values: parsed.values,
        identity: parsed.identity,
      });
      if (result.kind === 'conflict') throw submissionConflict();
      return c.json(result.outcome, 200);
    })
    .openapi(routes.purchases, async (c) => {
      const { botId } = c.req.valid('param');
      const history = await purchaseHistory(
        c.var.deps.db.kysely,
        botId,
        c.var.lineUserId,
        new Date(),
      );
      return c.json(
        {
          linked: history.linked,
          orders: history.orders.map((o) => ({ ...o, orderedAt: o.orderedAt.toISOString() })),
        },
        200,
      );
    });
}

const submissionConflict = () =>
  new AppError(409, 'submission_conflict', 'this submissionId was used by someone else', [
    { field: 'submissionId', message: 'is taken' },
  ]);
