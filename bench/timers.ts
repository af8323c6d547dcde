// Benchmark 4 (timer accuracy): written once the pipeline lands.
export async function runTimersBench(): Promise<void> {
  throw new Error('timer benchmark not available yet');
}
