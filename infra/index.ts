export * from './file-lock';
export * from './provisioning';
export * from './temporal-cli';
export * from './temporal-test-server';
export * from './temporal-env';
export * from './search-attributes';
