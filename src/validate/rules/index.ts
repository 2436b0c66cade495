/**
 * The rule modules of `connector validate`, one a section (issue 11). Each exports
 * `rules(files: ConnectorFiles): Record<string, RulesetRule>`: Spectral rule definitions
 * (`given` JSONPath + `then.function`); custom functions reach the connector's other files
 * through the `files` closure. A rule id is stable and starts with its section.
 *
 * Which file a rule runs on is said by its id (targetOf):
 *   - `props-…`    runs on apiProperties.json (skipped when the connector has none);
 *   - `settings-…` runs on settings.json (likewise);
 *   - every other id runs on the swagger document.
 * A rule that looks at one file but reports at a place in another belongs to the file it
 * reports in: locations (pointer, line:column) are worked out in the document it ran on.
 */
import type { ConnectorFiles, RulesetRule } from '../files.js';
import { rules as schema } from './schema.js';
import { rules as checklist } from './checklist.js';
import { rules as operations } from './operations.js';
import { rules as extensions } from './extensions.js';
import { rules as security } from './security.js';
import { rules as policies } from './policies.js';
import { rules as dynamic } from './dynamic.js';
import { rules as triggers } from './triggers.js';

export type RuleModule = (files: ConnectorFiles) => Record<string, RulesetRule>;

export const RULE_MODULES: readonly RuleModule[] = [schema, checklist, operations, extensions, security, policies, dynamic, triggers];

export type RuleTarget = 'swagger' | 'apiProperties' | 'settings';

/** The file a rule runs on, by its id (see above). */
export function targetOf(id: string): RuleTarget {
  return id.startsWith('props-') ? 'apiProperties' : id.startsWith('settings-') ? 'settings' : 'swagger';
}
