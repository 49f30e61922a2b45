import type { Command } from '../command.ts';
import { demoCommand } from './demo.ts';
import { initCommand } from './init.ts';
import { configCheckCommand } from './config-check.ts';
import { claimsListCommand } from './claims-list.ts';
import { claimsResendCommand } from './claims-resend.ts';
import { claimsShowCommand } from './claims-show.ts';
import { requestsListCommand } from './requests-list.ts';
import { requestsShowCommand } from './requests-show.ts';
import { serveCommand } from './serve.ts';
import { certsInitCaCommand } from './certs-init-ca.ts';
import { certsIssueCommand } from './certs-issue.ts';
import { certsP12ExportCommand } from './certs-p12-export.ts';
import { certsP12ImportCommand } from './certs-p12-import.ts';
import { certsRevokeCommand } from './certs-revoke.ts';
import { certsTestPkiCommand } from './certs-test-pki.ts';
import { smimeOpenCommand } from './smime-open.ts';
import { smimeSealCommand } from './smime-seal.ts';
import { payloadParseCommand } from './payload-parse.ts';
import { quotaShowCommand } from './quota-show.ts';
import { statusCommand } from './status.ts';
import { policyCheckCommand } from './policy-check.ts';
import { directoryImportCommand } from './directory-import.ts';
import { directoryShowCommand } from './directory-show.ts';
import { directorySearchCommand } from './directory-search.ts';
import { directoryCertCommand } from './directory-cert.ts';

/** Every command of the CLI. Each lives in its own file. */
export const commands: Command[] = [
  demoCommand,
  initCommand,
  configCheckCommand,
  serveCommand,
  requestsListCommand,
  requestsShowCommand,
  claimsListCommand,
  claimsShowCommand,
  claimsResendCommand,
  certsInitCaCommand,
  certsIssueCommand,
  certsP12ExportCommand,
  certsP12ImportCommand,
  certsRevokeCommand,
  certsTestPkiCommand,
  smimeOpenCommand,
  smimeSealCommand,
  payloadParseCommand,
  policyCheckCommand,
  quotaShowCommand,
  statusCommand,
  directoryImportCommand,
  directoryShowCommand,
  directorySearchCommand,
  directoryCertCommand,
];
