/**
 * `npm run bench` runs every benchmark; `npm run bench -- NAME` runs one.
 * Each prints its figures beside a baseline measured in the same run, and ends with one JSON line.
 */
const benches: Record<string, () => Promise<{ run(): Promise<void> }>> = {
  smime: () => import('./smime.ts'),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length > 0 ? wanted : Object.keys(benches);
for (const name of names) {
  const load = benches[name];
  if (!load) {
    console.error(`unknown bench '${name}'; known: ${Object.keys(benches).join(', ')}`);
    process.exit(2);
  }
  await (await load()).run();
}
