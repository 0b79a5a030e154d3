/**
 * The `weft` command. Every user mistake ends in one message on stderr and a non-zero exit
 * code; stacks only with --verbose.
 */
import { Command, CommanderError, Option } from 'commander';
import { createReporter, type Reporter } from './report.js';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const VERSION = '0.1.0';

function buildProgram(reporter: Reporter, setCode: (code: Promise<number>) => void): Command {
  const program = new Command('weft')
    .description('Build, test and run Weft connectors.')
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => process.stdout.write(s),
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(s.startsWith('error:') ? `weft: ${s.slice('error: '.length)}` : s),
    })
    .exitOverride();

  program
    .command('exec')
    .description(
      'Run one operation of a connector (an action, a trigger poll, a pick list, ...) and print its result as JSON.',
    )
    .argument(
      '<path>',
      'what to run, e.g. test, actions.create_contact.execute, triggers.new_contact.poll, pick_lists.statuses',
    )
    .option('--connector <file>', 'the connector file (default: ./connector.ts or ./connector.js)')
    .option(
      '--settings <file>',
      'connection values: settings.yaml or settings.yaml.enc (default: beside the connector, if present)',
    )
    .option('--connection <name>', 'which connection of a settings file with named connections')
    .option('--input <json|@file>', 'input: a JSON object (dedup: an event or an array of events)')
    .option('--closure <json|@file>', 'a poll closure (JSON)')
    .addOption(argsOption('a JSON array (method arguments) or object (pick-list arguments)'))
    .addOption(configFieldsOption('config field values (a JSON object)'))
    .option('--continue <json|@file>', 'the `continue` value of a multistep action (JSON)')
    .option('--webhook-payload <file>', 'a webhook payload (JSON file)')
    .option('--webhook-headers <json|@file>', 'webhook request headers (a JSON object)')
    .option('--webhook-params <json|@file>', 'webhook query parameters (a JSON object)')
    .option('--webhook-raw-body <file>', 'the raw webhook body (any file)')
    .option('--webhook-url <url>', 'the webhook URL given to webhook_subscribe')
    .option(
      '--webhook-subscribe-output <json|@file>',
      'what webhook_subscribe returned (JSON), for unsubscribe/refresh',
    )
    .option('--output <file>', 'also write the result to this file (bytes: only the raw bytes, nothing printed)')
    .option('--follow', 'keep polling while canPollMore; run every step of a multistep action')
    .option('--seen <file>', 'polls: a file of seen dedup signatures; print only events that earlier runs did not')
    .option('--verbose', 'show each HTTP exchange (secrets redacted) and full error details on stderr')
    .addOption(
      new Option('--max-steps <n>', 'with --follow: stop after this many polls or steps')
        .default('100')
        .argParser(parsePositive),
    )
    .action((path: string, options: Record<string, unknown>) => {
      setCode(import('./commands/exec.js').then((m) => m.execCommand(path, options, reporter)));
    });

  program
    .command('listen')
    .description(
      'Receive webhooks for one trigger on a local server: subscribe (dynamic webhooks), print each event as a JSON line, unsubscribe on Ctrl-C.',
    )
    .argument('<connector>', 'the connector file or folder (. for the current folder)')
    .argument('<trigger>', 'the trigger, e.g. triggers.new_issue (or just new_issue)')
    .option('--settings <file>', 'connection values (default: the settings file beside the connector)')
    .option('--connection <name>', 'which connection of a settings file with named connections')
    .option('--input <json|@file>', 'the trigger input (a JSON object)')
    .option('--port <port>', 'port of the local receiver (0: any free port)', '0')
    .option('--host <host>', 'address of the local receiver', '127.0.0.1')
    .option('--public-url <url>', 'the URL the application should call (e.g. a tunnel to the receiver)')
    .option('--max-body <size>', 'largest request body accepted, e.g. 1mb, 256kb', '1mb')
    .option('--verbose', 'show HTTP exchanges, each request and full error details on stderr')
    .action((connector: string, trigger: string, options: Record<string, unknown>) => {
      setCode(import('./commands/listen.js').then((m) => m.listenCommand(connector, trigger, options, reporter)));
    });

  program
    .command('validate')
    .description('Check a connector definition and list every problem by its path.')
    .argument('[connector]', 'the connector file or folder', '.')
    .action((connector: string) => {
      setCode(import('./commands/validate.js').then((m) => m.validateCommand(connector, reporter)));
    });

  program
    .command('check')
    .description(
      'Contract checks: fields resolve, sample and recorded outputs match the output fields, pick lists return [label, value] pairs, triggers define dedup.',
    )
    .argument('[connector]', 'the connector file or folder', '.')
    .option('--settings <file>', 'connection values, to also check lambdas that call the API')
    .option('--connection <name>', 'which connection of a settings file with named connections')
    .option(
      '--cassettes <dir>',
      'cassettes whose recorded outputs to check (repeatable; default: every __cassettes__ folder)',
      collect,
    )
    .addOption(configFieldsOption('config field values for every action and trigger (default: sampled)'))
    .addOption(argsOption('pick-list arguments (a JSON object) given to every pick list checked'))
    .action((connector: string, options: Record<string, unknown>) => {
      setCode(import('./commands/check.js').then((m) => m.checkCommand(connector, options, reporter)));
    });

  program
    .command('test')
    .description(
      "Run the connector project's tests (Vitest, replaying cassettes), then the contract checks. Other arguments go to Vitest.",
    )
    .option('--record', 'record cassettes against the live API (sets WEFT_RECORD=1) instead of replaying them')
    .option('--no-check', 'skip the contract checks')
    .argument('[vitest-args...]', 'arguments for Vitest, e.g. a file filter or -t <name>')
    .allowUnknownOption()
    .action((vitestArgs: string[], options: { record?: boolean; check?: boolean }) => {
      setCode(import('./commands/test.js').then((m) => m.testCommand(vitestArgs, options, reporter)));
    });

  program
    .command('generate')
    .description('Generate files for a connector project.')
    .command('test')
    .description(
      'Write a Vitest test per action or trigger (tests/<name>.test.ts) with an input fixture and a cassette slot.',
    )
    .option('--connector <file>', 'the connector file or folder', '.')
    .option('--action <name>', 'only this action')
    .option('--trigger <name>', 'only this trigger')
    .option('--force', 'overwrite existing test and fixture files')
    .addOption(configFieldsOption('config field values written into the fixtures (default: sampled)'))
    .addOption(argsOption('pick-list arguments (a JSON object) for sampling pick-list fields'))
    .action((options: Record<string, unknown>) => {
      setCode(import('./commands/generate.js').then((m) => m.generateTestCommand(options, reporter)));
    });

  program
    .command('oauth2')
    .description(
      'Authorize a connection with OAuth2 in the browser (authorization-code grant, PKCE when the connector asks) and store its tokens in the settings file.',
    )
    .option('--connector <file>', 'the connector file (default: ./connector.ts or ./connector.js)')
    .option('--settings <file>', 'where to store the tokens (default: the settings file beside the connector)')
    .option('--connection <name>', 'which connection of a settings file with named connections')
    .option(
      '--port <port>',
      'the port of the redirect URI http://127.0.0.1:<port>/oauth/callback (0: any free port)',
      '45555',
    )
    .option('--no-browser', 'only print the authorization URL; do not open a browser')
    .option('--timeout <seconds>', 'how long to wait for the redirect', '300')
    .option('--verbose', 'show the token requests (secrets redacted) and full error details on stderr')
    .action((options: Record<string, unknown>) => {
      setCode(import('./commands/oauth2.js').then((m) => m.oauth2Command(options, reporter)));
    });

  program
    .command('new')
    .description('Create a connector project that runs with `weft exec` right away.')
    .argument('<dir>', 'the folder to create (must not exist or be empty)')
    .option('--title <title>', 'the connector title (default: from the folder name)')
    .action((dir: string, options: { title?: string }) => {
      setCode(import('./commands/new.js').then((m) => m.newCommand(dir, options, reporter)));
    });

  program
    .command('serve')
    .description(
      'Run Weft: recipes, jobs, webhooks and the API, on the embedded store in $WEFT_HOME (default ./.weft).',
    )
    .option('--port <port>', 'port to listen on', '4000')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '--connectors <dir>',
      'a folder of connector folders (repeatable; default: WEFT_CONNECTORS or the bundled examples)',
      collect,
    )
    .action((options: { port: string; host: string; connectors?: string[] }) => {
      setCode(import('./commands/serve.js').then((m) => m.serveCommand(options, reporter)));
    });

  program
    .command('push')
    .description(
      'Send a connector to a Weft server: bundled and checked here, validated there, kept as a new version when it changed.',
    )
    .argument('[connector]', 'the connector file or folder', '.')
    .addOption(serverOption())
    .addOption(tokenOption())
    .option('--json', 'print the API answer as JSON')
    .action((connector: string, options: Record<string, unknown>) => {
      setCode(import('./commands/push.js').then((m) => m.pushCommand(connector, options, reporter)));
    });

  const recipes = program.command('recipes').description('Recipes on a Weft server.');
  const recipeCommand = (name: string, description: string) =>
    recipes
      .command(name)
      .description(description)
      .addOption(serverOption())
      .addOption(tokenOption())
      .option('--json', 'print the API answer as JSON');
  const recipesModule = () => import('./commands/recipes.js');
  recipeCommand('list', 'List recipes, oldest first.')
    .addOption(new Option('--status <status>', 'only recipes with this status').choices(['running', 'stopped']))
    .action((options: Record<string, unknown>) => {
      setCode(recipesModule().then((m) => m.recipesList(options, reporter)));
    });
  recipeCommand('get', 'Show one recipe.')
    .argument('<id>', 'the recipe id')
    .action((id: string, options: Record<string, unknown>) => {
      setCode(recipesModule().then((m) => m.recipesGet(id, options, reporter)));
    });
  recipeCommand('create', 'Create a recipe from a JSON or YAML file (it starts stopped).')
    .argument('<file>', 'the recipe, as .json or .yaml')
    .action((file: string, options: Record<string, unknown>) => {
      setCode(recipesModule().then((m) => m.recipesCreate(file, options, reporter)));
    });
  recipeCommand('update', 'Replace a stopped recipe with the one in a JSON or YAML file.')
    .argument('<id>', 'the recipe id')
    .argument('<file>', 'the recipe, as .json or .yaml')
    .action((id: string, file: string, options: Record<string, unknown>) => {
      setCode(recipesModule().then((m) => m.recipesUpdate(id, file, options, reporter)));
    });
  recipeCommand('start', 'Start a recipe.')
    .argument('<id>', 'the recipe id')
    .action((id: string, options: Record<string, unknown>) => {
      setCode(recipesModule().then((m) => m.recipesStart(id, options, reporter)));
    });
  recipeCommand('stop', 'Stop a recipe.')
    .argument('<id>', 'the recipe id')
    .action((id: string, options: Record<string, unknown>) => {
      setCode(recipesModule().then((m) => m.recipesStop(id, options, reporter)));
    });
  recipeCommand('delete', 'Delete a stopped recipe with its jobs.')
    .argument('<id>', 'the recipe id')
    .action((id: string, options: Record<string, unknown>) => {
      setCode(recipesModule().then((m) => m.recipesDelete(id, options, reporter)));
    });

  const jobs = program.command('jobs').description('Jobs on a Weft server, newest first.');
  const jobCommand = (name: string, description: string) =>
    jobs
      .command(name)
      .description(description)
      .addOption(serverOption())
      .addOption(tokenOption())
      .option('--json', 'print the API answer as JSON');
  const jobsModule = () => import('./commands/jobs.js');
  jobCommand('list', 'List jobs, newest first.')
    .option('--recipe <id>', "only this recipe's jobs")
    .addOption(
      new Option('--status <status>', 'only jobs with this status').choices([
        'pending',
        'running',
        'suspended',
        'succeeded',
        'failed',
        'stopped',
      ]),
    )
    .addOption(new Option('--limit <n>', 'at most this many jobs (1 to 1000)').default('20').argParser(parsePositive))
    .option('--cursor <cursor>', 'the next page, as printed by the previous one')
    .action((options: Record<string, unknown>) => {
      setCode(jobsModule().then((m) => m.jobsList(options, reporter)));
    });
  jobCommand('get', 'Show one job with its steps.')
    .argument('<id>', 'the job id')
    .action((id: string, options: Record<string, unknown>) => {
      setCode(jobsModule().then((m) => m.jobsGet(id, options, reporter)));
    });
  jobCommand('rerun', 'Run a finished job again from the same trigger event.')
    .argument('<id>', 'the job id')
    .action((id: string, options: Record<string, unknown>) => {
      setCode(jobsModule().then((m) => m.jobsRerun(id, options, reporter)));
    });

  const settings = program
    .command('settings')
    .description('Encrypt or decrypt a settings file (settings.yaml <-> settings.yaml.enc).');
  settings
    .command('encrypt')
    .description('Encrypt a settings file with AES-256-GCM into <file>.enc; creates master.key if no key is set.')
    .argument('[file]', 'the plain settings file', 'settings.yaml')
    .option('--force', 'replace an existing encrypted file')
    .option('--remove-plain', 'delete the plain file once the encrypted one is written')
    .action((file: string, options: { force?: boolean; removePlain?: boolean }) => {
      setCode(import('./commands/settings.js').then((m) => m.encryptCommand(file, options, reporter)));
    });
  settings
    .command('decrypt')
    .description('Print the decrypted settings on stdout (or write them to --output).')
    .argument('[file]', 'the encrypted settings file', 'settings.yaml.enc')
    .option('--output <file>', 'write the plain settings to this file (mode 0600) instead of stdout')
    .option('--force', 'with --output: replace an existing file')
    .action((file: string, options: { output?: string; force?: boolean }) => {
      setCode(import('./commands/settings.js').then((m) => m.decryptCommand(file, options, reporter)));
    });

  program
    .command('edit')
    .description('Edit encrypted settings in $VISUAL or $EDITOR (default vi) and encrypt them again.')
    .argument('[file]', 'the encrypted settings file', 'settings.yaml.enc')
    .option('--from <file>', 'start from this file (the recovery file of a failed edit)')
    .action((file: string, options: { from?: string }) => {
      setCode(import('./commands/edit.js').then((m) => m.editCommand(file, options, reporter)));
    });

  return program;
}

/** Where the API commands find the server and its admin token. */
function serverOption(): Option {
  return new Option('--server <url>', 'the Weft server (default: WEFT_URL or http://127.0.0.1:4000)');
}

function tokenOption(): Option {
  return new Option('--token <token>', 'the admin API token (default: WEFT_TOKEN, else $WEFT_HOME/admin.token)');
}

/** Data flags take inline JSON, @file or a file path (see io.ts). */
function configFieldsOption(description: string): Option {
  return new Option('--config-fields <json|@file>', description);
}

function argsOption(description: string): Option {
  return new Option('--args <json|@file>', description);
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function parsePositive(value: string): string {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new CommanderError(2, 'weft.usage', `must be a positive integer, got "${value}"`);
  return value;
}

export async function main(argv: string[]): Promise<number> {
  const reporter = createReporter({ verbose: argv.includes('--verbose') });
  let pending: Promise<number> | undefined;
  const program = buildProgram(reporter, (code) => {
    pending = code;
  });
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT.usage;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      ) {
        return EXIT.ok;
      }
      if (error.code === 'weft.usage') {
        reporter.fail(error);
        return EXIT.usage;
      }
      // commander already printed its message; add where to look.
      process.stderr.write("Run 'weft --help' (or 'weft <command> --help') for usage.\n");
      return EXIT.usage;
    }
    reporter.fail(error);
    return EXIT.failed;
  }
  return pending ? await pending.catch((error) => reporter.fail(error)) : EXIT.ok;
}
