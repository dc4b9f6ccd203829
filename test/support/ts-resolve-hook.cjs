// Jest loads globalSetup as CommonJS, outside its module mapper: map our `./x.js` imports to the `./x.ts` sources so
// the setup can reuse the service's own embedded-PostgreSQL and migration code instead of a copy of it.
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');

const original = Module._resolveFilename;
Module._resolveFilename = function resolveTs(request, parent, ...rest) {
  if (request.startsWith('.') && request.endsWith('.js') && parent && parent.filename) {
    const candidate = path.resolve(path.dirname(parent.filename), request.slice(0, -3) + '.ts');
    if (fs.existsSync(candidate)) return candidate;
  }
  return original.call(this, request, parent, ...rest);
};
