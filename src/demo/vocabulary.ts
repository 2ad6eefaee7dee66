// The shop's world as its logs name it: customers, client addresses, browsers, products, warehouses, attackers.
// Built once per seed into a Catalog; generators then only pick from it, so line building stays allocation-light.

import { Prng } from './prng.ts';

const FIRST = [
  'james', 'mary', 'robert', 'patricia', 'john', 'jennifer', 'michael', 'linda', 'david', 'elizabeth', 'william', 'barbara',
  'richard', 'susan', 'joseph', 'jessica', 'thomas', 'sarah', 'charles', 'karen', 'chris', 'lisa', 'daniel', 'nancy',
  'matthew', 'betty', 'anthony', 'sandra', 'mark', 'margaret', 'donald', 'ashley', 'steven', 'kimberly', 'andrew', 'emily',
  'paul', 'donna', 'joshua', 'michelle', 'kenneth', 'carol', 'kevin', 'amanda', 'brian', 'melissa', 'george', 'deborah',
  'timothy', 'stephanie', 'ronald', 'dorothy', 'jason', 'rebecca', 'edward', 'sharon', 'jeffrey', 'laura', 'ryan', 'cynthia',
  'jacob', 'amy', 'gary', 'kathleen', 'nicholas', 'angela', 'eric', 'shirley', 'jonathan', 'brenda', 'stephen', 'emma',
  'larry', 'anna', 'justin', 'pamela', 'scott', 'nicole', 'brandon', 'samantha', 'benjamin', 'katherine', 'samuel', 'christine',
  'lukas', 'sofia', 'mateo', 'lucia', 'noah', 'mia', 'leon', 'hannah', 'elias', 'lea', 'finn', 'clara', 'yuki', 'haruto',
  'aarav', 'priya', 'wei', 'mei', 'omar', 'fatima', 'ivan', 'olga', 'pierre', 'camille', 'giulia', 'marco', 'sven', 'ingrid',
];
const LAST = [
  'smith', 'johnson', 'williams', 'brown', 'jones', 'garcia', 'miller', 'davis', 'rodriguez', 'martinez', 'hernandez',
  'lopez', 'gonzalez', 'wilson', 'anderson', 'thomas', 'taylor', 'moore', 'jackson', 'martin', 'lee', 'perez', 'thompson',
  'white', 'harris', 'sanchez', 'clark', 'ramirez', 'lewis', 'robinson', 'walker', 'young', 'allen', 'king', 'wright',
  'scott', 'torres', 'nguyen', 'hill', 'flores', 'green', 'adams', 'nelson', 'baker', 'hall', 'rivera', 'campbell', 'mitchell',
  'carter', 'roberts', 'mueller', 'schmidt', 'schneider', 'fischer', 'weber', 'meyer', 'wagner', 'becker', 'schulz', 'hoffmann',
  'dubois', 'durand', 'lefebvre', 'moreau', 'laurent', 'rossi', 'russo', 'ferrari', 'esposito', 'bianchi', 'kowalski', 'nowak',
  'tanaka', 'suzuki', 'takahashi', 'watanabe', 'sato', 'kim', 'park', 'chen', 'wang', 'li', 'zhang', 'singh', 'patel', 'kumar',
  'ivanov', 'petrov', 'hansen', 'johansson', 'nielsen', 'jensen', 'silva', 'santos', 'oliveira', 'costa', 'murphy', 'kelly',
];
const MAIL_DOMAINS = ['gmail.com', 'gmail.com', 'gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com', 'hotmail.com', 'proton.me', 'gmx.de', 'web.de', 'orange.fr', 'mail.ru', 'fastmail.com', 'aol.com', 'live.com'];

const ADJECTIVES = [
  'classic', 'vintage', 'slim', 'oversized', 'lightweight', 'waterproof', 'wireless', 'organic', 'ergonomic', 'compact',
  'premium', 'rustic', 'modern', 'minimalist', 'portable', 'heavy-duty', 'insulated', 'foldable', 'adjustable', 'recycled',
  'handmade', 'quilted', 'stretch', 'smart', 'cordless', 'ceramic', 'leather', 'bamboo', 'merino', 'stainless',
];
const NOUNS = [
  'backpack', 'sneakers', 'jacket', 'headphones', 'kettle', 'desk-lamp', 'yoga-mat', 'water-bottle', 'hoodie', 'watch',
  'sunglasses', 'blender', 'chair', 'notebook', 'keyboard', 'mouse', 'monitor-arm', 'tent', 'sleeping-bag', 'frying-pan',
  'coffee-grinder', 'toaster', 'vacuum', 'speaker', 'charger', 'phone-case', 'wallet', 'belt', 'scarf', 'beanie', 'gloves',
  'running-shorts', 'jeans', 'dress', 'blouse', 't-shirt', 'socks', 'boots', 'sandals', 'duvet', 'pillow', 'towel-set',
  'plant-pot', 'candle', 'picture-frame', 'bike-helmet', 'dumbbells', 'kettlebell', 'tripod', 'drone',
];
export const CATEGORIES = [
  'men', 'women', 'kids', 'shoes', 'outdoor', 'electronics', 'audio', 'kitchen', 'home', 'garden', 'sports', 'fitness',
  'office', 'gaming', 'beauty', 'toys', 'books', 'pets', 'travel', 'accessories', 'sale', 'new-arrivals', 'bestsellers',
  'bags', 'watches', 'jewelry', 'lighting', 'furniture', 'bedding', 'bath', 'tools', 'automotive', 'cycling', 'camping',
];
export const SORTS = ['relevance', 'price_asc', 'price_desc', 'newest', 'rating', 'popularity'];
export const CURRENCIES = ['EUR', 'EUR', 'EUR', 'USD', 'USD', 'GBP', 'CHF', 'SEK', 'PLN'];
export const CARD_BRANDS = ['visa', 'visa', 'visa', 'mastercard', 'mastercard', 'amex', 'maestro', 'discover'];
export const DECLINE_REASONS = ['insufficient_funds', 'do_not_honor', 'expired_card', 'incorrect_cvc', 'card_velocity_exceeded', 'fraudulent'];
export const WAREHOUSES = ['fra-1', 'fra-2', 'ams-1', 'dub-1', 'waw-1', 'mad-1', 'iad-1', 'ord-2'];
export const SCANNER_PATHS = [
  '/wp-login.php', '/.env', '/.git/config', '/admin/config.php', '/phpmyadmin/index.php', '/xmlrpc.php', '/cgi-bin/luci',
  '/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php', '/actuator/health', '/.aws/credentials', '/server-status',
  '/wp-content/plugins/revslider/temp/update_extract/revslider/', '/boaform/admin/formLogin', '/HNAP1/', '/solr/admin/info/system',
  '/api/v1/../../../../etc/passwd', '/owa/auth/logon.aspx', '/console/login/LoginForm.jsp', '/.DS_Store', '/config.json',
];
export const SCANNER_AGENTS = [
  'Mozilla/5.0 zgrab/0.x', 'masscan/1.3 (https://github.com/robertdavidgraham/masscan)', 'curl/7.68.0', 'python-requests/2.25.1',
  'Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)', 'Go-http-client/1.1', 'Nuclei - Open-source project (github.com/projectdiscovery/nuclei)',
  'Mozilla/5.0 (Windows NT 6.1; WOW64; rv:45.0) Gecko/20100101 Firefox/45.0', 'sqlmap/1.7.2#stable (https://sqlmap.org)',
];
export const BRUTE_FORCE_NAMES = ['admin', 'root', 'test', 'administrator', 'user', 'support', 'info', 'demo', 'guest', 'oracle', 'postgres', 'shop', 'sales', 'webmaster', 'backup', 'ubuntu', 'ftp', 'dev'];
export const SMTP_RELAYS = ['mx1.mailrelay.net', 'mx2.mailrelay.net', 'smtp.eu.sendmail-cloud.com', 'smtp-out.postbox.io'];
export const PAYMENT_PROVIDERS = ['acmepay', 'acmepay', 'acmepay', 'globalcard'];

export interface User {
  id: string;
  name: string;
  email: string;
  /** index into Catalog.userAgents: people keep their browser */
  agent: number;
  /** index into Catalog.clientIps: and mostly their address */
  ip: number;
}

export interface Product {
  sku: string;
  slug: string;
  category: string;
  /** price in cents */
  price: number;
}

/** Everything the estate's programs mention, drawn once from a seed. */
export interface Catalog {
  users: User[];
  products: Product[];
  clientIps: string[];
  attackerIps: string[];
  userAgents: string[];
  /** app bundle file names of recent deploys */
  bundles: string[];
  searchWords: string[];
}

const OS_DESKTOP = ['Windows NT 10.0; Win64; x64', 'Macintosh; Intel Mac OS X 10_15_7', 'X11; Linux x86_64', 'X11; Ubuntu; Linux x86_64', 'Windows NT 11.0; Win64; x64'];
const ANDROID_MODELS = ['SM-S918B', 'SM-A546B', 'Pixel 7', 'Pixel 8 Pro', 'M2101K6G', 'CPH2451', 'SM-G991B', 'moto g84 5G', '2201117TG', 'Pixel 6a'];
const IPHONE_MODELS = ['iPhone14,5', 'iPhone15,2', 'iPhone15,3', 'iPhone16,1', 'iPhone13,2', 'iPhone12,1'];

function userAgent(rng: Prng): string {
  const kind = rng.next();
  if (kind < 0.34) {
    const v = rng.between(112, 131);
    return `Mozilla/5.0 (${rng.pick(OS_DESKTOP)}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.${rng.between(5000, 6800)}.${rng.between(40, 230)} Safari/537.36`;
  }
  if (kind < 0.52) {
    const v = rng.between(112, 131);
    return `Mozilla/5.0 (Linux; Android ${rng.between(10, 14)}; ${rng.pick(ANDROID_MODELS)}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.${rng.between(5000, 6800)}.${rng.between(40, 230)} Mobile Safari/537.36`;
  }
  if (kind < 0.68) {
    const major = rng.between(15, 17);
    const minor = rng.between(0, 6);
    return `Mozilla/5.0 (iPhone; CPU iPhone OS ${major}_${minor} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${major}.${minor} Mobile/15E148 Safari/604.1`;
  }
  if (kind < 0.76) {
    const v = rng.between(115, 132);
    return `Mozilla/5.0 (${rng.pick(OS_DESKTOP)}; rv:${v}.0) Gecko/20100101 Firefox/${v}.0`;
  }
  if (kind < 0.82) {
    const v = rng.between(16, 17);
    return `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${v}.${rng.between(0, 6)} Safari/605.1.15`;
  }
  if (kind < 0.87) {
    const v = rng.between(118, 131);
    return `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36 Edg/${v}.0.${rng.between(2000, 2900)}.${rng.between(40, 99)}`;
  }
  if (kind < 0.93) return `ShopApp/5.${rng.between(8, 14)}.${rng.between(0, 4)} (iOS ${rng.between(16, 17)}.${rng.between(0, 6)}; ${rng.pick(IPHONE_MODELS)})`;
  if (kind < 0.97) return `ShopApp/5.${rng.between(8, 14)}.${rng.between(0, 4)} (Android ${rng.between(11, 14)}; ${rng.pick(ANDROID_MODELS)})`;
  return rng.pick([
    'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
    'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)',
    'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
    'Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)',
  ]);
}

// First octets of widely used public blocks: addresses look like real customers' without being private ranges.
const PUBLIC_FIRST_OCTETS = [23, 31, 37, 45, 46, 62, 66, 73, 77, 78, 79, 81, 82, 84, 86, 87, 88, 89, 91, 93, 94, 95, 98, 104, 109, 151, 176, 178, 185, 188, 193, 195, 212, 213, 217];

function publicIp(rng: Prng): string {
  return `${rng.pick(PUBLIC_FIRST_OCTETS)}.${rng.int(256)}.${rng.int(256)}.${rng.between(1, 254)}`;
}

function sku(rng: Prng): string {
  return `SKU-${rng.between(100000, 999999)}`;
}

/** Draws the shop's world. Sizes are chosen so a day of logs has the variety of a real estate. */
export function buildCatalog(seed: number): Catalog {
  const rng = new Prng(seed, 0xca7a1);
  const clientIps: string[] = [];
  for (let i = 0; i < 24000; i++) clientIps.push(publicIp(rng));
  const attackerIps: string[] = [];
  for (let i = 0; i < 60; i++) attackerIps.push(publicIp(rng));
  const userAgents: string[] = [];
  for (let i = 0; i < 600; i++) userAgents.push(userAgent(rng));
  const users: User[] = [];
  for (let i = 0; i < 40000; i++) {
    const first = rng.pick(FIRST);
    const last = rng.pick(LAST);
    const style = rng.int(4);
    const name = style === 0 ? `${first}.${last}` : style === 1 ? `${first}${last}${rng.between(1, 99)}` : style === 2 ? `${first[0]}${last}` : `${first}_${last}${rng.between(70, 2005)}`;
    users.push({ id: `u_${rng.alnum(10)}`, name, email: `${name}@${rng.pick(MAIL_DOMAINS)}`, agent: rng.int(userAgents.length), ip: rng.int(clientIps.length) });
  }
  const products: Product[] = [];
  for (let i = 0; i < 9000; i++) {
    const slug = `${rng.pick(ADJECTIVES)}-${rng.pick(NOUNS)}`;
    products.push({ sku: sku(rng), slug, category: rng.pick(CATEGORIES), price: Math.round(rng.logNormal(3900, 0.9)) });
  }
  const bundles: string[] = [];
  for (let i = 0; i < 6; i++) bundles.push(`app.${rng.hex(4)}.js`, `vendor.${rng.hex(4)}.js`, `main.${rng.hex(4)}.css`);
  const searchWords = [...ADJECTIVES, ...NOUNS, ...CATEGORIES].concat(NOUNS.map((n) => n.replace('-', '+')));
  return { users, products, clientIps, attackerIps, userAgents, bundles, searchWords };
}
