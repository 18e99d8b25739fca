/** One header: a name and a value. NUL inside a value separates several values. */
export type NameValue = [name: string, value: string];
/** A header list as frames carry it. */
export type Nv = NameValue[];
/** What the API accepts as a header list. */
export type NvInput = ReadonlyArray<readonly [string, string]>;
