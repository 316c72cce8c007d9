export * from './kafka';
export * from './postgres';
export * from './topics';
export * from './receiver';
export * from './page-receivers';
export * from './openapi-lint';
export * from './request-from';
export * from './api-key-use';
