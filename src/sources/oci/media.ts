// Media types of the OCI image/distribution specs and of authentik's blueprint artifacts.
export const BLUEPRINT_MEDIA_TYPE = 'application/vnd.goauthentik.blueprint.v1+yaml';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';
export const OCI_EMPTY_DIGEST = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';
export const TITLE_ANNOTATION = 'org.opencontainers.image.title';

/** Every manifest form we can read; HEAD and GET send the same list so both name the same digest. */
export const MANIFEST_ACCEPT = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST].join(', ');

export const MANIFEST_MAX_BYTES = 4 * 1024 * 1024;
export const BLOB_MAX_BYTES_DEFAULT = 16 * 1024 * 1024;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}
