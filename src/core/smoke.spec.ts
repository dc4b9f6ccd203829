import { createHash } from 'node:crypto';
describe('smoke', () => {
  it('hashes', () => {
    expect(createHash('sha256').update('').digest('hex')).toMatch(/^e3b0/);
  });
});
