// The composite action's shell steps, run as GitHub would run them: bash, the step's env, a
// real `akbp plan` (against the embedded sandbox) and a stand-in `gh` that keeps PR comments in
// a JSON file, so the sticky-comment logic (find by marker, then PATCH or POST) is exercised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { tempDir } from './helpers.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

interface Step {
  name?: string;
  run?: string;
  env?: Record<string, string>;
}

const fakeGh = `#!/usr/bin/env node
// Minimal 'gh api' over a JSON file of comments: GET list (with --jq evaluated for the marker
// query the action uses), PATCH one, POST one.
const fs = require('node:fs');
const file = process.env.FAKE_GH_STATE;
const state = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : { next: 100, comments: [], calls: [] };
const args = process.argv.slice(2);
const method = args.includes('--method') ? args[args.indexOf('--method') + 1] : 'GET';
const path = args.find((a) => a.startsWith('repos/'));
const bodyArg = args.find((a) => a.startsWith('body=@'));
const body = bodyArg ? fs.readFileSync(bodyArg.slice(6), 'utf8') : undefined;
state.calls.push({ method, path });
if (method === 'GET') {
  const hit = state.comments.find((c) => c.body.includes('<!-- akbp-plan -->'));
  if (hit) process.stdout.write(String(hit.id) + '\\n');
} else if (method === 'PATCH') {
  const id = Number(path.split('/').pop());
  state.comments.find((c) => c.id === id).body = body;
} else {
  state.comments.push({ id: state.next++, body });
}
fs.writeFileSync(file, JSON.stringify(state));
`;

async function stepsOf(): Promise<Step[]> {
  const action = parse(await readFile(join(root, 'action.yml'), 'utf8')) as { runs: { steps: Step[] } };
  return action.runs.steps;
}

test('action.yml: plan → one sticky comment created, then updated in place; errors fail the check', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const steps = await stepsOf();
  const planStep = steps.find((s) => s.name?.startsWith('akbp'))!;
  const sticky = steps.find((s) => s.name === 'Sticky PR comment')!;
  const failStep = steps.find((s) => s.name === 'Fail on errors')! as Step & { if: string };
  assert.ok(planStep.run && sticky.run && failStep);
  assert.equal(failStep.if, "steps.akbp.outputs.exitcode == '1'");

  const bin = join(dir, 'bin');
  await mkdir(bin);
  await writeFile(join(bin, 'gh'), fakeGh);
  await chmod(join(bin, 'gh'), 0o755);
  // bin/akbp.js runs the built dist/; the source CLI through tsx is the same program.
  const akbp = join(dir, 'akbp.mjs');
  await writeFile(
    akbp,
    `import { main } from ${JSON.stringify(pathToFileURL(join(root, 'src/cli/main.ts')).href)};\nmain(process.argv).then((c) => { process.exitCode = c; });\n`,
  );
  const bps = join(dir, 'blueprints');
  await mkdir(bps);
  await writeFile(join(bps, 'g.yaml'), 'version: 1\nentries:\n  - model: authentik_core.group\n    identifiers:\n      name: reviewers\n');
  const ghState = join(dir, 'gh.json');
  const base = {
    PATH: `${bin}:${process.env.PATH}`,
    HOME: process.env.HOME ?? dir,
    RUNNER_TEMP: dir,
    NODE_OPTIONS: `--import=${pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href}`,
    NODE_NO_WARNINGS: '1',
    FAKE_GH_STATE: ghState,
    GH_TOKEN: 'x',
    PR: '7',
    REPO: 'org/repo',
  };

  const planOnce = async () => {
    const outputs = join(dir, `out-${Math.random()}`);
    const summary = join(dir, 'summary.md');
    await writeFile(outputs, '');
    await run('bash', ['-e', '-c', planStep.run!], {
      cwd: dir,
      env: {
        ...base,
        GITHUB_OUTPUT: outputs,
        GITHUB_STEP_SUMMARY: summary,
        AKBP_COMMAND: 'plan',
        AKBP_SOURCES: 'blueprints/',
        AKBP_ARGS: '--sandbox',
        AKBP_BIN: akbp,
        CI: 'true',
      },
    });
    const o = Object.fromEntries(
      (await readFile(outputs, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => l.split('=') as [string, string]),
    );
    await run('bash', ['-c', sticky.run!], { cwd: dir, env: { ...base, OUT: o.output!, CODE: o.exitcode! } });
    return { o, state: JSON.parse(await readFile(ghState, 'utf8')) as { comments: { id: number; body: string }[]; calls: { method: string }[] } };
  };

  const first = await planOnce();
  assert.equal(first.o.exitcode, '2', 'changes → detailed exit code 2');
  assert.equal(first.o['has-changes'], 'true');
  assert.equal(first.state.comments.length, 1);
  assert.match(first.state.comments[0]!.body, /<!-- akbp-plan -->/);
  assert.match(first.state.comments[0]!.body, /reviewers/);

  await writeFile(join(bps, 'g.yaml'), 'version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: [\n');
  const second = await planOnce();
  assert.equal(second.o.exitcode, '1', 'errors → exit 1, which the "Fail on errors" step turns into a failed check');
  assert.equal(second.state.comments.length, 1, 'still one comment');
  assert.equal(second.state.comments[0]!.id, first.state.comments[0]!.id);
  assert.match(second.state.comments[0]!.body, /akbp plan failed|error AKB/);
  assert.deepEqual(
    second.state.calls.map((c) => c.method),
    ['GET', 'POST', 'GET', 'PATCH'],
  );
});
