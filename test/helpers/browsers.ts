import { chromium, type Browser as PlaywrightBrowser } from 'playwright-core';
import puppeteer, { type Browser as PuppeteerBrowser } from 'puppeteer-core';

/*
 * The two real browsers the UI is tested in, kept off the internet. Checked with strace over a
 * whole browser test: without these, Chromium looks up update.googleapis.com and Firefox its
 * remote-settings host, even with their background networking turned off.
 */

/** Debian's Chromium, headless, with the flags the UI issue names plus: no host name resolves. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

export function launchChromium(): Promise<PlaywrightBrowser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
}

/**
 * Firefox prefs on top of puppeteer's own: every host name resolves to 127.0.0.1 without asking DNS,
 * and anything else not on loopback goes to a dead proxy.
 */
export const FIREFOX_PREFS = {
  'network.dns.forceResolve': '127.0.0.1',
  'network.trr.mode': 5,
  'network.proxy.type': 1,
  'network.proxy.http': '127.0.0.1',
  'network.proxy.http_port': 9,
  'network.proxy.ssl': '127.0.0.1',
  'network.proxy.ssl_port': 9,
  'network.proxy.no_proxies_on': '127.0.0.0/8',
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'browser.region.network.url': '',
  'browser.search.geoip.url': '',
  'geo.provider.network.url': '',
};

/** Debian's Firefox ESR through WebDriver BiDi (Playwright drives only its own patched Firefox). */
export function launchFirefox(): Promise<PuppeteerBrowser> {
  return puppeteer.launch({ browser: 'firefox', executablePath: '/usr/bin/firefox-esr', headless: true, extraPrefsFirefox: FIREFOX_PREFS });
}
