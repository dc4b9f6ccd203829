/**
 * Image parts of a dataset (http-contract.md, POST /v1/datasets/:id/images): what identifies an image, which
 * locations are accepted, and how a batch is checked before anything is written. Pure.
 */

export interface ImagePartInput {
  omeroId?: number;
  uri?: string;
  path?: string;
  sha256?: string;
  size?: number;
  label?: string;
}

export interface PlannedImagePart {
  index: number;
  key: string;
  omeroId: number | null;
  uri: string | null;
  path: string | null;
  sha256: string | null;
  size: number | null;
  label: string | null;
}

export interface ImagePartProblem {
  code: 'IMAGE_IDENTITY_REQUIRED' | 'INVALID_IMAGE_URI' | 'INVALID_IMAGE_PATH' | 'DUPLICATE_IMAGE';
  field: string;
  message: string;
}

export const MAX_IMAGES_PER_REQUEST = 10_000;

/**
 * Schemes an image location may use: web and object-store URLs, which is where OME-Zarr (NGFF) images live
 * (e.g. https://…/idr/zarr/v0.4/idr0062A/6001240.zarr, s3://bucket/plate.ome.zarr/A/1/0).
 */
const URI_SCHEMES = new Set(['http:', 'https:', 's3:', 'gs:']);

export function isAcceptedImageUri(value: string): boolean {
  if (/\s/.test(value)) return false;
  try {
    const url = new URL(value);
    return URI_SCHEMES.has(url.protocol) && url.host !== '';
  } catch {
    return false;
  }
}

/** A path inside the dataset's own storage: printable, no parent-directory steps. */
export function isAcceptedImagePath(value: string): boolean {
  // eslint-disable-next-line no-control-regex
  if (value.trim() === '' || /[\u0000-\u001f\u007f]/.test(value)) return false;
  return !value.split(/[\\/]/).includes('..');
}

/** The identity of an image within its dataset: what it is in OMERO, where it is, or where it is stored. */
export function imagePartKey(image: Pick<ImagePartInput, 'omeroId' | 'uri' | 'path'>): string {
  return JSON.stringify([image.omeroId ?? null, image.uri ?? null, image.path ?? null]);
}

/** Checks a batch; every problem names its `images.<n>` field. Checksums are kept lower-case. */
export function planImageParts(
  images: readonly ImagePartInput[],
): { ok: true; parts: PlannedImagePart[] } | { ok: false; problems: ImagePartProblem[] } {
  const problems: ImagePartProblem[] = [];
  const parts: PlannedImagePart[] = [];
  const firstByKey = new Map<string, number>();
  images.forEach((image, index) => {
    const field = `images.${index}`;
    if (image.omeroId === undefined && image.uri === undefined && image.path === undefined) {
      problems.push({ code: 'IMAGE_IDENTITY_REQUIRED', field, message: 'needs at least one of omeroId, uri, path' });
      return;
    }
    if (image.uri !== undefined && !isAcceptedImageUri(image.uri)) {
      problems.push({ code: 'INVALID_IMAGE_URI', field: `${field}.uri`, message: 'must be an http(s), s3 or gs URL' });
      return;
    }
    if (image.path !== undefined && !isAcceptedImagePath(image.path)) {
      problems.push({
        code: 'INVALID_IMAGE_PATH',
        field: `${field}.path`,
        message: 'must be a printable path without ".." steps',
      });
      return;
    }
    const key = imagePartKey(image);
    const first = firstByKey.get(key);
    if (first !== undefined) {
      problems.push({ code: 'DUPLICATE_IMAGE', field, message: `names the same image as images.${first}` });
      return;
    }
    firstByKey.set(key, index);
    parts.push({
      index,
      key,
      omeroId: image.omeroId ?? null,
      uri: image.uri ?? null,
      path: image.path ?? null,
      sha256: image.sha256 === undefined ? null : image.sha256.toLowerCase(),
      size: image.size ?? null,
      label: image.label ?? null,
    });
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, parts };
}

/** A re-registered image must say the same about itself; a different checksum, size or label is a conflict. */
export function samePart(
  stored: { sha256: string | null; size: number | null; label: string | null },
  planned: PlannedImagePart,
): boolean {
  return stored.sha256 === planned.sha256 && stored.size === planned.size && stored.label === planned.label;
}
