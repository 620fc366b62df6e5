/**
 * Returns `keys` as given; a call that leaves out a key of `T` does not compile, and the error names the key
 * (`Property 'missing' is missing … { missing: "voice" }`). For lists that must cover every column of a row, such as
 * the hashed keys and the export columns: `everyKeyOf<ConsentEvent>()(['seq', …])`.
 */
export function everyKeyOf<T>() {
  return <const K extends readonly (keyof T)[]>(
    keys: K & ([Exclude<keyof T, K[number]>] extends [never] ? unknown : { missing: Exclude<keyof T, K[number]> }),
  ): K => keys;
}
