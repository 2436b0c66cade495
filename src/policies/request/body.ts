import { getHeader, setHeader } from '../../http/headers.js';
import type { BodyHolder } from '../body/paths.js';
import {
  type BodyTransform,
  convertarraytoobject,
  convertobjecttoarray,
  encodepropertyvalue,
  moveproperties,
  setproperty,
  stringreplace,
  stringtoarray,
} from '../body/transforms.js';
import type { RequestTemplate } from './types.js';

/** The body templates (policies/body/transforms.ts) on the request: a JSON body only (setproperty makes one when there is none). */
function onRequest(transform: BodyTransform, makesBody = false): RequestTemplate {
  return {
    apply(run) {
      const { req } = run;
      if (req.json === undefined || req.json === null || typeof req.json !== 'object') {
        if (!makesBody || req.body?.length) return run.changed(req.body?.length ? 'no change (the body is not JSON)' : 'no change (no body)');
        req.json = {};
        req.body = Buffer.alloc(0);
        setHeader(req.headers, 'Content-Type', getHeader(req.headers, 'content-type') ?? 'application/json');
      }
      const holder: BodyHolder = { json: req.json };
      run.changed(transform(holder, run.param, run.raw, run.scope));
      req.json = holder.json;
    },
  };
}

export const BODY_TEMPLATES: Record<string, RequestTemplate> = {
  setproperty: onRequest(setproperty, true),
  moveproperties: onRequest(moveproperties),
  stringreplace: onRequest(stringreplace),
  encodepropertyvalue: onRequest(encodepropertyvalue),
  convertarraytoobject: onRequest(convertarraytoobject),
  convertobjecttoarray: onRequest(convertobjecttoarray),
  stringtoarray: onRequest(stringtoarray),
};
