import { parseIp } from '../cidr';
import type { Rng } from './prng';

/**
 * People, devices and networks for the synthetic traffic. The parts that make fraud hard to
 * tell from real use are modelled on purpose: carrier NAT and offices share IPs, households
 * share the promoter's IP, and a few user agents (iPhone WeChat builds, which name no model)
 * cover many people, so two people on one network often send the same user agent.
 */

export type NetworkKind = 'home' | 'office' | 'mobile' | 'datacenter';

export interface Network {
  kind: NetworkKind;
  ip: string;
  ipHash: string;
  netType: 'WIFI' | '4G' | '5G';
}

export interface Device {
  id: string;
  /** The user agent without the network type WeChat appends. */
  baseUa: string;
}

export interface Person {
  ref: string;
  devices: Device[];
  home: Network;
  office: Network | null;
  /** IPv6 carriers give each phone its own prefix; the rest go through carrier NAT. */
  mobileV6: boolean;
}

// First octets of Chinese access networks, none inside the default datacenter ranges.
const RESIDENTIAL_V4 = [36, 58, 60, 61, 106, 110, 111, 112, 113, 114, 115, 116, 117, 121, 122];
const RESIDENTIAL_V4_MORE = [123, 124, 125, 180, 182, 183, 202, 210, 211, 218, 220, 221, 222, 223];
const FIRST_OCTETS = [...RESIDENTIAL_V4, ...RESIDENTIAL_V4_MORE];
const CARRIER_V6 = ['240e', '2408', '2409'];

/** The key the click writer hashes: the address for IPv4, the /64 for IPv6. */
export function ipHashOf(ip: string): string {
  const parsed = parseIp(ip);
  if (!parsed) throw new Error(`not an ip: ${ip}`);
  if (parsed.version === 4) return `h4:${parsed.value.toString(16)}`;
  return `h6:${(parsed.value >> 64n).toString(16)}`;
}

function octet(rng: Rng): number {
  return rng.int(0, 255);
}

export function residentialIpv4(rng: Rng): string {
  return [rng.pick(FIRST_OCTETS), octet(rng), octet(rng), rng.int(1, 254)].join('.');
}

function hex16(rng: Rng): string {
  return rng.int(0, 0xffff).toString(16);
}

export function residentialIpv6(rng: Rng): string {
  const prefix = [rng.pick(CARRIER_V6), hex16(rng), hex16(rng), hex16(rng)];
  return [...prefix, hex16(rng), hex16(rng), hex16(rng), hex16(rng)].join(':');
}

/** An address inside the default datacenter list: Alibaba Cloud, AWS, Google Cloud, Tencent. */
export function datacenterIp(rng: Rng): string {
  const range = rng.weighted<() => string>([
    [() => `47.${rng.int(96, 127)}.${octet(rng)}.${rng.int(1, 254)}`, 4],
    [() => `3.${octet(rng)}.${octet(rng)}.${rng.int(1, 254)}`, 2],
    [() => `34.${rng.int(64, 127)}.${octet(rng)}.${rng.int(1, 254)}`, 1],
    [() => `120.${rng.int(24, 27)}.${octet(rng)}.${rng.int(1, 254)}`, 2],
    [() => `119.29.${octet(rng)}.${rng.int(1, 254)}`, 1],
    [
      () => `2600:1f${rng.int(0, 0xff).toString(16).padStart(2, '0')}:${hex16(rng)}::${hex16(rng)}`,
      1,
    ],
  ]);
  return range();
}

export function network(kind: NetworkKind, ip: string, netType: Network['netType']): Network {
  return { kind, ip, ipHash: ipHashOf(ip), netType };
}

/** Carrier NAT: a pool of public IPv4 addresses that every carrier subscriber draws from. */
export function carrierNatPool(rng: Rng, size: number): string[] {
  return Array.from({ length: size }, () => residentialIpv4(rng));
}

const IOS = ['16_7_8', '17_4_1', '17_5_1', '17_6_1', '18_0', '18_1_1', '18_2', '18_3_2'];
const WECHAT_IOS = [
  '8.0.47(0x18002f2c)',
  '8.0.49(0x18003137)',
  '8.0.50(0x1800323d)',
  '8.0.53(0x18003531)',
];
const ANDROID = [
  ['14', 'V2309A'],
  ['14', 'PJA110'],
  ['13', '2211133C'],
  ['14', 'SM-S9180'],
  ['14', 'ALN-AL00'],
  ['12', 'NOH-AN00'],
  ['13', 'M2012K11AC'],
  ['14', 'PHB110'],
  ['13', 'V2241A'],
  ['14', '23127PN0CC'],
] as const;
const WECHAT_ANDROID = ['8.0.47.2560', '8.0.49.2600', '8.0.50.2701'];

/** Popular builds first: user agents follow a Zipf-like spread over about 70 strings. */
export const USER_AGENTS: readonly (readonly [string, number])[] = buildUserAgents();

function buildUserAgents(): [string, number][] {
  const list: string[] = [];
  for (const wechat of WECHAT_IOS) {
    for (const ios of IOS) {
      list.push(
        `Mozilla/5.0 (iPhone; CPU iPhone OS ${ios} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/${wechat}`,
      );
    }
  }
  for (const wechat of WECHAT_ANDROID) {
    for (const [version, model] of ANDROID) {
      list.push(
        `Mozilla/5.0 (Linux; Android ${version}; ${model} Build/UP1A; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/122.0.6261.120 Mobile Safari/537.36 XWEB/1220099 MMWEBSDK/20240404 MicroMessenger/${wechat}`,
      );
    }
  }
  // Interleave so iPhone and Android builds share the head of the distribution.
  const ios = list.filter((ua) => ua.includes('iPhone'));
  const android = list.filter((ua) => !ua.includes('iPhone'));
  const mixed: string[] = [];
  for (let i = 0; i < Math.max(ios.length, android.length); i++) {
    const a = ios[i];
    const b = android[i];
    if (a) mixed.push(a);
    if (b) mixed.push(b);
  }
  return mixed.map((ua, rank) => [ua, 1 / (rank + 2)]);
}

export const BOT_USER_AGENTS = [
  'python-requests/2.31.0',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36',
  'curl/8.4.0',
  'Go-http-client/1.1',
  'okhttp/4.12.0',
];

/** WeChat appends the network type, so one phone sends another user agent on another network. */
export function userAgentOn(device: Device, net: Network): string {
  return `${device.baseUa} NetType/${net.netType} Language/zh_CN`;
}

let serial = 0;

export function nextId(prefix: string): string {
  serial += 1;
  return `${prefix}_${serial.toString(36)}`;
}

export function resetIds(): void {
  serial = 0;
}

export function newDevice(rng: Rng): Device {
  return { id: nextId('dev'), baseUa: rng.weighted(USER_AGENTS) };
}

export function newPerson(rng: Rng, home?: Network, office?: Network | null): Person {
  const devices = [newDevice(rng)];
  if (rng.chance(0.15)) devices.push(newDevice(rng));
  const ownHome =
    home ?? network('home', rng.chance(0.3) ? residentialIpv6(rng) : residentialIpv4(rng), 'WIFI');
  return {
    ref: nextId('cus'),
    devices,
    home: ownHome,
    office: office === undefined ? null : office,
    mobileV6: rng.chance(0.6),
  };
}

export function newOffice(rng: Rng): Network {
  return network('office', residentialIpv4(rng), 'WIFI');
}

/** The network a person is on for one visit. */
export function networkOf(rng: Rng, person: Person, natPool: readonly string[]): Network {
  const where = rng.weighted<NetworkKind>([
    ['mobile', 45],
    ['home', 35],
    ['office', person.office ? 20 : 0],
  ]);
  if (where === 'home') return person.home;
  if (where === 'office' && person.office) return person.office;
  const netType = rng.chance(0.5) ? '5G' : '4G';
  return network('mobile', person.mobileV6 ? residentialIpv6(rng) : rng.pick(natPool), netType);
}
