import { join } from 'node:path';
import { buildTestPki } from '../../pki/build-test-pki.ts';
import { requiredOption, runReportingFailure, writeOutput } from '../cert-files.ts';
import type { Command } from '../command.ts';

export const certsTestPkiCommand: Command = {
  path: ['certs', 'test-pki'],
  summary: 'generate the test PKI (root, intermediate, people, CRLs) into DIR',
  details: `Fixed names, dates and usages, fresh keys: see certs/README.md for every file.
Existing files of the same names are replaced. FOR TESTS ONLY: the keys are unencrypted.
Exit codes: 0 written, 1 failure, 2 usage error.`,
  options: {
    out: { type: 'string', value: 'DIR', description: 'the folder to write into', required: true },
  },
  async run(values, _positionals, io) {
    const out = requiredOption(values, 'out');
    return runReportingFailure('certs test-pki', io, () => {
      const files = buildTestPki();
      for (const f of files) writeOutput(join(out, f.name), f.content, f.mode);
      io.stdout.write(`wrote ${files.length} files to ${out}\n`);
      return 0;
    });
  },
};
