import { createRequire } from 'node:module';

/**
 * `prism mock <spec>` in this process: the same packages the prism CLI runs (its HTTP server on
 * its operations, requests and security validated, examples answered statically), without a
 * process per spec. Starting the CLI costs seconds of module loading each time; a test that
 * mocks dozens of specs loads them once. Listens on 127.0.0.1, a free port.
 */
const require = createRequire(import.meta.url);

export async function startPrismInProcess(spec: string): Promise<{ url: string; stop(): Promise<void> }> {
  const { getHttpOperationsFromSpec } = require('@stoplight/prism-http') as typeof import('@stoplight/prism-http');
  const { createServer } = require('@stoplight/prism-http-server') as typeof import('@stoplight/prism-http-server');
  const { createLogger } = require('@stoplight/prism-core') as typeof import('@stoplight/prism-core');
  const operations = await getHttpOperationsFromSpec(spec);
  if (!operations.length) throw new Error(`no operations in ${spec}`);
  const logger = createLogger('TEST', { level: 'silent' });
  const server = createServer(operations, {
    cors: false,
    config: {
      isProxy: false,
      validateRequest: true,
      validateResponse: false,
      checkSecurity: true,
      errors: false,
      upstreamProxy: undefined,
      mock: { dynamic: false, ignoreExamples: false },
    },
    components: { logger },
  });
  const address = await server.listen(0, '127.0.0.1');
  return { url: address.replace(/\/$/, ''), stop: () => server.close() };
}
