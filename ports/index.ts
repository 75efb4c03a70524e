export * from './case-store';
export * from './definition-source';
export * from './incident-store';
export * from './notifier';
export * from './annotation-writer';
