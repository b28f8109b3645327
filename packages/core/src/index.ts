export * from './ids';
export * from './money';
export * from './permissions';
export * from './promoter-tree';
export * from './rules';
export * from './tenant-settings';
