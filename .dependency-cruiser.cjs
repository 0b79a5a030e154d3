/**
 * The layers of the repository, checked by `npm run lint` (dependency-cruiser, on the TypeScript
 * sources). Each rule holds today and must keep holding; docs/architecture.md says why.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'sdk-stays-below',
      comment: 'The SDK is the bottom of the stack: it never imports the platform, the CLI or the console.',
      severity: 'error',
      from: { path: '^packages/sdk/' },
      to: { path: '^packages/(platform|cli|console)/|(^|/)@weft/(platform|cli|console)(/|$)' },
    },
    {
      name: 'console-imports-the-pure-sdk-only',
      comment:
        'The console app runs in a browser: of other packages it imports only @weft/sdk/model and @weft/sdk/ngif, which are pure. (Its tests in test/ run a server.)',
      severity: 'error',
      from: { path: '^packages/console/src/' },
      to: {
        path: '^packages/(sdk|platform|cli)/|(^|/)@weft/',
        pathNot: '^packages/sdk/(src|dist)/(model/|schema/ngif\\.)|^@weft/sdk/(model|ngif)$',
      },
    },
    {
      name: 'console-facing-sdk-is-pure',
      comment: 'What the console imports from the SDK uses no Node modules (it is bundled for the browser).',
      severity: 'error',
      from: { path: '^packages/sdk/src/(model/|schema/ngif\\.ts$|errors\\.ts$)', pathNot: '\\.test\\.ts$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'model-imports-only-the-model',
      comment: '@weft/sdk/model is the bottom layer of the SDK: its modules import only each other.',
      severity: 'error',
      from: { path: '^packages/sdk/src/model/', pathNot: '\\.test\\.ts$' },
      to: { pathNot: '^packages/sdk/src/model/' },
    },
    {
      name: 'sdk-root-is-the-authoring-api',
      comment:
        '@weft/sdk (src/index.ts) is what connector code imports: definitions, types, errors, pure helpers. Running connectors (execute, load, validate, poll/webhook hosts, redaction, OAuth2 protocol) is exported from @weft/sdk/runtime and @weft/sdk/oauth2 instead.',
      severity: 'error',
      from: { path: '^packages/sdk/src/index\\.ts$' },
      to: {
        path: '^packages/sdk/src/((execute|load|validate|operations|host|testing)/|(runtime|oauth2|redact)\\.ts$|auth/(flow|oauth2|refresh)\\.ts$|triggers/(dedup|poll|reply|seen|webhooks)\\.ts$)',
      },
    },
    {
      name: 'connector-code-imports-the-authoring-api',
      comment:
        'An example connector (connectors/*/connector.ts) imports @weft/sdk only: what it runs on is the authoring API, whatever host loads it.',
      severity: 'error',
      // The built-in connectors (packages/platform/builtins/*) are connector folders too.
      from: { path: '^(connectors|packages/platform/builtins)/[^/]+/connector\\.ts$' },
      to: { path: '^packages/', pathNot: '^packages/sdk/src/index\\.ts$|^packages/platform/builtins/' },
    },
    {
      name: 'builtins-are-self-contained-connectors',
      comment:
        'A built-in connector (packages/platform/builtins/<name>/) is an ordinary connector folder shipped in the platform package: its code imports @weft/sdk and its own folder only, so the folder works wherever it is copied or installed.',
      severity: 'error',
      from: { path: '^packages/platform/builtins/([^/]+)/[^/.]+\\.ts$' },
      to: {
        path: '^(packages|connectors)/',
        pathNot: '^packages/sdk/src/index\\.ts$|^packages/platform/builtins/$1/',
      },
    },
    {
      name: 'connector-tests-use-public-entries',
      comment:
        "Tests of the example and built-in connectors use the public entries of @weft/sdk (root, /runtime, /oauth2, /testing, /settings), as a connector project would: never SDK internals or the platform. (They may run the `weft` command through the CLI's test helpers.)",
      severity: 'error',
      from: { path: '^(connectors|packages/platform/builtins)/' },
      to: {
        path: '^packages/',
        pathNot:
          '^packages/sdk/src/((index|runtime|oauth2)\\.ts|testing/index\\.ts|host/settings\\.ts)$|^packages/cli/src/test-helpers\\.ts$|^packages/platform/builtins/',
      },
    },
    {
      name: 'platform-never-imports-the-cli',
      comment: 'The CLI runs the platform (`weft serve`), not the other way round.',
      severity: 'error',
      from: { path: '^packages/platform/', pathNot: '^packages/platform/builtins/[^/]+/[^/]+\\.test\\.ts$' },
      to: { path: '^packages/cli/|(^|/)@weft/cli(/|$)' },
    },
    {
      name: 'no-cycles',
      comment: 'Modules form layers without arrows back up (issue 12): no import cycles, type-only ones included.',
      severity: 'error',
      from: { path: '^packages/(sdk|platform|cli|console)/src/' },
      to: { circular: true },
    },
  ],
  options: {
    // The sources, not the build: a clean clone is checked before anything is compiled.
    exclude: { path: '/(dist|node_modules)/|__fixtures__/|__cassettes__/' },
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count too: a type cycle is still a cycle for the reader.
    tsPreCompilationDeps: true,
    // How imports resolve to TypeScript sources (`@weft/sdk/model`, `./x.js` → `./x.ts`).
    webpackConfig: { fileName: '.dependency-cruiser.resolve.cjs' },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
