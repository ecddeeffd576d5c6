// Validates webhook payloads against the official webhook.yml, per event subtype: the `Event`
// schema dispatches on `type` through discriminator.mapping (see openapi.ts), and a message
// event's `message` dispatches again on MessageContent's mapping.
import type { ValidateFunction } from 'ajv';
import { createAjv, loadSpec, schemaValidator, toDetails } from './openapi.ts';

let event: ValidateFunction | undefined;
let callback: ValidateFunction | undefined;

function validators() {
  if (!event || !callback) {
    const ajv = createAjv(loadSpec('webhook.yml'), 'webhook');
    event = schemaValidator(ajv, 'webhook', 'Event');
    callback = schemaValidator(ajv, 'webhook', 'CallbackRequest');
  }
  return { event, callback };
}

function run(fn: ValidateFunction, value: unknown): string[] {
  if (fn(value)) return [];
  return toDetails(fn.errors).map((d) => `${d.property || '(root)'}: ${d.message}`);
}

/** Errors for one event object; [] when it matches its subtype in webhook.yml. */
export function validateWebhookEvent(e: unknown): string[] {
  return run(validators().event, e);
}

/** Errors for a whole webhook body `{ destination, events }`. */
export function validateCallbackRequest(body: unknown): string[] {
  return run(validators().callback, body);
}
