export * from './docket-config';
export * from './host';
export * from './redact-url';
export * from './runtime-file';
export * from './temporal-tls';
export * from './configured';
