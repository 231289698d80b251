/** The pure circulation rules (architecture.md, Boundaries): plain data in, plain data or refusals out. */
export * from './calendar.ts';
export * from './due-date.ts';
export * from './loan-refusals.ts';
export * from './overdue-fine.ts';
export * from './refusal.ts';
export * from './renewal.ts';
export * from './return-decision.ts';
export * from './terms-of-use.ts';
