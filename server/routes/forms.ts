import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { formDefinitionSchema, formKeySchema } from '../../crm/form.ts';
import { FormRepository } from '../../db/forms.ts';
import type { AppEnv } from '../app.ts';
import { AppError, notFound } from '../errors.ts';
import { errorResponses, jsonBody } from '../openapi.ts';
import { botParams, requireBot } from './params.ts';

const formSchema = formDefinitionSchema.openapi('Form');
const formParams = botParams.extend({ formKey: formKeySchema });
const security = [{ adminToken: [] }];

const routes = {
  list: createRoute({
    method: 'get',
    path: '/api/bots/{botId}/forms',
    summary: "The bot's forms (the identity form is always there)",
    security,
    request: { params: botParams },
    responses: {
      200: {
        description: 'Forms',
        content: { 'application/json': { schema: z.object({ items: z.array(formSchema) }) } },
      },
      ...errorResponses(400, 401, 404),
    },
  }),
  create: createRoute({
    method: 'post',
    path: '/api/bots/{botId}/forms',
    summary: 'Define a new form: fields, labels, required flags, tags to add, after-submit text',
    security,
    request: { params: botParams, body: jsonBody(formDefinitionSchema) },
    responses: {
      201: { description: 'Created', content: { 'application/json': { schema: formSchema } } },
      ...errorResponses(400, 401, 404, 409),
    },
  }),
  get: createRoute({
    method: 'get',
    path: '/api/bots/{botId}/forms/{formKey}',
    summary: 'One form',
    security,
    request: { params: formParams },
    responses: {
      200: { description: 'The form', content: { 'application/json': { schema: formSchema } } },
      ...errorResponses(400, 401, 404),
    },
  }),
  put: createRoute({
    method: 'put',
    path: '/api/bots/{botId}/forms/{formKey}',
    summary: 'Create or replace a form (the identity form included)',
    security,
    request: {
      params: formParams,
      body: jsonBody(formDefinitionSchema.openapi({ description: '`key` must equal the path' })),
    },
    responses: {
      200: { description: 'Saved', content: { 'application/json': { schema: formSchema } } },
      ...errorResponses(400, 401, 404),
    },
  }),
};

/** Forms as data for staff (F2.2). */
export function formRoutes() {
  return new OpenAPIHono<AppEnv>()
    .openapi(routes.list, async (c) => {
      const { botId } = c.req.valid('param');
      await requireBot(c, botId);
      return c.json({ items: await new FormRepository(c.var.deps.db.kysely).list(botId) }, 200);
    })
    .openapi(routes.create, async (c) => {
      const { botId } = c.req.valid('param');
      await requireBot(c, botId);
      const form = c.req.valid('json');
      const created = await new FormRepository(c.var.deps.db.kysely).create(botId, form);
      if (!created)
        throw new AppError(409, 'conflict', `a form "${form.key}" already exists`, [
          { field: 'key', message: 'is taken' },
        ]);
      return c.json(created, 201);
    })
    .openapi(routes.get, async (c) => {
      const { botId, formKey } = c.req.valid('param');
      await requireBot(c, botId);
      const form = await new FormRepository(c.var.deps.db.kysely).get(botId, formKey);
      if (!form) throw notFound('form');
      return c.json(form, 200);
    })
    .openapi(routes.put, async (c) => {
      const { botId, formKey } = c.req.valid('param');
      await requireBot(c, botId);
      const form = c.req.valid('json');
      if (form.key !== formKey)
        throw new AppError(400, 'invalid_request', 'key: must equal the form key in the path', [
          { field: 'key', message: 'must equal the form key in the path' },
        ]);
      return c.json(await new FormRepository(c.var.deps.db.kysely).put(botId, form), 200);
    });
}
