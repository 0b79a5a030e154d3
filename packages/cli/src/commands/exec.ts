/**
 * `weft exec <path>`: run one operation of a connector through the SDK executor and print the
 * result as JSON on stdout.
 */
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { messageOf, UsageError } from '@weft/sdk';
import type { OperationRunner } from '@weft/sdk/operations';
import {
  closeHttp,
  type ExecuteOptions,
  type ExecuteResult,
  FileSeenStore,
  type LoadedConnector,
  MemorySeenStore,
  operationOf,
  parseExecPath,
  runPollCycle,
} from '@weft/sdk/runtime';
import type { LocalTunnel } from '../agent/local.js';
import type { ExecFlags } from '../flags.js';
import { readJsonFile, readJsonObject, readText } from '../io.js';
import { asBytes, toJsonText } from '../json-output.js';
import type { Reporter } from '../report.js';
import { defaultSettingsFile, type LoadedSettings, loadSettings, saveConnection } from '../settings.js';
import { type ExecRuntime, execRuntime } from './exec-runtime.js';

async function optionalJson(path: string | undefined, flag: string): Promise<unknown> {
  return path === undefined ? undefined : readJsonFile(path, flag);
}

async function buildOptions(
  flags: ExecFlags,
  settings: LoadedSettings | undefined,
  reporter: Reporter,
  inputArrays = false,
): Promise<ExecuteOptions> {
  const [input, closure, args, configFields, continueValue, payloadText, headers, params, subscription] =
    await Promise.all([
      flags.input === undefined ? undefined : readJsonObject(flags.input, '--input', { arrays: inputArrays }),
      optionalJson(flags.closure, '--closure'),
      optionalJson(flags.args, '--args'),
      flags.configFields === undefined ? undefined : readJsonObject(flags.configFields, '--config-fields'),
      optionalJson(flags.continue, '--continue'),
      flags.webhookPayload === undefined ? undefined : readText(flags.webhookPayload, '--webhook-payload'),
      flags.webhookHeaders === undefined ? undefined : readJsonObject(flags.webhookHeaders, '--webhook-headers'),
      flags.webhookParams === undefined ? undefined : readJsonObject(flags.webhookParams, '--webhook-params'),
      optionalJson(flags.webhookSubscribeOutput, '--webhook-subscribe-output'),
    ]);
  const payload = payloadText === undefined ? undefined : parseJsonFlag(payloadText, '--webhook-payload', flags);
  const rawBody =
    flags.webhookRawBody === undefined ? undefined : await readText(flags.webhookRawBody, '--webhook-raw-body');
  if (flags.webhookUrl !== undefined && !/^https?:\/\//.test(flags.webhookUrl)) {
    throw new UsageError(`--webhook-url must be an absolute http(s) URL, got "${flags.webhookUrl}"`);
  }
  // Without --webhook-payload the executor parses the raw body as the trigger asks (JSON, form,
  // or raw); without --webhook-raw-body the payload file's text is the raw body (for signatures).
  const webhook =
    payload !== undefined || headers || params || rawBody !== undefined
      ? {
          payload,
          headers: headers as Record<string, string> | undefined,
          params: params as Record<string, string> | undefined,
          rawBody: rawBody ?? payloadText,
        }
      : undefined;
  return {
    connection: settings?.connection ?? {},
    input,
    closure,
    args,
    configFields: configFields as Record<string, unknown> | undefined,
    continue: continueValue,
    webhook,
    webhookUrl: flags.webhookUrl,
    subscription,
    mode: 'interactive',
    onExchange: reporter.verbose ? (log) => reporter.exchange(log) : undefined,
    onLog: (level, message, data) => reporter.log(level, message, data),
  };
}

function parseJsonFlag(text: string, flag: string, flags: ExecFlags): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${flag}=${flags.webhookPayload}: not valid JSON (${messageOf(error)})`, 'INPUT_UNREADABLE');
  }
}

function printable(result: ExecuteResult): unknown {
  if (result.kind === 'suspended') return { reinvokeAfter: result.reinvokeAfter };
  if (result.kind === 'waiting') return { waitForResume: result.waitForResume };
  if (result.kind === 'output') return result.output;
  return null;
}

/**
 * Polls through the trigger runner: with --follow while canPollMore (dedup spans the pages),
 * with --seen against a file of signatures kept between runs. Prints only new events and the
 * closure to continue from.
 */
async function followPolls(
  trigger: string,
  connector: LoadedConnector,
  options: ExecuteOptions,
  flags: ExecFlags,
  reporter: Reporter,
  runner: OperationRunner,
): Promise<unknown> {
  const store = flags.seen ? await FileSeenStore.open(resolve(flags.seen)) : new MemorySeenStore();
  const { input, closure, connection, ...executeOptions } = options;
  const cycle = await runPollCycle({
    connector: connector.definition,
    trigger,
    input,
    closure,
    connection,
    store,
    executeOptions,
    runner,
    maxPolls: flags.follow ? Number(flags.maxSteps ?? 100) : 1,
  });
  if (cycle.duplicates) reporter.note(`weft: skipped ${cycle.duplicates} event(s) already seen (dedup)`);
  if (cycle.emptyLimitReached) {
    reporter.note(`weft: stopped after ${cycle.polls} polls: 600 in a row brought no new event`);
  } else if (flags.follow && cycle.maxPollsReached) {
    reporter.note(`weft: stopped after ${cycle.polls} polls (--max-steps); canPollMore is still true`);
  }
  return { events: cycle.events, nextPoll: cycle.nextClosure, canPollMore: cycle.canPollMore };
}

async function follow(
  path: string,
  connector: LoadedConnector,
  options: ExecuteOptions,
  first: ExecuteResult,
  maxSteps: number,
  reporter: Reporter,
  runOperation: OperationRunner,
): Promise<unknown> {
  const target = parseExecPath(path, connector.definition);
  if (target.kind === 'action' && target.operation === 'execute') {
    let result = first;
    for (let step = 1; result.kind === 'suspended'; step++) {
      if (step > maxSteps) {
        reporter.note(`weft: stopped after ${maxSteps} steps (--max-steps); the action is still suspended`);
        break;
      }
      const { seconds, continue: next } = result.reinvokeAfter;
      reporter.note(`weft: step ${step} suspended; running it again in ${seconds} s`);
      if (seconds > 0) await sleep(seconds * 1000);
      result = await runOperation(connector.definition, operationOf(target, { ...options, continue: next }), options);
    }
    return printable(result);
  }
  return printable(first);
}

export async function execCommand(path: string, flags: ExecFlags, reporter: Reporter): Promise<number> {
  let settings: LoadedSettings | undefined;
  let before = '';
  let runtime: ExecRuntime | undefined;
  let tunnel: LocalTunnel | undefined;
  try {
    runtime = await execRuntime(flags.isolate === true);
    const runOperation = runtime.run;
    const connector = await runtime.load(flags.connector ?? '.');
    const target = parseExecPath(path, connector.definition);
    const settingsFile = flags.settings ?? defaultSettingsFile(dirname(connector.file));
    if (flags.connection && !settingsFile) {
      throw new UsageError(`--connection=${flags.connection} needs a settings file: pass --settings=<file>`);
    }
    settings = settingsFile ? await loadSettings(resolve(settingsFile), flags.connection) : undefined;
    before = settings ? JSON.stringify(settings.connection) : '';
    // dedup takes one event or an array of them
    const options = await buildOptions(
      flags,
      settings,
      reporter,
      target.kind === 'trigger' && target.operation === 'dedup',
    );
    if (flags.agent !== undefined) {
      // Loaded only when asked: the agent's code and the tunnel's stay out of a plain exec.
      const { openLocalTunnel } = await import('../agent/local.js');
      tunnel = await openLocalTunnel(flags.agent);
      options.dispatcher = tunnel.dispatcher;
      reporter.log('debug', `sending HTTP through the local agent "${tunnel.agent.name}"`);
    }
    if (flags.seen && !(target.kind === 'trigger' && target.operation === 'poll')) {
      throw new UsageError('--seen applies to polls only (triggers.<name>.poll)');
    }
    if (target.kind === 'trigger' && target.operation === 'poll' && (flags.follow || flags.seen)) {
      const polled = await followPolls(target.name, connector, options, flags, reporter, runOperation);
      const text = toJsonText(polled);
      process.stdout.write(text);
      if (flags.output) await writeFile(flags.output, text);
      return 0;
    }
    const result = await runOperation(connector.definition, operationOf(target, options), options);

    if (result.kind === 'stream') {
      if (!flags.output) throw new UsageError(`${path} is a stream: pass --output=<file> to write its bytes`);
      await pipeline(result.stream, createWriteStream(flags.output));
      reporter.note(`weft: wrote the stream to ${flags.output}`);
      return 0;
    }
    if (result.kind === 'output' && result.dropped.length) {
      reporter.log('debug', `dropped input keys that no field declares: ${result.dropped.join(', ')}`);
    }
    if (result.kind === 'output' && result.reply) {
      const { status, headers, body } = result.reply;
      reporter.log('debug', `webhook reply: ${status} ${JSON.stringify(headers)} ${body}`);
    }
    const value = flags.follow
      ? await follow(path, connector, options, result, Number(flags.maxSteps ?? 100), reporter, runOperation)
      : printable(result);
    const bytes = asBytes(value);
    if (bytes && flags.output) {
      await writeFile(flags.output, bytes);
      reporter.note(`weft: wrote ${bytes.length} bytes to ${flags.output}`);
      return 0;
    }
    const json = toJsonText(value);
    process.stdout.write(json);
    if (flags.output) await writeFile(flags.output, json);
    return 0;
  } catch (error) {
    return reporter.fail(error);
  } finally {
    // Refreshed tokens are kept even when the operation itself failed afterwards: a rotated
    // refresh token that is not saved would leave the connection unusable.
    if (settings && JSON.stringify(settings.connection) !== before) {
      await saveConnection(settings).then(
        () => reporter.note(`weft: updated connection values written to ${settings!.file}`),
        (error) => reporter.fail(error),
      );
    }
    await closeHttp();
    await tunnel?.close();
    await runtime?.close();
  }
}
