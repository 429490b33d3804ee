export * from './contract/decision-contract.ts';
