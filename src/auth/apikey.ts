import type { AuthScheme } from './scheme.js';
import { markSecret } from './scheme.js';
import { setHeader } from '../http/headers.js';
import { AuthError } from '../errors.js';

/** An API key in a header or a query parameter (Swagger `type: apiKey`). */
export function apiKeyScheme(where: { name: string; in: 'header' | 'query'; parameter: string }): AuthScheme {
  return {
    kind: 'apiKey',
    async authorize(req, conn) {
      const key = conn?.values[where.parameter];
      if (key === undefined || key === '') {
        throw new AuthError(`the connection has no value for the API key parameter '${where.parameter}'`, 'Recreate it: connector connection create <connector>');
      }
      if (where.in === 'header') {
        setHeader(req.headers, where.name, key);
        markSecret(req, { header: where.name }, key);
      } else {
        req.query = req.query.filter(([k]) => k !== where.name);
        req.query.push([where.name, key]);
        markSecret(req, { query: where.name }, key);
      }
    },
  };
}
