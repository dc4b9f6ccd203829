import { imagePartKey, isAcceptedImagePath, isAcceptedImageUri, planImageParts, samePart } from './images.rules.js';
import type { ImagePartInput } from './images.rules.js';

describe('image locations', () => {
  it.each([
    ['https://uk1s3.embassy.ebi.ac.uk/idr/zarr/v0.4/idr0062A/6001240.zarr', true],
    ['http://example.org/a.tif', true],
    ['s3://bucket/plate.ome.zarr/A/1/0', true],
    ['gs://bucket/image.ome.zarr', true],
    ['ftp://example.org/a.tif', false],
    ['file:///data/a.tif', false],
    ['https://example.org/a b.tif', false],
    ['plate1/a.tif', false],
  ])('uri %s accepted: %s', (uri, accepted) => {
    expect(isAcceptedImageUri(uri)).toBe(accepted);
  });

  it.each([
    ['plate1/well-A01/field-1.ome.tiff', true],
    ['/abs/path/a.tif', true],
    ['..', false],
    ['plate1/../../etc/passwd', false],
    ['plate1\\..\\secret', false],
    ['a\u0000b', false],
    ['   ', false],
    ['name..with..dots.tif', true],
  ])('path %j accepted: %s', (path, accepted) => {
    expect(isAcceptedImagePath(path)).toBe(accepted);
  });

  it('keys an image by what identifies it, not by its checksum or label', () => {
    expect(imagePartKey({ omeroId: 12, path: 'a.tif' })).toBe('[12,null,"a.tif"]');
    expect(imagePartKey({ uri: 's3://b/x' })).toBe('[null,"s3://b/x",null]');
  });
});

describe('planImageParts', () => {
  it('plans a batch, lower-casing checksums', () => {
    const sha = 'AB'.repeat(32);
    const result = planImageParts([
      { omeroId: 1, sha256: sha, size: 10 },
      { path: 'b.tif', label: 'B' },
    ]);
    expect(result).toEqual({
      ok: true,
      parts: [
        {
          index: 0,
          key: '[1,null,null]',
          omeroId: 1,
          uri: null,
          path: null,
          sha256: 'ab'.repeat(32),
          size: 10,
          label: null,
        },
        {
          index: 1,
          key: '[null,null,"b.tif"]',
          omeroId: null,
          uri: null,
          path: 'b.tif',
          sha256: null,
          size: null,
          label: 'B',
        },
      ],
    });
  });

  it.each<[ImagePartInput[], Array<[string, string]>]>([
    [[{ label: 'x' }], [['IMAGE_IDENTITY_REQUIRED', 'images.0']]],
    [[{ path: 'a' }, { uri: 'ftp://x/y' }], [['INVALID_IMAGE_URI', 'images.1.uri']]],
    [[{ path: 'a/../../b' }], [['INVALID_IMAGE_PATH', 'images.0.path']]],
    [[{ path: 'a' }, { path: 'b' }, { path: 'a' }], [['DUPLICATE_IMAGE', 'images.2']]],
    [
      [{ label: 'x' }, { path: 'a' }, { path: 'a' }],
      [
        ['IMAGE_IDENTITY_REQUIRED', 'images.0'],
        ['DUPLICATE_IMAGE', 'images.2'],
      ],
    ],
  ])('refuses %j', (images, problems) => {
    const result = planImageParts(images);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => [p.code, p.field])).toEqual(problems);
  });

  it.each([
    [{ sha256: null, size: null, label: null }, true],
    [{ sha256: 'a'.repeat(64), size: null, label: null }, false],
    [{ sha256: null, size: 1, label: null }, false],
    [{ sha256: null, size: null, label: 'x' }, false],
  ])('a stored image %j says the same as a bare re-registration: %s', (stored, same) => {
    const planned = planImageParts([{ path: 'a' }]);
    if (!planned.ok) throw new Error('planning failed');
    expect(samePart(stored, planned.parts[0])).toBe(same);
  });
});
