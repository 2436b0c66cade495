import type { IFunctionResult } from '@stoplight/spectral-core';
import { closest } from '../../util/suggest.js';
import { byOperationId, documentFunction, documentRule, type JsonPath } from './swagger-ops.js';
import type { ConnectorFiles, RulesetRule } from '../files.js';

/**
 * The platform's sixteen policy templates (Microsoft Learn "policy templates"; the PowerPlatformConnectors
 * apiProperties schema), each with the `x-ms-apimTemplateParameter.*` parameters it cannot run without: the
 * schema's `required` lists, and for the three it leaves out what the template reads with no default
 * (src/policies/request/*.ts, src/policies/response.ts).
 */
export const POLICY_TEMPLATES: Record<string, string[]> = {
  dynamichosturl: ['urlTemplate'],
  dynamicsubdomain: ['urlTemplate'],
  setheader: ['name', 'value'],
  setqueryparameter: ['name', 'value'],
  routerequesttoendpoint: ['newPath'],
  setproperty: ['newPropertyParentPathTemplate', 'newPropertySubPathTemplate', 'propertyValuePathTemplate'],
  convertarraytoobject: ['propertyParentPath', 'keyWithinCollectionPath', 'newPropertyPath'],
  convertobjecttoarray: ['propertyParentPath', 'newPropertyPath'],
  stringtoarray: ['propertyParentPath', 'delimiterList', 'childPropertyName', 'newPropertyPath'],
  encodepropertyvalue: ['propertyParentPath', 'newPropertyPath'],
  moveproperties: ['srcSubPath'],
  setvaluefromurl: ['parameterTemplate', 'parameterValueUrl', 'parameterValuePathTemplate'],
  stringreplace: ['propertyParentPath', 'sourceString', 'replacementString', 'newPropertyPath'],
  updatenextlink: ['nextLinkPropertyName'],
  pollingtrigger: ['triggerConfig', 'triggerDataPath'],
  setconnectionstatustounauthenticated: ['statusCode'],
};

/** Parameters whose empty value means something ('' header value removes it; '' replacement deletes the match). */
const EMPTY_OK = new Set(['value', 'replacementString']);

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Instance {
  t: any;
  id: string;
  path: JsonPath;
}

function instances(api: any): Instance[] {
  const list = api?.properties?.policyTemplateInstances;
  if (!Array.isArray(list)) return [];
  return list.flatMap((t, i) =>
    isObj(t) ? [{ t, id: typeof t.templateId === 'string' ? t.templateId : '', path: ['properties', 'policyTemplateInstances', i] }] : [],
  );
}

/** Every connection parameter name, the flat ones and those of each parameter set. */
function connectionParameterNames(api: any): Set<string> {
  const props = api?.properties ?? {};
  const names = new Set<string>(isObj(props.connectionParameters) ? Object.keys(props.connectionParameters) : []);
  for (const s of Array.isArray(props.connectionParameterSets?.values) ? props.connectionParameterSets.values : []) {
    if (isObj(s?.parameters)) for (const k of Object.keys(s.parameters)) names.add(k);
  }
  return names;
}

/** Rules on apiProperties policyTemplateInstances (run on apiProperties.json). */
export function rules(files: ConnectorFiles): Record<string, RulesetRule> {
  const known = Object.keys(POLICY_TEMPLATES);
  const templateId = documentFunction((api): IFunctionResult[] =>
    instances(api).flatMap(({ id, path }) => {
      if (!id) return [{ message: `this policy instance has no templateId: set one of ${known.join(', ')}`, path }];
      if (POLICY_TEMPLATES[id.toLowerCase()]) return [];
      const [near] = closest(id, known, 1);
      return [
        {
          message: `'${id}' is not a policy template the platform has: ${near ? `did you mean '${near}'?` : `use one of ${known.join(', ')}`}`,
          path: [...path, 'templateId'],
        },
      ];
    }),
  );
  const parameters = documentFunction((api): IFunctionResult[] =>
    instances(api).flatMap(({ t, id, path }) => {
      const required = POLICY_TEMPLATES[id.toLowerCase()];
      if (!required) return [];
      const p = isObj(t.parameters) ? t.parameters : {};
      return required.flatMap((name) => {
        const v = p[`x-ms-apimTemplateParameter.${name}`];
        const absent = v === undefined || v === null || (v === '' && !EMPTY_OK.has(name));
        return absent
          ? [
              {
                message: `policy ${id}${t.title ? ` ('${t.title}')` : ''} needs parameter 'x-ms-apimTemplateParameter.${name}': add it to its parameters`,
                path: isObj(t.parameters) ? [...path, 'parameters'] : path,
              },
            ]
          : [];
      });
    }),
  );
  const connectionParameter = documentFunction((api): IFunctionResult[] => {
    const names = connectionParameterNames(api);
    const out: IFunctionResult[] = [];
    for (const { t, path } of instances(api)) {
      const walk = (v: unknown, at: JsonPath) => {
        if (typeof v === 'string') {
          for (const m of v.matchAll(/@connectionParameters\(\s*['"]([^'"]*)['"]/gi)) {
            if (names.has(m[1])) continue;
            const [near] = closest(m[1], [...names], 1);
            out.push({
              message: `@connectionParameters('${m[1]}') names no connection parameter: ${near ? `did you mean '${near}'?` : 'add it to connectionParameters'}`,
              path: at,
            });
          }
        } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...at, i]));
        else if (isObj(v)) for (const [k, x] of Object.entries(v)) walk(x, [...at, k]);
      };
      walk(t.parameters, [...path, 'parameters']);
    }
    return out;
  });
  const operation = documentFunction((api): IFunctionResult[] => {
    const ops = byOperationId(files.swagger.doc);
    const ids = [...ops.keys()];
    return instances(api).flatMap(({ t, path }) => {
      const v = isObj(t.parameters) ? t.parameters['x-ms-apimTemplate-operationName'] : undefined;
      const at = [...path, 'parameters', 'x-ms-apimTemplate-operationName'];
      const list: [unknown, JsonPath][] = Array.isArray(v) ? v.map((x, i) => [x, [...at, i]]) : v === undefined ? [] : [[v, at]];
      return list.flatMap(([name, p]) => {
        if (typeof name === 'string' && ops.has(name)) return [];
        const [near] = typeof name === 'string' ? closest(name, ids, 1) : [];
        return [
          {
            message: `x-ms-apimTemplate-operationName '${String(name)}' is not an operationId of the swagger: ${near ? `did you mean '${near}'?` : 'name an existing operation'}`,
            path: p,
          },
        ];
      });
    });
  });
  const rule = documentRule;
  return {
    'props-policy-template-id': rule('A policy instance names one of the platform’s policy templates.', 'error', templateId),
    'props-policy-parameters': rule('A policy instance has every parameter its template needs.', 'error', parameters),
    'props-policy-connection-parameter': rule('@connectionParameters(…) in a policy names an existing connection parameter.', 'error', connectionParameter),
    'props-policy-operation': rule('A policy’s x-ms-apimTemplate-operationName entries are operationIds of the swagger.', 'error', operation),
  };
}
