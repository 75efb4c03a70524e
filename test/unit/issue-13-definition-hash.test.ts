import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { definitionHash } from '../../audit/definition-hash';
import { withoutLabels } from '../../engine/payload-labels';

// Cases, replay histories and audit chains carry these values: the hash of a shipped definition
// file must never change, whichever module computes it. The files have since gained labels of their
// payload fields (x-labels, x-enum-labels); without them they are the files these values were taken from.
// Version 2 of complaint, contract, lost_deal and visit gained the auditors' checklist (and complaint and
// lost_deal the case library) before it was released: their pins are of the files with them.
const PINNED: Record<string, string> = {
  'shipped/complaint.v1.json': '13f963192efcd5d8a82d02e067b0ebc6cdb0a803df9eaaadc13e5a73368ad97f',
  'complaint.json': 'd97fba42baad4d548176b16a534e9c670476d837a2084dc9994cf80e4cc0dc1e',
  'shipped/contract.v1.json': '9570e4ed52d4aad8e0a4e33ca8d04b9b4191459ab4449cb68a6ebed184e7b6ff',
  'contract.json': 'bb5505da4c0092461898cb897a33eb3023861f7036d084f5c171420ffb802e6a',
  'shipped/improvement_measure.v1.json': 'b405bc65f19270f0459e37496a076b4c2e6985595ed618bd07a7a6b7fa266b66',
  'shipped/lost_deal.v1.json': '00786a19c29a14178effdc0ff59ec7b50357d609caa616640ce0a15b7e9c56c0',
  'shipped/visit.v1.json': '0148539af613b92555c3a9909c22aa5fd5ca334c33b6dd8e2d261dcaeda3cbb8',
  'lost_deal.json': 'e347d7495bd57d050cc69aae1d26cea8b3fe6c269819e96f5bb8feab8ede8140',
  'improvement_measure.json': '4a976bbc4c34299575aa656c80e1546527ec8636e58594da1b1228885f7fd2de',
  'visit.json': '301b876d461c68ba0fba08a162a305b754a0af43393972813e32997121507862',
  'follow_up.json': '1520146ed2d8f2faa999ec27a8559f4dc1e651ea9c57dca96bff4fac51b00f2c',
};

const read = (file: string): unknown => JSON.parse(readFileSync(join(__dirname, '..', '..', 'definitions', file), 'utf8'));

test.each(Object.entries(PINNED))('the hash of definitions/%s stays %s', (file, hash) => {
  const raw = read(file);
  expect(definitionHash(withoutLabels(raw))).toBe(hash);
});

test('the hash ignores key order and whitespace', () => {
  expect(definitionHash({ b: [1, { d: 2, c: 3 }], a: 'x' })).toBe(definitionHash(JSON.parse('{ "a": "x", "b": [1, {"c": 3, "d": 2}] }')));
});
