/**
 * servers → host/basePath/schemes, components.securitySchemes → securityDefinitions, and the
 * security requirements that name them.
 */
import { type Conv, copyExtensions, isObj, type Obj, ptr } from './context.js';

/** The first server's URL (variables at their defaults) as 2.0 host/basePath/schemes. */
export function convertServers(servers: unknown, conv: Conv): Obj {
  if (!Array.isArray(servers) || servers.length === 0 || !isObj(servers[0]) || typeof servers[0].url !== 'string') {
    conv.note('/servers', 'no server URL; host and basePath left out (the platform needs a host: set it before uploading)');
    return {};
  }
  if (servers.length > 1) conv.note('/servers', `Swagger 2.0 has one host; kept the first of ${servers.length} servers (${servers[0].url})`);
  const server = servers[0] as Obj;
  let url: string = server.url;
  for (const [name, v] of Object.entries(isObj(server.variables) ? server.variables : {})) {
    const value = isObj(v) && v.default !== undefined ? String(v.default) : '';
    url = url.split(`{${name}}`).join(value);
    if (isObj(v) && Array.isArray(v.enum) && v.enum.length > 1)
      conv.note(ptr('/servers/0/variables', name), `server variable set to its default '${value}' (2.0 has no server variables)`);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      conv.note('/servers/0/url', `'${url}' is not a URL; host and basePath left out`);
      return {};
    }
    const out: Obj = { host: parsed.host };
    const path = decodeURI(parsed.pathname).replace(/\/+$/, '');
    if (path) out.basePath = path;
    const scheme = parsed.protocol.slice(0, -1).toLowerCase();
    if (['http', 'https', 'ws', 'wss'].includes(scheme)) out.schemes = [scheme];
    else conv.note('/servers/0/url', `scheme '${scheme}' is not one Swagger 2.0 knows; schemes left out`);
    return out;
  }
  conv.note('/servers/0/url', `the server URL '${url}' is relative; basePath set from it, host left out (set the host before uploading)`);
  const path = url.replace(/^\.?\/*/, '/').replace(/\/+$/, '');
  return path ? { basePath: path } : {};
}

const FLOWS: Record<string, string> = { authorizationCode: 'accessCode', clientCredentials: 'application', implicit: 'implicit', password: 'password' };

/** components.securitySchemes → securityDefinitions; fills conv.security with the names each became. */
export function convertSecuritySchemes(schemes: unknown, conv: Conv): Obj {
  const out: Obj = {};
  if (!isObj(schemes)) return out;
  for (const [name, raw] of Object.entries(schemes)) {
    const at = ptr('/components/securitySchemes', name);
    const names: string[] = [];
    conv.security.set(name, names);
    if (!isObj(raw)) continue;
    if (typeof raw.$ref === 'string') {
      conv.note(at, 'a $ref security scheme is not followed; left out');
      continue;
    }
    const s = raw;
    const base = (def: Obj) => copyExtensions(s, s.description ? { ...def, description: s.description } : def);
    if (s.type === 'http' && String(s.scheme).toLowerCase() === 'basic') {
      out[name] = base({ type: 'basic' });
    } else if (s.type === 'http') {
      out[name] = base({ type: 'apiKey', in: 'header', name: 'Authorization' });
      conv.note(
        at,
        `Swagger 2.0 has no HTTP '${s.scheme}' scheme; approximated as an apiKey header 'Authorization' (its value must include '${s.scheme === 'bearer' ? 'Bearer ' : `${s.scheme} `}')`,
      );
    } else if (s.type === 'apiKey') {
      if (s.in === 'cookie') conv.note(ptr(at, 'in'), `Swagger 2.0 has no cookie API keys; approximated as a header '${s.name}'`);
      out[name] = base({ type: 'apiKey', in: s.in === 'query' ? 'query' : 'header', name: s.name });
    } else if (s.type === 'oauth2' && isObj(s.flows)) {
      for (const [flow, f] of Object.entries(s.flows)) {
        if (!isObj(f) || !FLOWS[flow]) {
          conv.note(ptr(at, 'flows', flow), `'${flow}' is not an OAuth flow Swagger 2.0 knows; left out`);
          continue;
        }
        const def: Obj = { type: 'oauth2', flow: FLOWS[flow] };
        if (flow === 'authorizationCode' || flow === 'implicit') def.authorizationUrl = f.authorizationUrl;
        if (flow !== 'implicit') def.tokenUrl = f.tokenUrl;
        def.scopes = isObj(f.scopes) ? f.scopes : {};
        if (f.refreshUrl) conv.note(ptr(at, 'flows', flow, 'refreshUrl'), 'Swagger 2.0 has no refreshUrl; left out (the token URL is used to refresh)');
        const defName = names.length ? `${name}-${FLOWS[flow]}` : name;
        out[defName] = base(copyExtensions(f, def));
        names.push(defName);
      }
      if (names.length > 1) conv.note(ptr(at, 'flows'), `Swagger 2.0 takes one flow per definition; wrote ${names.join(', ')}`);
      continue;
    } else {
      conv.note(at, `Swagger 2.0 has no '${s.type}' security scheme; left out, with the requirements that name it`);
      continue;
    }
    names.push(name);
  }
  return out;
}

/** A security requirement list with the names rewritten (a scheme split per flow: one alternative per flow). */
export function convertRequirements(reqs: unknown, at: string, conv: Conv): Obj[] | undefined {
  if (!Array.isArray(reqs)) return undefined;
  const out: Obj[] = [];
  reqs.forEach((req, i) => {
    if (!isObj(req)) return;
    let alternatives: Obj[] = [{}];
    for (const [name, scopes] of Object.entries(req)) {
      const names = conv.security.get(name) ?? [name];
      if (!names.length) {
        conv.note(ptr(at, i, name), `requirement of '${name}', a scheme Swagger 2.0 cannot express, left out`);
        continue;
      }
      alternatives = alternatives.flatMap((alt) => names.map((n) => ({ ...alt, [n]: scopes })));
    }
    // A requirement left empty would mean "no auth needed": drop it instead, unless it was empty to begin with.
    for (const alt of alternatives) if (Object.keys(alt).length || !Object.keys(req).length) out.push(alt);
  });
  // 2.0 wants the alternatives unique ({a, b} and {b, a} are the same one).
  const seen = new Set<string>();
  const key = (r: Obj) => JSON.stringify(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return out.filter((r) => !seen.has(key(r)) && seen.add(key(r)));
}
