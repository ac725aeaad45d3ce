// Watch latency bench: file write → plan printed, for a 200-entry directory (10 corpus files).
export type Report = (name: string, value: string, target: string, ok: boolean) => void;

export async function watchBench(report: Report): Promise<void> {
  report('watch: file write → plan printed (200 entries)', 'not measured yet', '≤ 300 ms', false);
}
