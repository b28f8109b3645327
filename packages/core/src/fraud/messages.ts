import type { FraudReasonCode } from './reason-codes';

export interface LocalizedText {
  zh: string;
  en: string;
}

// What a promoter reads: the reason in plain words, without scores, weights or thresholds.
const PROMOTER_TEXT: Record<FraudReasonCode, LocalizedText> = {
  self_referral: { zh: '下单人疑似推客本人', en: 'the buyer appears to be you' },
  self_referral_network: {
    zh: '订单来自与你相同的网络',
    en: 'the order came from the same network as you',
  },
  bot_click: {
    zh: '这次点击疑似来自自动程序',
    en: 'the click appears to come from an automated program',
  },
  suspicious_click: {
    zh: '同一网络在短时间内点击过多',
    en: 'too many clicks came from one network in a short time',
  },
  click_injection: {
    zh: '下单距离点击的时间过短',
    en: 'the order came too soon after the click',
  },
  click_spam: {
    zh: '你的较多订单在点击很久之后才成交',
    en: 'many of your orders came long after the click',
  },
  ip_velocity: {
    zh: '同一网络在短时间内下单过多',
    en: 'too many orders came from one network in a short time',
  },
  device_velocity: {
    zh: '同一设备在短时间内下单过多',
    en: 'too many orders came from one device in a short time',
  },
  conversion_rate_spike: {
    zh: '你近期的成交率异常升高',
    en: 'your recent conversion rate rose unusually',
  },
  duplicate_order: { zh: '该订单与已有订单重复', en: 'the order repeats an earlier one' },
  amount_outlier: { zh: '订单金额明显高于平常', en: 'the order amount is far above usual' },
  refund_rate: {
    zh: '你近期订单的退款比例较高',
    en: 'a high share of your recent orders were refunded',
  },
  datacenter_ip: {
    zh: '订单来自服务器机房网络，而非家庭或手机网络',
    en: 'the order came from a server network, not a home or mobile one',
  },
  cookie_stuffing: {
    zh: '这次点击不像是有人主动打开了你的链接',
    en: 'the click does not look like someone opening your link',
  },
  promoter_ip_velocity: {
    zh: '同一网络中的多台设备在短时间内通过你的链接下单',
    en: 'several devices on one network ordered through your link in a short time',
  },
  promoter_bot_traffic: {
    zh: '你近期较多订单的点击疑似来自自动程序',
    en: 'many of your recent orders had clicks that look automated',
  },
  promoter_datacenter_traffic: {
    zh: '你近期较多订单来自服务器机房网络',
    en: 'many of your recent orders came from server networks',
  },
  promoter_fast_conversions: {
    zh: '你近期较多订单在点击后几秒内就成交',
    en: 'many of your recent orders came seconds after the click',
  },
  promoter_embedded_clicks: {
    zh: '你近期较多点击是在网页中被自动加载的，而非有人点开',
    en: 'many of your recent clicks were loaded inside web pages rather than opened by someone',
  },
  promoter_self_referrals: {
    zh: '你近期较多订单疑似由你本人下单',
    en: 'many of your recent orders appear to be your own',
  },
  concentrated_traffic: {
    zh: '你近期的订单集中来自少数几个网络',
    en: 'your recent orders come from only a few networks',
  },
  low_conversion_rate: {
    zh: '你的链接点击很多，但成交比例远低于常见水平',
    en: 'your link gets many clicks but far fewer orders than usual',
  },
};

// What an admin reads when reviewing: what the signal means and what to check.
const ADMIN_TEXT: Record<FraudReasonCode, LocalizedText> = {
  self_referral: {
    zh: '自购：客户身份、设备，或 IP 加 User-Agent 与推客本人一致。核对是否为推客本人或其家人下单。',
    en: "Self-referral: the customer identity, device, or IP together with user agent match the promoter's own. Check whether the promoter or their household placed the order.",
  },
  self_referral_network: {
    zh: '与推客同一 IP，但 User-Agent 不同。家庭、办公室和运营商 NAT 常共享 IP，单独出现不足为据。',
    en: 'Same IP as the promoter with another user agent. Homes, offices and carrier NAT share IPs, so on its own this proves nothing.',
  },
  bot_click: {
    zh: '归因点击的 User-Agent 属于爬虫、链接预览或无头浏览器。',
    en: 'The attributed click has the user agent of a crawler, link-preview fetcher or headless browser.',
  },
  suspicious_click: {
    zh: '归因点击超过了同一 IP 对同一链接的点击频率限制。',
    en: 'The attributed click exceeded the per-IP, per-link click rate.',
  },
  click_injection: {
    zh: '点击到下单的时间短于阈值（或点击晚于下单）：疑似点击注入或截胡优惠券。',
    en: 'Click to conversion was shorter than the threshold (or the click came after it): likely click injection or coupon poaching.',
  },
  click_spam: {
    zh: '该推客超过阈值比例的订单在点击 24 小时后才成交：疑似刷点击以截取自然成交。',
    en: "More than the threshold share of the promoter's conversions came long after the click: a click-spam pattern that claims organic sales.",
  },
  ip_velocity: {
    zh: '过去一小时同一 IP 的下单数达到上限。留意团购或办公室集中下单等正常情况。',
    en: 'Conversions from the same IP in the past hour reached the limit. Group buys and offices can do this legitimately.',
  },
  device_velocity: {
    zh: '过去一小时同一设备的下单数达到上限：疑似多账号刷单。',
    en: 'Conversions from the same device in the past hour reached the limit: likely several accounts on one device.',
  },
  conversion_rate_spike: {
    zh: '该推客近期成交率超过其基线的设定倍数。',
    en: "The promoter's recent conversion rate is above the set multiple of their baseline.",
  },
  duplicate_order: {
    zh: '商户已发送过同一订单（订单号不同或内容完全相同）。',
    en: 'The merchant already sent this order (under another id, or as an exact repeat).',
  },
  amount_outlier: {
    zh: '订单金额超过该推客（或租户）常见金额的设定倍数。',
    en: "The order amount is above the set multiple of the promoter's (or tenant's) typical amount.",
  },
  refund_rate: {
    zh: '该推客历史订单的退款比例超过阈值。',
    en: "The promoter's share of refunded conversions is above the threshold.",
  },
  datacenter_ip: {
    zh: '客户 IP 属于数据中心网段。VPN 和公司代理也可能如此。',
    en: "The customer's IP is in a datacenter range. VPNs and company proxies can be too.",
  },
  cookie_stuffing: {
    zh: '点击的 Fetch Metadata 显示它作为 iframe 或图片加载，或并非由用户手势触发：疑似 Cookie 填充。',
    en: 'Fetch metadata shows the click was loaded as an iframe or image, or without a user gesture: likely cookie stuffing.',
  },
  promoter_ip_velocity: {
    zh: '过去一小时内，该推客的订单来自同一个非推客本人网络下的多台不同设备：疑似改机刷单或脚本。',
    en: "In the past hour, several devices on one network that is not the promoter's own ordered through this promoter: likely a phone farm or a script.",
  },
  promoter_bot_traffic: {
    zh: '该推客近期订单中，点击被判定为爬虫或超频的比例明显高于阈值。此信号会标记该推客的全部订单。',
    en: "The share of the promoter's recent conversions with a bot or over-rate click is clearly above the threshold. It flags all of the promoter's conversions.",
  },
  promoter_datacenter_traffic: {
    zh: '该推客近期订单中来自数据中心 IP 的比例明显高于阈值：疑似模拟器或云端脚本下单。',
    en: "The share of the promoter's recent conversions from datacenter IPs is clearly above the threshold: likely emulators or scripts in the cloud.",
  },
  promoter_fast_conversions: {
    zh: '该推客近期订单中点击后数秒即成交的比例明显高于阈值：疑似点击注入。',
    en: "The share of the promoter's recent conversions within seconds of the click is clearly above the threshold: likely click injection.",
  },
  promoter_embedded_clicks: {
    zh: '该推客近期点击中以 iframe 或图片方式加载的比例明显高于阈值：疑似 Cookie 填充。本次点击本身正常时才计入，因此仅凭 Fetch Metadata 不会拦截。',
    en: "The share of the promoter's recent clicks loaded as an iframe or image is clearly above the threshold: likely cookie stuffing. Counted only when this click looks normal, so fetch metadata alone never holds.",
  },
  promoter_self_referrals: {
    zh: '该推客近期订单中与其本人身份一致的比例明显高于阈值。单独出现不足以送审，与同网络信号叠加时生效。',
    en: "The share of the promoter's recent conversions matching their own identity is clearly above the threshold. Not enough on its own; it adds to the same-network signal.",
  },
  concentrated_traffic: {
    zh: '该推客近期订单中来自已出现过的 IP 的比例明显高于阈值：订单集中在少数手机、机房或设备农场。',
    en: "The share of the promoter's recent conversions from an IP already used by another is clearly above the threshold: a few phones, a server or a phone farm.",
  },
  low_conversion_rate: {
    zh: '该推客点击量大，但转化率明显低于租户常见推客的设定分之一：疑似刷点击或广告曝光冒充点击。',
    en: "The promoter has many clicks but converts clearly below the set fraction of the tenant's typical promoter: likely click spam from ads or background apps.",
  },
};

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

/**
 * Tells a promoter, in plain words, why an order is under review: Chinese first, then
 * English. Never states the score, weights or thresholds.
 *
 * @example
 *   describeHold(['click_injection'])
 *   // => '订单正在审核中：下单距离点击的时间过短。审核通过后佣金照常结算。 / Under review: the order
 *   //     came too soon after the click. If the review clears it, the commission is paid as usual.'
 */
export function describeHold(reasonCodes: readonly FraudReasonCode[]): string {
  const texts = unique(reasonCodes).map((code) => PROMOTER_TEXT[code]);
  const zhReasons = texts.map((t) => t.zh).join('；');
  const enReasons = texts.map((t) => t.en).join('; ');
  const zh = `订单正在审核中${zhReasons ? `：${zhReasons}` : ''}。审核通过后佣金照常结算。`;
  const en = `Under review${enReasons ? `: ${enReasons}` : ''}. If the review clears it, the commission is paid as usual.`;
  return `${zh} / ${en}`;
}

/** The admin console's explanation of a reason code, in Chinese and English. */
export function describeReasonForAdmin(code: FraudReasonCode): LocalizedText {
  return ADMIN_TEXT[code];
}
