import { BODY_TEMPLATES } from './body.js';
import { PARAM_TEMPLATES } from './params.js';
import type { RequestTemplate } from './types.js';
import { URL_TEMPLATES } from './url.js';

/** Every request-side template `connector run` applies, by lower-case template id. */
export const REQUEST_TEMPLATES: Record<string, RequestTemplate> = { ...URL_TEMPLATES, ...PARAM_TEMPLATES, ...BODY_TEMPLATES };

/** Templates that only ever run on the answer (no policySection parameter says so); policies/response.ts applies them. */
export const RESPONSE_ONLY = new Set(['updatenextlink', 'setconnectionstatustounauthenticated']);

/**
 * Why `connector run` leaves a template out, for those whose effect is not a change to the
 * request or the answer (shown by `show`, `describe` and `run --verbose`).
 */
export const NOT_REPRODUCIBLE: Record<string, string> = {
  pollingtrigger:
    'applies to polling triggers only (the platform re-runs the operation on a schedule and keeps the trigger state); connector run sends the request without it',
};
