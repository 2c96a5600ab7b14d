// A real OpenID Connect provider (panva/oidc-provider, OpenID Certified) for the accounts tests.
//
//   node provider.mjs REDIRECT_URI
//
// Listens on a free 127.0.0.1 port, then prints one JSON line {"issuer": ...} on stdout. It
// stops on SIGTERM or when its standard input closes (the test process went away).
//
// One test account (login "zhangsan") signs in through a login form at /interaction/<uid>;
// consent is given on its behalf (a first-party client). Four clients share one secret:
//   dataip            an honest provider;
//   dataip-tamper     the ID token's payload is altered after signing (signature breaks);
//   dataip-wrong-aud  the ID token is re-signed with the provider's own key for another audience;
//   dataip-wrong-iss  likewise, naming another issuer.
// The last three stand for an attacker between the relying party and the provider, or a
// confused provider: the relying party must refuse each token.

import http from 'node:http';

import * as jose from 'jose';
import { Provider } from 'oidc-provider';

const redirectUri = process.argv[2];
if (!redirectUri) {
  process.stderr.write('usage: node provider.mjs REDIRECT_URI\n');
  process.exit(2);
}

const CLIENT_SECRET = 'dataip-test-client-secret-0123456789';
const ACCOUNT = {
  accountId: 'zhangsan-0001',
  login: 'zhangsan',
  password: 'correct horse battery staple',
  claims: {
    name: '张三',
    email: 'zhangsan@example.com',
    email_verified: true,
    phone_number: '13800138000',
    phone_number_verified: true,
  },
};
const KID = 'test-signing-key';

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signingJwk = { ...(await jose.exportJWK(privateKey)), kid: KID, alg: 'RS256', use: 'sig' };

const clients = ['dataip', 'dataip-tamper', 'dataip-wrong-aud', 'dataip-wrong-iss'].map(
  (clientId) => ({
    client_id: clientId,
    client_secret: CLIENT_SECRET,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }),
);

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function loginPage(uid, error) {
  return `<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8"><title>统一身份认证</title></head>
<body><h1>统一身份认证（测试）</h1>${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label>用户名 <input name="login" autocomplete="username"></label>
<label>密码 <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">登录</button></form></body></html>`;
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}

async function resign(idToken, changes) {
  const payload = jose.decodeJwt(idToken);
  return new jose.SignJWT({ ...payload, ...changes })
    .setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'JWT' })
    .sign(privateKey);
}

function tamper(idToken) {
  const [header, payload, signature] = idToken.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  claims.sub = 'attacker';
  return [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: [signingJwk] },
    cookies: { keys: ['dataip-test-cookie-key-0123456789'] },
    claims: {
      openid: ['sub'],
      profile: ['name'],
      email: ['email', 'email_verified'],
      phone: ['phone_number', 'phone_number_verified'],
    },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, id) {
      if (id !== ACCOUNT.accountId) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...ACCOUNT.claims }) };
    },
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid profile email phone');
      await grant.save();
      return grant;
    },
  });
  provider.on('server_error', (ctx, error) => process.stderr.write(`${error.stack}\n`));

  provider.use(async (ctx, next) => {
    const match = ctx.path.match(/^\/interaction\/([-\w]+)(\/login)?$/);
    if (!match) {
      await next();
      return;
    }
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.prompt.name !== 'login') ctx.throw(501, `prompt ${details.prompt.name}`);
    if (ctx.method === 'GET' && !match[2]) {
      ctx.type = 'html';
      ctx.body = loginPage(details.uid, '');
      return;
    }
    if (ctx.method !== 'POST' || !match[2]) ctx.throw(405);
    const form = await readForm(ctx.req);
    if (form.login !== ACCOUNT.login || form.password !== ACCOUNT.password) {
      ctx.status = 401;
      ctx.type = 'html';
      ctx.body = loginPage(details.uid, '用户名或密码错误');
      return;
    }
    const returnTo = await provider.interactionResult(
      ctx.req,
      ctx.res,
      { login: { accountId: ACCOUNT.accountId } },
      { mergeWithLastSubmission: false },
    );
    ctx.status = 303;
    ctx.redirect(returnTo);
  });

  provider.use(async (ctx, next) => {
    await next();
    if (ctx.method !== 'POST' || ctx.path !== '/token') return;
    const body = ctx.body;
    if (!body || typeof body !== 'object' || typeof body.id_token !== 'string') return;
    switch (ctx.oidc?.client?.clientId) {
      case 'dataip-tamper':
        body.id_token = tamper(body.id_token);
        break;
      case 'dataip-wrong-aud':
        body.id_token = await resign(body.id_token, { aud: 'someone-else' });
        break;
      case 'dataip-wrong-iss':
        body.id_token = await resign(body.id_token, { iss: 'http://127.0.0.1:1' });
        break;
      default:
        break;
    }
  });

  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

process.on('SIGTERM', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
