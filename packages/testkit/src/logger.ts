/**
 * The testkit prints nothing itself; pass a logger to see what it starts, where it logs and how long it took.
 */
export type TestkitLogger = (message: string, fields?: Readonly<Record<string, unknown>>) => void;

export const silent: TestkitLogger = () => {};
