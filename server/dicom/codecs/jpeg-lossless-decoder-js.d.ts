// The package's package.json names a release/lossless.d.ts that it does not ship.
declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    constructor(buffer?: ArrayBufferLike | null, numBytes?: number);
    /** Decodes a JPEG Lossless stream; 1 byte per sample up to 8 bits of precision, else 2. */
    decode(buffer?: ArrayBufferLike, offset?: number, length?: number, numBytes?: number): Uint8Array | Uint16Array;
  }
}
