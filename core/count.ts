// Counts in words, as every text pipesheet writes says them (the headline, the review).

/** A count as people write it: "1 deal", "143,191 deals". */
export const count = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
