// Benchmark 3 (pipeline fan-out): written once the pipeline lands.
export async function runPipelineBench(): Promise<void> {
  throw new Error('pipeline benchmark not available yet');
}
