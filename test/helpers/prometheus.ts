/**
 * Reads Prometheus' text exposition into `name{label="value",…}` → value, labels sorted by name,
 * so tests look samples up without caring how the registry orders them. Fails the test on a line
 * that is not a comment or a well-formed sample.
 */
export function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample: ${line}`);
    const labels = [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)]
      .map(([, k, v]) => `${k}="${v}"`)
      .sort();
    samples.set(sampleKey(m[1]!, labels), Number(m[3]));
  }
  return samples;
}

/** The key parsePrometheus files a sample under. */
export function sample(name: string, labels: Record<string, string> = {}): string {
  return sampleKey(
    name,
    Object.entries(labels)
      .map(([k, v]) => `${k}="${v}"`)
      .sort(),
  );
}

function sampleKey(name: string, labels: string[]): string {
  return labels.length === 0 ? name : `${name}{${labels.join(',')}}`;
}
