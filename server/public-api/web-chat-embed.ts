// The /embed.js script: a chat bubble from one script tag. Vanilla JavaScript (no framework), run
// on the integrator's page, configured by `window.weftChatConfig = { token, baseUrl, inputs?, user? }`.
// It adds a round button fixed at the bottom right ("Open chat") that opens a panel holding an
// iframe of the chat page (/chat/<token>?embed=1); the button toggles it and Escape closes it.
// `inputs` (an object) and `user` (a string) are passed to the page in its query string.
export const EMBED_SCRIPT = String.raw`(function () {
  'use strict';
  if (window.__weftChatLoaded) return;
  var config = window.weftChatConfig || {};
  if (!config.token || typeof config.token !== 'string') {
    console.error('Weft chat: window.weftChatConfig.token is missing');
    return;
  }
  window.__weftChatLoaded = true;
  var script = document.currentScript;
  var base = String(config.baseUrl || (script && script.src ? new URL(script.src).origin : location.origin))
    .replace(/\/+$/, '');
  var baseOrigin = new URL(base, location.href).origin;
  var query = new URLSearchParams({ embed: '1' });
  if (config.inputs && typeof config.inputs === 'object') query.set('inputs', JSON.stringify(config.inputs));
  if (config.user) query.set('user', String(config.user));
  var src = base + '/chat/' + encodeURIComponent(config.token) + '?' + query.toString();

  var css =
    '.weft-chat-bubble{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:56px;height:56px;' +
    'border-radius:50%;border:0;background:#4f46e5;color:#fff;cursor:pointer;display:flex;align-items:center;' +
    'justify-content:center;box-shadow:0 4px 14px rgba(0,0,0,.25);padding:0}' +
    '.weft-chat-bubble:focus-visible{outline:3px solid #a5b4fc;outline-offset:2px}' +
    '.weft-chat-panel{position:fixed;right:20px;bottom:88px;z-index:2147483000;width:380px;height:560px;' +
    'max-width:calc(100vw - 40px);max-height:calc(100vh - 108px);border-radius:12px;overflow:hidden;' +
    'box-shadow:0 8px 30px rgba(0,0,0,.3);background:#fff;display:none}' +
    '.weft-chat-panel[data-open="true"]{display:block}' +
    '.weft-chat-panel iframe{border:0;width:100%;height:100%;display:block}';
  var style = document.createElement('style');
  style.textContent = css;
  document.head.appendChild(style);

  var panel = document.createElement('div');
  panel.className = 'weft-chat-panel';
  panel.id = 'weft-chat-panel';
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-label', 'Chat');
  var frame = null;

  var button = document.createElement('button');
  button.type = 'button';
  button.className = 'weft-chat-bubble';
  button.setAttribute('aria-label', 'Open chat');
  button.setAttribute('aria-expanded', 'false');
  button.setAttribute('aria-controls', panel.id);
  button.innerHTML =
    '<svg width="26" height="26" viewBox="0 0 24 24" fill="none" aria-hidden="true" focusable="false">' +
    '<path d="M4 5h16v11H8l-4 4V5z" stroke="currentColor" stroke-width="2" stroke-linejoin="round"/></svg>';

  function setOpen(open) {
    if (open && !frame) {
      frame = document.createElement('iframe');
      frame.src = src;
      frame.title = 'Chat';
      frame.setAttribute('allow', 'clipboard-write');
      panel.appendChild(frame);
    }
    panel.setAttribute('data-open', open ? 'true' : 'false');
    button.setAttribute('aria-expanded', open ? 'true' : 'false');
    button.setAttribute('aria-label', open ? 'Close chat' : 'Open chat');
    if (open && frame) frame.focus();
    if (!open && panel.contains(document.activeElement)) button.focus();
  }
  var isOpen = function () { return panel.getAttribute('data-open') === 'true'; };
  button.addEventListener('click', function () { setOpen(!isOpen()); });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && isOpen()) { setOpen(false); button.focus(); }
  });
  // The chat page forwards Escape pressed inside the iframe.
  window.addEventListener('message', function (e) {
    if (e.origin === baseOrigin && e.data && e.data.type === 'weft-chat:close' && isOpen()) {
      setOpen(false);
      button.focus();
    }
  });

  function mount() {
    document.body.appendChild(panel);
    document.body.appendChild(button);
  }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
`;
