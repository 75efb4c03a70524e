export * from './logger';
export * from './personal-data';
