// @optline/settings-table: the SMS settings of every project, tailed from the compacted
// settings topic into memory, and the validated way to change them.
export * from './state.ts';
export * from './table.ts';
export * from './commands.ts';
export * from './writer.ts';
