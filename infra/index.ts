export * from './temporal-cli';
export * from './temporal-test-server';
export * from './temporal-env';
