export * from './backend';
export * from './http-backend';
export * from './server';
export * from './token';
