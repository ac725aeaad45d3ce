// Catalogue of the sources stage (AKB7xxx). Codes are stable: never reuse or renumber one.
import type { CodeDef } from '../diag/index.js';

const def = (code: CodeDef['code'], title: string, severity: CodeDef['severity'] = 'error'): CodeDef => ({ code, severity, title });

export const codes = {
  notFound: def('AKB7001', 'source path does not exist'),
  specInvalid: def('AKB7002', 'source reference is not a path, git:: URL or oci:// reference'),
  readFailed: def('AKB7003', 'source could not be read'),
  emptySource: def('AKB7004', 'source holds no *.yaml / *.yml blueprint', 'warning'),
  fileTooLarge: def('AKB7005', 'source file exceeds the size limit (--max-file-size)'),

  ociRefInvalid: def('AKB7010', 'OCI reference is not oci://host[:port]/repository[:tag|@sha256:digest]'),
  ociNotFound: def('AKB7011', 'OCI repository, tag or blob not found'),
  ociAuth: def('AKB7012', 'OCI registry refused the credentials or asked for missing ones'),
  ociDigest: def('AKB7013', 'OCI content does not match its digest'),
  ociTooLarge: def('AKB7014', 'OCI manifest or blob exceeds the size limit'),
  ociNoBlueprint: def('AKB7015', 'OCI artifact has no application/vnd.goauthentik.blueprint.v1+yaml layer'),
  ociTransport: def('AKB7016', 'OCI registry unreachable (connection or TLS failure)'),
  ociProtocol: def('AKB7017', 'OCI registry answered outside the distribution spec'),
  ociPush: def('AKB7018', 'OCI push failed'),
  ociUnsafeName: def('AKB7019', 'OCI layer title is not a safe relative file name'),
  ociCredentials: def('AKB7020', 'OCI credentials are malformed'),
  ociManyLayers: def('AKB7021', 'OCI artifact has several blueprint layers; authentik applies only the last', 'info'),
  ociExists: def('AKB7022', 'oci pull destination already exists (never overwritten without --force)'),
  ociTimeout: def('AKB7023', 'OCI request or transfer exceeded its deadline'),
  ociWrite: def('AKB7024', 'oci pull could not write a file below --out'),

  gitSpecInvalid: def('AKB7030', 'git source is not git::URL[//SUBDIR][?ref=REF]'),
  gitFetch: def('AKB7031', 'git repository could not be fetched'),
  gitRefNotFound: def('AKB7032', 'git ref not found in the repository'),
  gitSubdir: def('AKB7033', 'git subdirectory not found at the fetched revision'),
} as const satisfies Record<string, CodeDef>;

export type SourceCode = keyof typeof codes;
