export * from './kafka';
export * from './postgres';
export * from './topics';
export * from './receiver';
export * from './page-receivers';
export * from './openapi-lint';
