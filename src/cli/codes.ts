// Diagnostics the command line raises itself (AKB90xx).
import { codeDef as def } from '../diag/index.js';

export const CLI_CODES = {
  ociUnresolved: def('AKB9001', 'error', 'oci:// blueprint path does not resolve (validate --resolve-oci)', {
    unresolved: 'OCI blueprint {{path}} cannot be resolved: {{why}}',
    unresolvedDetail: 'expected an existing tag or digest in a reachable registry',
  }),
  usage: def('AKB9002', 'error', 'the command line is not usable as given (unknown or conflicting options, busy port); exit 2', {
    portBusy: 'cannot listen: {{why}} (another process uses that port; choose another with --listen)',
    cannotListen: 'cannot listen: {{why}}',
    configYaml: '{{at}}: not valid YAML: {{why}}',
    configNotMapping: '{{path}}:1: expected a mapping of settings (authentik-version, server, state, sources, …)',
    configSecret:
      '{{at}}: `{{key}}` does not belong in akbp.config.yaml (it is committed with the blueprints); use the environment (AUTHENTIK_TOKEN, AKBP_WEBHOOK_SECRET, AKBP_REGISTRY_AUTH)',
    configUnknown: '{{at}}: unknown setting `{{key}}`; expected one of {{known}}',
    configType: '{{at}}: `{{key}}` expects {{what}}, got {{got}}',
    cannotRead: 'cannot read {{file}}: {{why}}',
    maxFileSize: '--max-file-size {{value}} is not a size; expected e.g. 4194304, 512k or 8MiB',
    versionNotBundled: '--authentik-version {{version}} is not bundled; use 2023.6 or 2026.5 (or --schema-from-server with --server)',
    concurrency: '--concurrency {{value}}: expected a whole number from 1 to 256',
    sandboxAndServer: '--sandbox cannot be combined with {{option}}: choose the embedded sandbox or a real server',
    noServer: '{{why}} (or use --sandbox to try akbp on the embedded sandbox)',
    lockTimeout: '--lock-timeout: not a duration: {{value}} (use e.g. 30s, 5m)',
    unknownCode: 'unknown diagnostic code {{code}}; `akbp explain --list` lists them',
    importArguments: 'akbp import needs SOURCE... ENTRY_KEY PK (at least one source)',
    refresh: '--refresh {{value}}: expected a number of seconds ≥ 0, e.g. --refresh 60',
    listen: '--listen expects HOST:PORT, got "{{value}}"',
    listenPort: '--listen port out of range: {{port}}',
    serveSource: 'serve needs at least one --source',
    interval: '--interval: {{why}}',
    numberRange: '{{name}} must be a number between {{min}} and {{max}}, got "{{value}}"',
    sandboxListen: '--listen wants HOST:PORT (e.g. 127.0.0.1:9000), got "{{value}}"',
    sandboxVersion: '--authentik-version {{version}} is not bundled; use 2023.6 or 2026.5',
    unknownFault: '--faults: unknown fault "{{fault}}" (known: {{known}})',
    faultPhase: '--fault-phase is "before" or "after"',
    sandboxCannotListen: 'cannot listen on {{listen}}: {{why}}',
    applyMarkdown: 'apply prints text or json; --format markdown is for `akbp plan` (a review comment)',
    daemonSecret: '--daemon-url needs a secret: --webhook-secret or AKBP_WEBHOOK_SECRET',
    daemonArguments: 'apply arguments after -- are only used without --daemon-url',
    maxDeletes: '--max-deletes expects a whole number, got "{{value}}"',
    graphFormat: '--graph needs --format markdown (the graph is a Mermaid block in the Markdown plan); got --format {{format}}',
    severalWorkspaces: '{{store}} holds several workspaces ({{workspaces}}); choose one with --workspace',
  }),
  approval: def('AKB9003', 'error', 'apply could not ask for approval (no terminal) and neither --yes nor CI=true was given', {
    noTerminal:
      'error asking for approval: no terminal to ask on, so the {{count}} change(s) were not applied. Review the plan above, then run again with --yes (or CI=true).',
  }),
  unreachable: def('AKB9004', 'error', 'the server could not be reached', {
    unreachable: 'server unreachable: {{why}}',
    unreachableDetail: 'expected an authentik server at --server / AUTHENTIK_URL',
  }),
  source: def('AKB9005', 'error', 'a source could not be read'),
  config: def('AKB9006', 'error', 'akbp.config.yaml is not valid'),
} as const;
