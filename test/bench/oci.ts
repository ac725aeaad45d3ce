// OCI transfer bench (issue 15), against Debian's docker-registry on a loopback port:
//   cold pull of a 200-file artifact vs curl fetching the same blobs over one connection  ≤ 1.3×
//   cold push of the same 200 files (fresh repository) vs a re-push (every blob present)   ≤ 1.5×
//   with the requests of each: a registry without single-POST uploads (docker-registry 2.x)
//   needs POST + PUT per new blob where a re-push sends one HEAD, a floor of about 2×
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ociPull, ociPush } from '../../src/sources/index.js';
import { RegistryClient } from '../../src/sources/oci/client.js';
import { REGISTRY_BIN, startRegistry, tempDir } from '../helpers/registry.js';

type Report = (name: string, value: string, target: string, ok: boolean) => void;

const FILES = 200;
const ROUNDS = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** A blueprint of realistic size (~1.5 KiB), different per file and per round. */
function blueprint(round: number, i: number): string {
  const entries = Array.from(
    { length: 8 },
    (_, k) =>
      `  - model: authentik_core.group\n    id: g-${round}-${i}-${k}\n    identifiers: {name: group-${round}-${i}-${k}}\n    attrs: {attributes: {team: t${k}}}\n`,
  ).join('');
  return `version: 1\nmetadata:\n  name: bench-${round}-${i}\nentries:\n${entries}`;
}

/** Counts the registry requests of `fn` by method. */
async function counted(fn: () => Promise<unknown>): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const original = RegistryClient.prototype.call;
  RegistryClient.prototype.call = function (this: RegistryClient, method, path, init) {
    counts.set(method, (counts.get(method) ?? 0) + 1);
    return original.call(this, method, path, init);
  };
  try {
    await fn();
  } finally {
    RegistryClient.prototype.call = original;
  }
  return counts;
}

const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
const show = (m: Map<string, number>) => [...m].map(([k, v]) => `${v} ${k}`).join(' + ');

export async function ociBench(report: Report): Promise<void> {
  if (!existsSync(REGISTRY_BIN)) {
    console.log(`skip OCI bench: ${REGISTRY_BIN} is not installed (apt-get install docker-registry)`);
    return;
  }
  const reg = await startRegistry();
  const work = tempDir('bench-oci');
  try {
    const pulls: number[] = [];
    const curls: number[] = [];
    const pushes: number[] = [];
    const repushes: number[] = [];
    let pushRequests = new Map<string, number>();
    let repushRequests = new Map<string, number>();
    for (let round = 0; round < ROUNDS; round++) {
      const dir = join(work, `files-${round}`);
      mkdirSync(dir);
      const paths = Array.from({ length: FILES }, (_, i) => {
        const p = join(dir, `bp-${String(i).padStart(3, '0')}.yaml`);
        writeFileSync(p, blueprint(round, i));
        return p;
      });
      const ref = `oci://${reg.host}/bench/r${round}:v1`;
      let t = performance.now();
      await ociPush(paths, ref, { env: {} });
      pushes.push(performance.now() - t);
      t = performance.now();
      await ociPush(paths, ref, { env: {} });
      repushes.push(performance.now() - t);
      if (round === 0) {
        // Counted apart from the timed runs, on a repository of their own.
        const counting = `oci://${reg.host}/bench/count:v1`;
        pushRequests = await counted(() => ociPush(paths, counting, { env: {} }));
        repushRequests = await counted(() => ociPush(paths, counting, { env: {} }));
      }

      const cacheDir = join(work, `cache-${round}`);
      t = performance.now();
      const pulled = await ociPull(ref, { env: {}, cacheDir });
      pulls.push(performance.now() - t);
      if (pulled.files.length !== FILES || pulled.cachedBlobs !== 0) throw new Error('the cold pull did not fetch every blob');

      // The baseline: one curl process, one keep-alive connection, the same blobs in sequence.
      const config = join(work, `curl-${round}.cfg`);
      writeFileSync(config, pulled.files.map((f) => `url = "http://${reg.host}/v2/bench/r${round}/blobs/${f.origin.digest}"\noutput = "/dev/null"\n`).join(''));
      t = performance.now();
      execFileSync('curl', ['-sS', '--fail', '-K', config]);
      curls.push(performance.now() - t);
    }
    const pull = median(pulls);
    const curl = median(curls);
    const push = median(pushes);
    const repush = median(repushes);
    report(
      `OCI cold pull of ${FILES} files vs curl over one connection`,
      `${pull.toFixed(0)} ms vs ${curl.toFixed(0)} ms = ${(pull / curl).toFixed(2)}×`,
      '≤ 1.3×',
      pull / curl <= 1.3,
    );
    const blobs = FILES + 1; // and the empty config
    console.log(
      `  push: ${show(pushRequests)} requests = ${total(pushRequests)}; re-push: ${show(repushRequests)} = ${total(repushRequests)}; ` +
        `${(total(pushRequests) / total(repushRequests)).toFixed(2)}× the requests (floor without single-POST uploads: ${2 * blobs + 1} / ${blobs + 1} = ${((2 * blobs + 1) / (blobs + 1)).toFixed(2)}×)`,
    );
    report(
      `OCI push of ${FILES} files vs a re-push`,
      `${push.toFixed(0)} ms vs ${repush.toFixed(0)} ms = ${(push / repush).toFixed(2)}×`,
      '≤ 1.5×',
      push / repush <= 1.5,
    );
  } finally {
    await reg.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
