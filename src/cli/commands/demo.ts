// `akbp demo` (npm run demo): applies examples/blueprints/ (or blueprints-2023.6/) to the embedded
// sandbox, then plans again to show that a second run changes nothing: the main job of akbp,
// with no server to set up.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { applyOutcome, reconcileOnce } from '../../pipeline/index.js';
import { renderApply, renderPlan } from '../../report/index.js';
import { bundledRegistry, defaultVersion } from '../../authentik/bundled.js';
import type { CliContext } from '../context.js';
import { useColor } from '../options.js';
import { action, textsOf } from '../run.js';
import { connectTarget } from '../target.js';
import { targetDeps } from '../state-store.js';

/** The example set written for each bundled version (their REST shapes differ, e.g. redirect_uris). */
const examplesFor = (version: string) =>
  fileURLToPath(new URL(version === '2023.6' ? '../../../examples/blueprints-2023.6/' : '../../../examples/blueprints/', import.meta.url));

export function register(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description('Apply the bundled examples to the embedded sandbox, then plan again (expect no changes)')
    .option('--authentik-version <version>', 'sandbox version: 2023.6 or 2026.5', defaultVersion())
    .addHelpText('after', '\nExamples:\n  npm run demo\n  npm run demo -- --authentik-version 2023.6\n')
    .action(
      action(ctx, async (opts: { authentikVersion: string }) => {
        const color = useColor(ctx.io.isTTY, ctx.env);
        const target = await connectTarget({ sandbox: true, authentikVersion: opts.authentikVersion }, ctx);
        let cleanup = () => {};
        try {
          // A throw-away ownership state, so the password digest survives from apply to the second plan.
          const stateDir = mkdtempSync(join(tmpdir(), 'akbp-demo-'));
          cleanup = () => rmSync(stateDir, { recursive: true, force: true });
          const deps = targetDeps({ state: join(stateDir, 'state.json') }, ctx, bundledRegistry(opts.authentikVersion), target.client);
          const spec = { sources: [examplesFor(opts.authentikVersion)], mode: 'plan' as const };
          ctx.io.stdout(`== 1. plan ${spec.sources[0]} against the ${target.description}\n\n`);
          const planned = await reconcileOnce(spec, deps);
          const texts = textsOf(planned.texts);
          if (planned.plan) ctx.io.stdout(renderPlan(planned.plan, { format: 'text', color, texts }));
          if (!planned.ok || !planned.plan) {
            ctx.io.stdout(`${planned.diagnostics.map((d) => `${d.code} ${d.summary}`).join('\n')}\n`);
            ctx.exitCode = 1;
            return;
          }
          ctx.io.stdout(`\n== 2. apply\n\n`);
          const before = target.client.requestCount();
          const applied = await applyOutcome(planned, { ...spec, mode: 'apply' }, deps);
          if (applied.apply) ctx.io.stdout(renderApply(applied.apply, planned.plan, { format: 'text', color, texts }));
          if (!applied.ok) {
            ctx.exitCode = 1;
            return;
          }
          ctx.io.stdout(`\n== 3. plan again: the server now matches the blueprints\n\n`);
          const again = await reconcileOnce(spec, deps);
          if (again.plan) ctx.io.stdout(renderPlan(again.plan, { format: 'text', color, texts: textsOf(again.texts) }));
          const changes = again.plan ? again.plan.summary.create + again.plan.summary.update + again.plan.summary.delete : -1;
          ctx.io.stdout(`\nDemo finished: ${target.client.requestCount() - before} requests since the first plan; second plan has ${changes} change(s).\n`);
          ctx.exitCode = again.ok && changes === 0 ? 0 : 1;
        } finally {
          cleanup();
          await target.close();
        }
      }),
    );
}
