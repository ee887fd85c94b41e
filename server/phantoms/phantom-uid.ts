import { createRandom, deriveSeed } from './random';

/**
 * A UID under the 2.25 root (ITU-T X.667: a 128-bit number in decimal), drawn from the seed and
 * `parts` so the same study always gets the same UIDs and different purposes never collide.
 */
export function phantomUid(seed: number, ...parts: readonly (string | number)[]): string {
  const rng = createRandom(deriveSeed(seed, 'uid', ...parts));
  let value = 0n;
  for (let i = 0; i < 4; i++) value = (value << 32n) | BigInt(rng.nextUint32());
  // A leading 0 is not allowed in a UID component; BigInt's decimal has none, and 0 itself is not
  // worth guarding against (probability 2^-128).
  return `2.25.${value}`;
}
