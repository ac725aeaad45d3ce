// The Action's akbp step as the shipped workflow uses it: a plan job on one fresh runner saves the
// plan (`plan-file`), an apply job on another fresh runner applies exactly that file, the
// ownership record kept on the server (`state: authentik`). Run with bash and the step's env.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

interface Step {
  name?: string;
  run?: string;
}

test('action.yml: the plan job saves the reviewed plan, the apply job on a fresh runner applies exactly it', async () => {
  const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as { runs: { steps: Step[] }; inputs: Record<string, unknown> };
  for (const input of ['state', 'state-key', 'workspace', 'plan-file']) assert.ok(action.inputs[input], `input ${input}`);
  const step = action.runs.steps.find((s) => s.name?.startsWith('akbp'))!;
  const dir = mkdtempSync(join(tmpdir(), 'akbp-action-'));
  try {
    const akbp = join(dir, 'akbp.mjs');
    writeFileSync(
      akbp,
      `import { main } from ${JSON.stringify(pathToFileURL(join(root, 'src/cli/main.ts')).href)};\nmain(process.argv).then((c) => { process.exitCode = c; });\n`,
    );
    const sandbox = join(dir, 'server.json');
    const bp =
      'version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: action-reviewers}\n  - model: authentik_core.user\n    identifiers: {username: action-user}\n    attrs: {name: A, password: CANARY-action-pw}\n';
    const job = async (name: string, command: string) => {
      const cwd = join(dir, name);
      mkdirSync(join(cwd, 'blueprints'), { recursive: true });
      writeFileSync(join(cwd, 'blueprints', 'team.yaml'), bp);
      const outputs = join(cwd, 'outputs');
      writeFileSync(outputs, '');
      const env = {
        PATH: process.env.PATH,
        HOME: cwd,
        RUNNER_TEMP: cwd,
        GITHUB_OUTPUT: outputs,
        GITHUB_STEP_SUMMARY: join(cwd, 'summary.md'),
        NODE_OPTIONS: `--import=${import.meta.resolve('tsx')}`,
        NODE_NO_WARNINGS: '1',
        CI: 'true',
        AKBP_COMMAND: command,
        AKBP_SOURCES: 'blueprints/',
        AKBP_ARGS: `--sandbox ${sandbox}`,
        AKBP_BIN: akbp,
        AKBP_STATE: 'authentik',
        AKBP_STATE_KEY: 'CANARY-action-state-key-5566',
        AKBP_WORKSPACE: '',
        AKBP_PLAN_FILE: 'akbp-plan.json',
      };
      return {
        cwd,
        out: await run('bash', ['-e', '-c', step.run!], { cwd, env }),
        outputs: () =>
          Object.fromEntries(
            readFileSync(outputs, 'utf8')
              .trim()
              .split('\n')
              .map((l) => l.split('=') as [string, string]),
          ),
      };
    };
    const plan = await job('plan-runner', 'plan');
    assert.equal(plan.outputs().exitcode, '2', plan.out.stdout + plan.out.stderr);
    // The artifact: the plan job's file, downloaded into the apply job's fresh checkout.
    mkdirSync(join(dir, 'apply-runner'));
    copyFileSync(join(plan.cwd, 'akbp-plan.json'), join(dir, 'apply-runner', 'akbp-plan.json'));
    assert.ok(!readFileSync(join(plan.cwd, 'akbp-plan.json'), 'utf8').includes('CANARY'), 'the saved plan holds no secret');
    const apply = await job('apply-runner', 'apply');
    assert.equal(apply.outputs().exitcode, '0', apply.out.stdout + apply.out.stderr);
    assert.doesNotMatch(apply.out.stdout, /Plan:|to add/, 'apply did not plan again');
    const again = await job('third-runner', 'plan');
    assert.equal(again.outputs().exitcode, '0', `a fresh runner sees no changes: ${again.out.stdout}`);
    for (const o of [plan.out.stdout, apply.out.stdout, again.out.stdout]) assert.ok(!o.includes('CANARY'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
