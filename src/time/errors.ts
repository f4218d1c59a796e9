import { ConfigError } from '../core/errors.js';

/**
 * A bad window, trigger or duration setting (from a flag, a pipeline definition or a library call).
 * `option` names the setting (e.g. `--window`) when there is one, so the CLI can point at the flag.
 *
 * @example
 * try { parseDuration('5 minutes'); } catch (e) { if (e instanceof WindowOptionError) console.error(e.message); }
 */
export class WindowOptionError extends ConfigError {
  readonly option: string | undefined;

  constructor(message: string, options: { option?: string; cause?: unknown } = {}) {
    super(options.option === undefined ? message : `${options.option}: ${message}`, { cause: options.cause });
    this.name = 'WindowOptionError';
    this.option = options.option;
  }
}
