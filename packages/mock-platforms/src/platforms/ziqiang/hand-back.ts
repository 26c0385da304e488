/**
 * The Ziqiang Auth emulator's login-page script: the hand-back, in the browser.
 * zq_auth_frontend utils/callback.ts: an opener gets the data by postMessage and the page closes;
 * else redirect-uri (the plain form post); else the mini-program (wxapp).
 */
export const HAND_BACK_SCRIPT = `<script>
document.addEventListener('DOMContentLoaded', function () {
  var form = document.querySelector('form[action="/login"]');
  var redirectUri = form.elements['redirect-uri'].value;
  var wxapp = document.getElementById('login-mode').getAttribute('data-wxapp') === 'true';
  function show(text) { document.getElementById('message').textContent = text; }
  var buttons = form.querySelectorAll('button[data-user]');
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener('click', function (ev) {
      var mini = window.wx && window.wx.miniProgram;
      var toOpener = !!window.opener;
      var toMini = !toOpener && !redirectUri && wxapp && !!mini;
      if (!toOpener && !toMini) return;
      ev.preventDefault();
      var data = new URLSearchParams(new FormData(form));
      data.set('user', this.getAttribute('data-user'));
      fetch('/login', { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' }, body: data.toString() })
        .then(function (r) { return r.json(); })
        .then(function (env) {
          if (env.code !== '00000') { show(env.msg); return; }
          if (!env.data.message) { show(env.data.notice); return; }
          if (toOpener) {
            window.opener.postMessage(env.data.message, '*');
            window.close();
          } else {
            mini.postMessage({ data: env.data.message });
            mini.navigateBack();
          }
        });
    });
  }
});
</script>`;
