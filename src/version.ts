import fs from 'node:fs';
import path from 'node:path';

const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', 'package.json'), 'utf8')) as {
  name: string;
  version: string;
};

export const PRODUCT_NAME = 'Maestro on Temporal';
export const VERSION: string = pkg.version;
