import type { ConnectorFiles } from '../files.js';

/** Stub: another helper writes this section's rules. */
export function rules(_files: ConnectorFiles) {
  return {};
}
