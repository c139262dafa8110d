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

  // headersFrom turns the Headers tab's JSON into request headers. An Authorization header
  // without a token (the default above) is left out, so such a request is plainly anonymous.
  function headersFrom(edited) {
    var headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
    Object.keys(edited || {}).forEach(function (name) {
      var value = edited[name];
      if (value === null || value === undefined) return;
      value = String(value);
      if (name.toLowerCase() === 'authorization' && /^\s*(bearer\s*)?$/i.test(value)) return;
      headers[name] = value;
    });
    return headers;
  }

  // fetcher posts one operation and returns the response's JSON; a response that is not JSON
  // (a proxy's error page, a body too large) becomes a GraphQL error that shows its status.
  function fetcher(params, opts) {
    return fetch(endpoint, {
      method: 'POST',
      headers: headersFrom(opts && opts.headers),
      body: JSON.stringify(params),
      credentials: 'same-origin'
    }).then(function (res) {
      return res.text().then(function (text) {
        try {
          return JSON.parse(text);
        } catch (e) {
          return { errors: [{ message: 'HTTP ' + res.status + ': ' + text.slice(0, 500) }] };
        }
      });
    });
  }

  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultHeaders: defaultHeaders,
      shouldPersistHeaders: false
    })
  );
})();
