import type { IFunctionResult } from '@stoplight/spectral-core';
import { deref, documentFunction, documentRule, type JsonPath, type Operation, operations, perDocument, walkSchema } from './swagger-ops.js';
import type { ConnectorFiles, RulesetRule } from '../files.js';

export const TRIGGER_KINDS = ['single', 'batch'];

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An `x-ms-notification-url: true` field: where, in which operation, and the chain of schemas above it. */
interface NotificationUrl {
  o: Operation;
  path: JsonPath;
  node: any;
  /** The body parameter it is in (undefined: a non-body parameter itself). */
  body?: any;
  chain: { node: any; key?: string }[];
}

const notificationUrls = perDocument((doc: any): NotificationUrl[] => {
  const out: NotificationUrl[] = [];
  for (const o of operations(doc)) {
    for (const { param, path } of o.params) {
      if (param['x-ms-notification-url'] === true) out.push({ o, path, node: param, chain: [] });
      if (param.in === 'body' && param.schema) {
        walkSchema(doc, param.schema, [...path, 'schema'], (node, at, chain) => {
          if (node['x-ms-notification-url'] === true) out.push({ o, path: at, node, body: param, chain });
        });
      }
    }
  }
  return out;
});

const internal = (n: any) => n?.['x-ms-visibility'] === 'internal';

function hasSuccessSchema(doc: any, o: Operation): boolean {
  const r = o.op.responses;
  return isObj(r) && ['200', '201'].some((c) => isObj(deref(doc, r[c])?.schema));
}

/** Rules on x-ms-trigger operations: values, webhook notification URL, output schemas (swagger). */
export function rules(_files: ConnectorFiles): Record<string, RulesetRule> {
  const value = documentFunction((doc): IFunctionResult[] =>
    operations(doc).flatMap((o) => {
      const v = o.op['x-ms-trigger'];
      if (v === undefined || (typeof v === 'string' && TRIGGER_KINDS.includes(v))) return [];
      const near = typeof v === 'string' ? TRIGGER_KINDS.find((k) => k === v.toLowerCase().trim()) : undefined;
      return [
        {
          message: `x-ms-trigger ${JSON.stringify(v)} is not single or batch: ${near ? `write '${near}'` : "use 'single' (one event per run) or 'batch' (an array of events)"}`,
          path: [...o.path, 'x-ms-trigger'],
        },
      ];
    }),
  );
  const urlPosition = documentFunction((doc): IFunctionResult[] =>
    notificationUrls(doc).flatMap((n) => {
      if (!n.body)
        return [
          {
            message: 'x-ms-notification-url is allowed only on a property of the input body: move it to a string property of the body schema',
            path: [...n.path, 'x-ms-notification-url'],
          },
        ];
      if (n.node.type !== undefined && n.node.type !== 'string')
        return [
          {
            message: `the notification URL property must be of type string, not ${JSON.stringify(n.node.type)}: set "type": "string"`,
            path: [...n.path, 'type'],
          },
        ];
      return [];
    }),
  );
  const urlInternal = documentFunction((doc): IFunctionResult[] =>
    notificationUrls(doc).flatMap((n) =>
      internal(n.node) || internal(n.body) || n.chain.some((c) => internal(c.node))
        ? []
        : [
            {
              message:
                'the notification URL property (or one of its parents) must be "x-ms-visibility": "internal": the platform fills it, users must not see it',
              path: n.path,
            },
          ],
    ),
  );
  const urlRequired = documentFunction((doc): IFunctionResult[] =>
    notificationUrls(doc).flatMap((n) => {
      if (!n.body) return n.node.required === true ? [] : [{ message: 'the notification URL parameter must be "required": true', path: n.path }];
      const out: IFunctionResult[] = [];
      if (n.body.required !== true)
        out.push({
          message: `the body parameter holding the notification URL must be "required": true (operation ${n.o.op.operationId ?? n.o.route})`,
          path: n.path,
        });
      const gap = n.chain.find((c) => c.key !== undefined && !(Array.isArray(c.node.required) && c.node.required.includes(c.key)));
      if (gap)
        out.push({
          message: `the notification URL must be required all the way down the body schema: add '${gap.key}' to the "required" list of its parent schema`,
          path: n.path,
        });
      return out.slice(0, 1);
    }),
  );
  const webhook = documentFunction((doc): IFunctionResult[] => {
    const urls = new Set(notificationUrls(doc).map((n) => n.o.path.join('\u0000')));
    return operations(doc).flatMap((o) => {
      const content = doc.paths[o.route]?.['x-ms-notification-content'];
      if (urls.has(o.path.join('\u0000')) && !isObj(content)) {
        return [
          {
            message: `the webhook operation ${o.op.operationId ?? o.route} has a notification URL but its path has no x-ms-notification-content: add one with the schema of what the service posts`,
            path: o.path,
          },
        ];
      }
      if (o.op['x-ms-trigger'] !== undefined && isObj(content) && !urls.has(o.path.join('\u0000'))) {
        return [
          {
            message:
              'this webhook trigger has no notification URL field: mark the body property that takes the callback URL with "x-ms-notification-url": true',
            path: [...o.path, 'x-ms-trigger'],
          },
        ];
      }
      return [];
    });
  });
  const schema = documentFunction((doc): IFunctionResult[] => {
    const urls = new Set(notificationUrls(doc).map((n) => n.o.path.join('\u0000')));
    return operations(doc).flatMap((o) => {
      if (o.op['x-ms-trigger'] === undefined) return [];
      const content = doc.paths[o.route]?.['x-ms-notification-content'];
      if (urls.has(o.path.join('\u0000')) || isObj(content)) {
        return isObj(content?.schema)
          ? []
          : isObj(content)
            ? [
                {
                  message:
                    'x-ms-notification-content has no schema: add the schema of the notification the service posts, so the trigger has outputs in the designer',
                  path: ['paths', o.route, 'x-ms-notification-content'],
                },
              ]
            : [];
      }
      return hasSuccessSchema(doc, o)
        ? []
        : [
            {
              message: 'this polling trigger has no schema on its 200 or 201 response: add one so the trigger has outputs in the designer',
              path: [...o.path, 'responses'],
            },
          ];
    });
  });
  const rule = (description: string, fn: ReturnType<typeof documentFunction>) => documentRule(description, 'error', fn);
  return {
    'triggers-value': rule('x-ms-trigger is single or batch.', value),
    'triggers-notification-url-position': rule('x-ms-notification-url marks a string property of the input body.', urlPosition),
    'triggers-notification-url-internal': rule('The notification URL property (or a parent) is internal.', urlInternal),
    'triggers-notification-url-required': rule('The notification URL property is required all the way through the schema chain.', urlRequired),
    'triggers-webhook-complete': rule('A webhook trigger has both a notification URL field and x-ms-notification-content.', webhook),
    'triggers-output-schema': rule('A trigger has an output schema (200/201 response for polling, x-ms-notification-content for webhooks).', schema),
  };
}
