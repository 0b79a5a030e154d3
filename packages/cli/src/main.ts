/**
 * The `weft` command. Every user mistake ends in one message on stderr and a non-zero exit
 * code; stacks only with --verbose.
 */
import { Command, CommanderError } from 'commander';
import { addFlags } from './flag-table.js';
import {
  AGENT_FLAGS,
  type AgentFlags,
  API_FLAGS,
  CHECK_FLAGS,
  type CheckFlags,
  DB_COPY_FLAGS,
  type DbCopyFlags,
  DECRYPT_FLAGS,
  type DecryptFlags,
  EDIT_FLAGS,
  type EditFlags,
  ENCRYPT_FLAGS,
  type EncryptFlags,
  EXEC_FLAGS,
  type ExecFlags,
  GENERATE_TEST_FLAGS,
  type GenerateFlags,
  IMPORT_OPENAPI_FLAGS,
  type ImportOpenApiFlags,
  JOBS_LIST_FLAGS,
  type JobFlags,
  LISTEN_FLAGS,
  type ListenFlags,
  MCP_FLAGS,
  type McpFlags,
  NEW_FLAGS,
  type NewFlags,
  OAUTH2_FLAGS,
  type OAuth2Flags,
  type PushFlags,
  RECIPES_LIST_FLAGS,
  type RecipeFlags,
  SERVE_FLAGS,
  type ServeFlags,
  TEST_FLAGS,
  type TestFlags,
} from './flags.js';
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

  addFlags(program.command('exec'), EXEC_FLAGS)
    .description(
      'Run one operation of a connector (an action, a trigger poll, a pick list, ...) and print its result as JSON.',
    )
    .argument(
      '<path>',
      'what to run, e.g. test, actions.create_contact.execute, triggers.new_contact.poll, pick_lists.statuses',
    )
    .action((path: string, options: ExecFlags) => {
      setCode(import('./commands/exec.js').then((m) => m.execCommand(path, options, reporter)));
    });

  addFlags(program.command('listen'), LISTEN_FLAGS)
    .description(
      'Receive webhooks for one trigger on a local server: subscribe (dynamic webhooks), print each event as a JSON line, unsubscribe on Ctrl-C.',
    )
    .argument('<connector>', 'the connector file or folder (. for the current folder)')
    .argument('<trigger>', 'the trigger, e.g. triggers.new_issue (or just new_issue)')
    .action((connector: string, trigger: string, options: ListenFlags) => {
      setCode(import('./commands/listen.js').then((m) => m.listenCommand(connector, trigger, options, reporter)));
    });

  addFlags(program.command('mcp'), MCP_FLAGS)
    .description(
      "Serve a connector's actions as Model Context Protocol tools over stdio, for an AI assistant (stdout carries MCP only).",
    )
    .argument('[connector]', 'the connector file or folder', '.')
    .action((connector: string, options: McpFlags) => {
      setCode(import('./commands/mcp.js').then((m) => m.mcpCommand(connector, options, reporter)));
    });

  program
    .command('validate')
    .description('Check a connector definition and list every problem by its path.')
    .argument('[connector]', 'the connector file or folder', '.')
    .action((connector: string) => {
      setCode(import('./commands/validate.js').then((m) => m.validateCommand(connector, reporter)));
    });

  addFlags(program.command('check'), CHECK_FLAGS)
    .description(
      'Contract checks: fields resolve, sample and recorded outputs match the output fields, pick lists return [label, value] pairs, triggers define dedup.',
    )
    .argument('[connector]', 'the connector file or folder', '.')
    .action((connector: string, options: CheckFlags) => {
      setCode(import('./commands/check.js').then((m) => m.checkCommand(connector, options, reporter)));
    });

  addFlags(program.command('test'), TEST_FLAGS)
    .description(
      "Run the connector project's tests (Vitest, replaying cassettes), then the contract checks. Other arguments go to Vitest.",
    )
    .argument('[vitest-args...]', 'arguments for Vitest, e.g. a file filter or -t <name>')
    .allowUnknownOption()
    .action((vitestArgs: string[], options: TestFlags) => {
      setCode(import('./commands/test.js').then((m) => m.testCommand(vitestArgs, options, reporter)));
    });

  const generate = program.command('generate').description('Generate files for a connector project.');
  addFlags(generate.command('test'), GENERATE_TEST_FLAGS)
    .description(
      'Write a Vitest test per action or trigger (tests/<name>.test.ts) with an input fixture and a cassette slot.',
    )
    .action((options: GenerateFlags) => {
      setCode(import('./commands/generate.js').then((m) => m.generateTestCommand(options, reporter)));
    });

  const importCommand = program.command('import').description('Create connector projects from API descriptions.');
  addFlags(importCommand.command('openapi'), IMPORT_OPENAPI_FLAGS)
    .description(
      'Write a connector project from a Swagger 2.0 or OpenAPI 3.x description: actions from operations, the connection from security schemes and servers.',
    )
    .argument('<spec>', 'the spec: a .yaml or .json file, or an http(s) URL of one')
    .action((spec: string, options: ImportOpenApiFlags) => {
      setCode(import('./commands/import-openapi.js').then((m) => m.importOpenApiCommand(spec, options, reporter)));
    });

  addFlags(program.command('oauth2'), OAUTH2_FLAGS)
    .description(
      'Authorize a connection with OAuth2 in the browser (authorization-code grant, PKCE when the connector asks) and store its tokens in the settings file.',
    )
    .action((options: OAuth2Flags) => {
      setCode(import('./commands/oauth2.js').then((m) => m.oauth2Command(options, reporter)));
    });

  addFlags(program.command('new'), NEW_FLAGS)
    .description('Create a connector project that runs with `weft exec` right away.')
    .argument('<dir>', 'the folder to create (must not exist or be empty)')
    .action((dir: string, options: NewFlags) => {
      setCode(import('./commands/new.js').then((m) => m.newCommand(dir, options, reporter)));
    });

  addFlags(program.command('serve'), SERVE_FLAGS)
    .description(
      'Run Weft: recipes, jobs, webhooks and the API, on the embedded store in $WEFT_HOME (default ./.weft).',
    )
    .action((options: ServeFlags) => {
      setCode(import('./commands/serve.js').then((m) => m.serveCommand(options, reporter)));
    });

  addFlags(program.command('agent'), AGENT_FLAGS)
    .description(
      'Run an on-premises agent: dial out to a Weft server and carry its HTTP requests to the targets agent.yaml allows.',
    )
    .action((options: AgentFlags) => {
      setCode(import('./commands/agent.js').then((m) => m.agentCommand(options, reporter)));
    });

  addFlags(program.command('push'), API_FLAGS)
    .description(
      'Send a connector to a Weft server: bundled and checked here, validated there, kept as a new version when it changed.',
    )
    .argument('[connector]', 'the connector file or folder', '.')
    .action((connector: string, options: PushFlags) => {
      setCode(import('./commands/push.js').then((m) => m.pushCommand(connector, options, reporter)));
    });

  const recipes = program.command('recipes').description('Recipes on a Weft server.');
  const recipeCommand = (name: string, description: string) =>
    addFlags(recipes.command(name).description(description), API_FLAGS);
  const recipesModule = () => import('./commands/recipes.js');
  addFlags(recipeCommand('list', 'List recipes, oldest first.'), RECIPES_LIST_FLAGS).action((options: RecipeFlags) => {
    setCode(recipesModule().then((m) => m.recipesList(options, reporter)));
  });
  recipeCommand('get', 'Show one recipe.')
    .argument('<id>', 'the recipe id')
    .action((id: string, options: RecipeFlags) => {
      setCode(recipesModule().then((m) => m.recipesGet(id, options, reporter)));
    });
  recipeCommand('create', 'Create a recipe from a JSON or YAML file (it starts stopped).')
    .argument('<file>', 'the recipe, as .json or .yaml')
    .action((file: string, options: RecipeFlags) => {
      setCode(recipesModule().then((m) => m.recipesCreate(file, options, reporter)));
    });
  recipeCommand('update', 'Replace a stopped recipe with the one in a JSON or YAML file.')
    .argument('<id>', 'the recipe id')
    .argument('<file>', 'the recipe, as .json or .yaml')
    .action((id: string, file: string, options: RecipeFlags) => {
      setCode(recipesModule().then((m) => m.recipesUpdate(id, file, options, reporter)));
    });
  recipeCommand('start', 'Start a recipe.')
    .argument('<id>', 'the recipe id')
    .action((id: string, options: RecipeFlags) => {
      setCode(recipesModule().then((m) => m.recipesStart(id, options, reporter)));
    });
  recipeCommand('stop', 'Stop a recipe.')
    .argument('<id>', 'the recipe id')
    .action((id: string, options: RecipeFlags) => {
      setCode(recipesModule().then((m) => m.recipesStop(id, options, reporter)));
    });
  recipeCommand('delete', 'Delete a stopped recipe with its jobs.')
    .argument('<id>', 'the recipe id')
    .action((id: string, options: RecipeFlags) => {
      setCode(recipesModule().then((m) => m.recipesDelete(id, options, reporter)));
    });

  const jobs = program.command('jobs').description('Jobs on a Weft server, newest first.');
  const jobCommand = (name: string, description: string) =>
    addFlags(jobs.command(name).description(description), API_FLAGS);
  const jobsModule = () => import('./commands/jobs.js');
  addFlags(jobCommand('list', 'List jobs, newest first.'), JOBS_LIST_FLAGS).action((options: JobFlags) => {
    setCode(jobsModule().then((m) => m.jobsList(options, reporter)));
  });
  jobCommand('get', 'Show one job with its steps.')
    .argument('<id>', 'the job id')
    .action((id: string, options: JobFlags) => {
      setCode(jobsModule().then((m) => m.jobsGet(id, options, reporter)));
    });
  jobCommand('rerun', 'Run a finished job again from the same trigger event.')
    .argument('<id>', 'the job id')
    .action((id: string, options: JobFlags) => {
      setCode(jobsModule().then((m) => m.jobsRerun(id, options, reporter)));
    });

  const db = program.command('db').description('The store: move an installation between stores.');
  addFlags(db.command('copy'), DB_COPY_FLAGS)
    .description(
      'Copy every record of a store (a WEFT_HOME, or postgres://) into an empty one; no server may run on either.',
    )
    .action((options: DbCopyFlags) => {
      setCode(import('./commands/db.js').then((m) => m.dbCopyCommand(options, reporter)));
    });

  const settings = program
    .command('settings')
    .description('Encrypt or decrypt a settings file (settings.yaml <-> settings.yaml.enc).');
  addFlags(settings.command('encrypt'), ENCRYPT_FLAGS)
    .description('Encrypt a settings file with AES-256-GCM into <file>.enc; creates master.key if no key is set.')
    .argument('[file]', 'the plain settings file', 'settings.yaml')
    .action((file: string, options: EncryptFlags) => {
      setCode(import('./commands/settings.js').then((m) => m.encryptCommand(file, options, reporter)));
    });
  addFlags(settings.command('decrypt'), DECRYPT_FLAGS)
    .description('Print the decrypted settings on stdout (or write them to --output).')
    .argument('[file]', 'the encrypted settings file', 'settings.yaml.enc')
    .action((file: string, options: DecryptFlags) => {
      setCode(import('./commands/settings.js').then((m) => m.decryptCommand(file, options, reporter)));
    });

  addFlags(program.command('edit'), EDIT_FLAGS)
    .description('Edit encrypted settings in $VISUAL or $EDITOR (default vi) and encrypt them again.')
    .argument('[file]', 'the encrypted settings file', 'settings.yaml.enc')
    .action((file: string, options: EditFlags) => {
      setCode(import('./commands/edit.js').then((m) => m.editCommand(file, options, reporter)));
    });

  return program;
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
