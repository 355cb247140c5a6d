// The header menu: every page the account's role may open, and nothing else (the server refuses the rest anyway).
import { api, session } from './api.js';

const PAGES = [
  { href: '/', text: 'Projects', roles: ['admin', 'reviewer'] },
  { href: '/runs', text: 'Runs', roles: ['admin'] },
  { href: '/models', text: 'Models', roles: ['admin'] },
  { href: '/api/docs', text: 'API', roles: ['admin', 'reviewer'] },
];

/** Fills the header (who, log out, menu) and returns the session. */
export async function header() {
  const me = await session();
  document.getElementById('who').textContent = `${me.user} (${me.role})`;
  document.getElementById('logout').addEventListener('click', async () => {
    await api('POST', '/api/logout');
    location.assign('/login');
  });
  drawMenu(me);
  return me;
}

/** Fills the header's menu (an element with id "menu") with the pages this session's role may open. */
export function drawMenu(me) {
  const menu = document.getElementById('menu');
  if (menu) {
    menu.replaceChildren();
    for (const page of PAGES.filter((p) => p.roles.includes(me.role))) {
      const a = document.createElement('a');
      a.href = page.href;
      a.textContent = page.text;
      if (location.pathname === page.href || (page.href !== '/' && location.pathname.startsWith(page.href + '/'))) {
        a.setAttribute('aria-current', 'page');
      }
      menu.append(a);
    }
  }
}
