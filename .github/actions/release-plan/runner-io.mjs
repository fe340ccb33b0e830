// @ts-check
/**
 * What the two release actions (release-plan, release-report) need of the runner, without dependencies: they run
 * as they are under the runner's own Node (`runs.using: node24`), with no bundle. Inputs come as INPUT_<NAME>
 * variables, outputs go to the GITHUB_OUTPUT file, errors are `::error` workflow commands.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';

/**
 * An input as the runner passes it (INPUT_ and the name upper-cased; GitHub keeps dashes), trimmed.
 * @param {string} name
 * @param {NodeJS.ProcessEnv} [env]
 */
export function input(name, env = process.env) {
  return (env[`INPUT_${name.toUpperCase()}`] ?? '').trim();
}

/**
 * Writes outputs to GITHUB_OUTPUT, each in the `name<<delimiter` form, so a value may hold any line.
 * @param {Record<string, string>} outputs
 * @param {NodeJS.ProcessEnv} [env]
 */
export function setOutputs(outputs, env = process.env) {
  const file = env.GITHUB_OUTPUT;
  if (!file) throw new Error('GITHUB_OUTPUT is not set: run this as a step of a GitHub Actions job.');
  const text = Object.entries(outputs)
    .map(([name, value]) => {
      const delimiter = `dockyard_${randomUUID()}`;
      return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
    })
    .join('');
  appendFileSync(file, text);
}

/**
 * An `::error` command as the runner reads it: the data's `%`, CR and LF escaped, and the title's `:` and `,` too
 * (the runner's escaping rules), so a value in a message can end neither the command nor the line.
 * @param {string} message
 * @param {string} title
 */
export function errorCommand(message, title) {
  const data = (/** @type {string} */ s) =>
    s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const property = (/** @type {string} */ s) => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  return `::error title=${property(title)}::${data(message)}`;
}
