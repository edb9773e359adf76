// A real OpenID Connect provider for the sign-in browser tests (npm `oidc-provider`, pinned in
// package.json), listening on 127.0.0.1 only. Its development login page accepts any password;
// the login names an account of OIDC_ACCOUNTS, whose claims (roles, clearance, ...) go into the
// ID token. Usage: node oidc_provider.mjs PORT APP_URL  (OIDC_ACCOUNTS: JSON {id: {claims}}).
import Provider from 'oidc-provider';

const [port, appUrl] = [Number(process.argv[2]), process.argv[3]];
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || '{}');
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'humansec',
    client_secret: 'humansec-test-secret',
    redirect_uris: [`${appUrl}/oauth2callback`],
    // Streamlit's st.logout sends its callback as the post-logout redirect.
    post_logout_redirect_uris: [`${appUrl}/oauth2callback`, `${appUrl}/`],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  // Custom claims in the ID token itself (Streamlit reads the ID token, not userinfo).
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub'],
    email: ['email'],
    profile: ['name', 'roles', 'clearance'],
  },
  async findAccount(ctx, id) {
    if (!accounts[id]) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...accounts[id] }; } };
  },
  cookies: { keys: ['humansec-browser-test'] },
  features: { devInteractions: { enabled: true } },
  ttl: { IdToken: Number(process.env.OIDC_ID_TOKEN_TTL || 3600) },
});
provider.proxy = false;
provider.listen(port, '127.0.0.1', () => {
  process.stdout.write(`oidc-provider listening on ${issuer}\n`);
});
