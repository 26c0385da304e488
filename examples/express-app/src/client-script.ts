/**
 * The demo's only browser script (served as /static/demo.js, so the CSP can forbid inline scripts).
 * - popup flow (Ziqiang): open the login page in a popup, receive { code } by postMessage from the
 *   login page's origin only, POST it as JSON to /auth/<name>/callback, follow the answer.
 * - SPA token flow (NCUOS): the callback page reads ?token=, removes it from the address bar, POSTs
 *   it as JSON to the same path, follows the answer.
 * Its messages follow the page's language (`<html lang>`).
 */
import type { Lang } from './i18n';

/** What the script says, in both languages (`{param}` is filled in). */
export const SCRIPT_TEXTS: Readonly<Record<Lang, Readonly<Record<string, string>>>> = {
  zh: {
    failed: '登录失败',
    unreachable: 'ERR_NETWORK：连不上本应用',
    gotCode: '已从弹窗收到授权码，正在登录…',
    waiting: '正在等待弹窗…',
    blocked: '弹窗被拦截了：请允许本站打开弹窗。',
    noCredential: 'ERR_NO_CREDENTIAL：地址里没有 {param}',
  },
  en: {
    failed: 'sign-in failed',
    unreachable: 'ERR_NETWORK: the app could not be reached',
    gotCode: 'Got a code from the popup; signing in…',
    waiting: 'Waiting for the popup…',
    blocked: 'The popup was blocked: allow popups for this site.',
    noCredential: 'ERR_NO_CREDENTIAL: no {param} in the address',
  },
};

export const DEMO_JS = `(function () {
  'use strict';
  var TEXTS = ${JSON.stringify(SCRIPT_TEXTS)};
  var T = /^zh/i.test(document.documentElement.lang) ? TEXTS.zh : TEXTS.en;
  function show(name, text) {
    var el = document.querySelector('[data-popup-result="' + name + '"]') || document.querySelector('[role=status]');
    if (el) el.textContent = text;
  }
  function postCredential(path, body, name) {
    return fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body)
    })
      .then(function (r) { return r.json(); })
      .then(function (answer) {
        if (answer && answer.ok && typeof answer.redirect === 'string' && answer.redirect.charAt(0) === '/') {
          window.location.assign(answer.redirect);
        } else {
          var e = (answer && answer.error) || {};
          show(name, (e.code || 'ERR_INTERNAL') + ': ' + (e.message || T.failed));
        }
      })
      .catch(function () { show(name, T.unreachable); });
  }

  // popup flow
  var pending = null;
  window.addEventListener('message', function (ev) {
    if (!pending || ev.origin !== pending.origin) return;
    var data = ev.data;
    if (!data || typeof data.code !== 'string') return;
    var name = pending.name;
    pending = null;
    show(name, T.gotCode);
    postCredential('/auth/' + encodeURIComponent(name) + '/callback', { code: data.code }, name);
  });
  var popupButtons = document.querySelectorAll('[data-popup-login]');
  for (var i = 0; i < popupButtons.length; i++) {
    popupButtons[i].addEventListener('click', function () {
      var name = this.getAttribute('data-popup-login');
      pending = { name: name, origin: this.getAttribute('data-login-origin') };
      var rt = new URLSearchParams(window.location.search).get('returnTo');
      var url = '/auth/' + encodeURIComponent(name) + '/popup' + (rt ? '?returnTo=' + encodeURIComponent(rt) : '');
      var w = window.open(url, 'campus-passport-' + name, 'popup,width=520,height=680');
      show(name, w ? T.waiting : T.blocked);
    });
  }

  // SPA token flow
  var landing = document.querySelector('[data-spa-landing]');
  if (landing) {
    var spaName = landing.getAttribute('data-spa-landing');
    var param = landing.getAttribute('data-param');
    var params = new URLSearchParams(window.location.search);
    var token = params.get(param);
    // keep the token out of the history and of any Referer
    window.history.replaceState(null, '', window.location.pathname);
    if (!token) {
      landing.textContent = T.noCredential.replace('{param}', param);
    } else {
      var body = {};
      body[param] = token;
      postCredential(window.location.pathname, body, spaName);
    }
  }
})();
`;
