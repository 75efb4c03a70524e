/** Which of Docket's variables are set, with secrets masked: what `docket doctor` prints. */
import { CONFIG_VARIABLES } from './docket-config';
import { redactUrl } from './redact-url';

export interface ConfiguredVariable {
  name: string;
  /** The value as shown: `***` for a secret, a URL with its password masked. */
  value: string;
}

const SECRET = /PASSWORD|TOKEN|SECRET|_KEYS$/;

/** The value of `name` as it may be shown. */
export function shownValue(name: string, value: string): string {
  if (SECRET.test(name)) return '***';
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
  try {
    return new URL(value).password ? redactUrl(value) : value;
  } catch {
    return redactUrl(value);
  }
}

/** The variables of the configuration that are set (non-empty) in `env`, in the order the configuration lists them. */
export function configuredVariables(env: NodeJS.ProcessEnv = process.env): ConfiguredVariable[] {
  return CONFIG_VARIABLES.filter((name) => (env[name] ?? '') !== '').map((name) => ({ name, value: shownValue(name, env[name]!) }));
}
