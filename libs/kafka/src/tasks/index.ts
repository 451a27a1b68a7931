export * from './assigner.ts';
export * from './requests.ts';
export * from './serial.ts';
export * from './task-manager.ts';
export * from './transaction.ts';
export * from './topology.ts';
export * from './collect.ts';
export * from './filtered.ts';
