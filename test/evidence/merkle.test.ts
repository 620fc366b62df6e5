import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_ROOT,
  leafHash,
  rootOf,
  streamTree,
  verifyConsistency,
  verifyInclusion,
} from '../../src/evidence/merkle.js';

/**
 * The Certificate Transparency reference vectors (RFC 6962 hashing, unchanged in RFC 9162), as published in
 * transparency-dev/merkle, proof/verify_test.go (https://github.com/transparency-dev/merkle/blob/main/proof/verify_test.go),
 * which carries them over from Google's certificate-transparency C++ merkle_tree_test.cc.
 */
const h = (hex: string) => Buffer.from(hex, 'hex');
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(
  h,
);
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
// {leaf (1-based), size, proof}
const INCLUSION: [number, number, string[]][] = [
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [3, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    2,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];
// {size1, size2, proof}
const CONSISTENCY: [number, number, string[]][] = [
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [
    2,
    5,
    [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
  [
    6,
    7,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
];

async function* each<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

const hashes = LEAVES.map(leafHash);

describe('RFC 9162 Merkle tree against the Certificate Transparency test vectors', () => {
  it('the empty tree hashes to SHA-256 of nothing', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('gives the published root for every size from 1 to 8, in memory and in one streaming pass', async () => {
    for (let n = 1; n <= 8; n += 1) expect(rootOf(hashes.slice(0, n)).toString('hex')).toBe(ROOTS[n - 1]);
    const streamed = await streamTree(each(LEAVES), { size: 8, rootsAt: [1, 2, 3, 4, 5, 6, 7, 8] });
    expect([...streamed.roots.entries()].map(([n, r]) => [n, r.toString('hex')])).toEqual(
      ROOTS.map((r, i) => [i + 1, r]),
    );
  });

  it.each(INCLUSION)(
    'produces and accepts the published inclusion proof of leaf %i in a tree of %i',
    async (leaf, size, proof) => {
      const streamed = await streamTree(each(LEAVES), { size, proofsFor: [leaf - 1] });
      expect(streamed.proofs.get(leaf - 1)?.map((p) => p.toString('hex'))).toEqual(proof);
      const root = h(ROOTS[size - 1] as string);
      expect(verifyInclusion(leaf - 1, size, hashes[leaf - 1] as Buffer, proof.map(h), root)).toBe(true);
      // The probes of the reference test: wrong index, size, leaf, root, extra or missing hashes.
      const bad: [number, number, Buffer, Buffer[], Buffer][] = [
        [leaf, size, hashes[leaf - 1] as Buffer, proof.map(h), root],
        [leaf - 1, size * 2, hashes[leaf - 1] as Buffer, proof.map(h), root],
        [leaf - 1, size, Buffer.from('WrongLeaf'), proof.map(h), root],
        [leaf - 1, size, hashes[leaf - 1] as Buffer, proof.map(h), EMPTY_ROOT],
        [leaf - 1, size, hashes[leaf - 1] as Buffer, [...proof.map(h), root], root],
        [leaf - 1, size, hashes[leaf - 1] as Buffer, proof.map(h).slice(1), root],
      ];
      for (const args of bad) expect(verifyInclusion(...args)).toBe(false);
    },
  );

  it.each(CONSISTENCY)(
    'accepts the published consistency proof from %i to %i and refuses it changed',
    (size1, size2, proof) => {
      const r1 = h(ROOTS[size1 - 1] as string);
      const r2 = h(ROOTS[size2 - 1] as string);
      expect(verifyConsistency(size1, size2, proof.map(h), r1, r2)).toBe(true);
      expect(verifyConsistency(size1, size2, proof.map(h), r2, r1)).toBe(false);
      expect(verifyConsistency(size1, size2, proof.map(h).slice(0, -1), r1, r2)).toBe(false);
      const flipped = proof.map(h);
      const first = flipped[0] as Buffer;
      first[0] = (first[0] as number) ^ 16;
      expect(verifyConsistency(size1, size2, flipped, r1, r2)).toBe(false);
    },
  );
});

describe('inclusion proofs over any tree', () => {
  const leavesArb = fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 70 });

  it('for any leaves and any leaf: the streamed proof verifies against the streamed and the reference root', async () => {
    await fc.assert(
      fc.asyncProperty(
        leavesArb.chain((leaves) => fc.tuple(fc.constant(leaves), fc.nat(leaves.length - 1))),
        async ([leaves, index]) => {
          const { roots, proofs } = await streamTree(each(leaves), {
            size: leaves.length,
            rootsAt: [leaves.length],
            proofsFor: [index],
          });
          const root = roots.get(leaves.length) as Buffer;
          expect(root.equals(rootOf(leaves.map(leafHash)))).toBe(true);
          expect(
            verifyInclusion(index, leaves.length, leafHash(leaves[index] as Uint8Array), proofs.get(index) ?? [], root),
          ).toBe(true);
        },
      ),
    );
  });

  it('for any leaves and any changed byte of leaf, proof or root: it fails', async () => {
    await fc.assert(
      fc.asyncProperty(
        leavesArb.chain((leaves) =>
          fc.tuple(fc.constant(leaves), fc.nat(leaves.length - 1), fc.nat(), fc.integer({ min: 1, max: 255 })),
        ),
        async ([leaves, index, where, xor]) => {
          const { roots, proofs } = await streamTree(each(leaves), {
            size: leaves.length,
            rootsAt: [leaves.length],
            proofsFor: [index],
          });
          const root = Buffer.from(roots.get(leaves.length) as Buffer);
          const proof = (proofs.get(index) ?? []).map((p) => Buffer.from(p));
          const leaf = Buffer.from(leaves[index] as Uint8Array);
          // Every byte the check depends on, laid end to end; change one of them.
          const parts = [leaf, ...proof, root];
          const total = parts.reduce((n, p) => n + p.length, 0);
          let at = where % total;
          for (const part of parts) {
            if (at < part.length) {
              (part as Buffer)[at] = ((part as Buffer)[at] as number) ^ xor;
              break;
            }
            at -= part.length;
          }
          expect(verifyInclusion(index, leaves.length, leafHash(leaf), proof, root)).toBe(false);
        },
      ),
    );
  });
});
