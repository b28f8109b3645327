import { isbot } from 'isbot';

// Link-preview fetchers of chat apps and social sites that isbot's list may not name. They
// fetch the link when it is shared, not when a person clicks it.
const PREVIEW_FETCHERS =
  /(wechat(devtools)?[\s/-]?(bot|spider|preview)|micromessenger.*(spider|bot)|weibo.*(spider|bot)|qq-?bot|tencenttraveler.*spider|dingtalkbot|feishu.*bot|larkbot|bytespider|telegrambot|whatsapp|slackbot|discordbot|twitterbot|facebookexternalhit|linkedinbot|skypeuripreview|line-poker|kakaotalk-scrap|snapchat|pinterestbot|redditbot|embedly|iframely|vkshare|applebot|googlebot|bingpreview)/i;

// Verdicts by user agent: the same few agents make most clicks, and isbot's pattern is long.
const verdicts = new Map<string, boolean>();
const MAX_VERDICTS = 10_000;

/** True for crawlers, link-preview fetchers, headless tools and empty user agents. */
export function isBotUserAgent(userAgent: string | null | undefined): boolean {
  if (!userAgent) return true;
  const known = verdicts.get(userAgent);
  if (known !== undefined) return known;
  const verdict = isbot(userAgent) || PREVIEW_FETCHERS.test(userAgent);
  if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
  verdicts.set(userAgent, verdict);
  return verdict;
}
