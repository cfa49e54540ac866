import { isPrivateAddress } from './private-address.js';

describe('isPrivateAddress', () => {
  it.each([
    '10.20.3.4',
    '172.16.0.1',
    '192.168.1.1',
    '100.64.0.1',
    '127.0.0.1',
    'fd00::1',
    'fe80::1',
    '::ffff:10.0.0.1',
  ])('%s is private', (address) => expect(isPrivateAddress(address)).toBe(true));
  it.each(['203.0.113.50', '4.148.10.20', '2001:db8::1', 's3.amazonaws.com', ''])('%s is not', (address) =>
    expect(isPrivateAddress(address)).toBe(false),
  );
});
