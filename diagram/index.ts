export * from './model';
export * from './mermaid';
export * from './svg';
export * from './limits';
