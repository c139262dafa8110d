// Renders GraphiQL (loaded as a UMD script, like React) into #graphiql, against the endpoint
// in its data-endpoint attribute. Kept out of index.html so the page's Content-Security-Policy
// can forbid inline scripts.
(function () {
  'use strict';

  var root = document.getElementById('graphiql');
  var endpoint = root.getAttribute('data-endpoint');

  var defaultQuery = [
    '# The Invites API. Sign up or log in, then put the token you get in the Headers tab below:',
    '#   { "Authorization": "Bearer <token>" }',
    '# Ctrl-Enter runs the query; Ctrl-Space completes.',
    '',
    'mutation LogIn {',
    '  logIn(input: { email: "you@example.com", password: "your password" }) {',
    '    token',
    '  }',
    '}',
    '',
    'query Me {',
    '  me {',
    '    id',
    '    email',
    '  }',
    '}',
    ''
  ].join('\n');

  var defaultHeaders = '{\n  "Authorization": "Bearer "\n}';

  // withoutBlankToken leaves out an Authorization header without a token (the default
  // above), so that such a request is plainly anonymous.
  function withoutBlankToken(headers) {
    var out = {};
    Object.keys(headers || {}).forEach(function (name) {
      var value = headers[name];
      if (value === null || value === undefined) return;
      value = String(value);
      if (name.toLowerCase() === 'authorization' && /^\s*(bearer\s*)?$/i.test(value)) return;
      out[name] = value;
    });
    return out;
  }

  // fetchAnswer is the fetch of queries and mutations: a JSON answer, or a multipart one (a
  // query with @defer), goes to GraphiQL as it is; any other (a proxy's error page, say)
  // becomes a GraphQL error that shows its status.
  function fetchAnswer(url, init) {
    var request = Object.assign({}, init, { headers: withoutBlankToken(init && init.headers), credentials: 'same-origin' });
    return fetch(url, request).then(function (res) {
      if (/^(application\/(graphql-response\+)?json|multipart\/mixed)/i.test(res.headers.get('Content-Type') || '')) {
        return res;
      }
      return res.text().then(function (text) {
        var body = JSON.stringify({ errors: [{ message: 'HTTP ' + res.status + ': ' + text.slice(0, 500) }] });
        return new Response(body, { status: res.status, headers: { 'Content-Type': 'application/json' } });
      });
    });
  }

  // Subscriptions go over a WebSocket to the same endpoint (graphql-ws, bundled in GraphiQL),
  // one connection per subscription, whose connection_init payload carries the Headers tab:
  // the server reads the token from its Authorization.
  var socketURL = new URL(endpoint, window.location.href);
  socketURL.protocol = socketURL.protocol === 'https:' ? 'wss:' : 'ws:';
  var fetcher = GraphiQL.createFetcher({ url: endpoint, subscriptionUrl: socketURL.href, fetch: fetchAnswer });

  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultHeaders: defaultHeaders,
      shouldPersistHeaders: false
    })
  );
})();
