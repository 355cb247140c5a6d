// Swagger UI (from its WebJar) over this server's OpenAPI description. "Try it out" calls go with the session
// cookie, and state-changing ones carry the session's CSRF token, as the pages' own calls do.
import { failurePage } from './api.js';
import { header } from './nav.js';

async function main() {
  let me;
  try {
    me = await header();
  } catch (err) {
    failurePage(err);
    return;
  }
  window.SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    requestInterceptor: (request) => {
      if (request.method && request.method !== 'GET') request.headers['X-CSRF-Token'] = me.csrf_token;
      return request;
    },
    onComplete: () => { document.body.dataset.loaded = 'true'; },
  });
}

main();
