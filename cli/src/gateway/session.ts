import type { Wso2Client, Wso2Request, Wso2Response } from '../clients/wso2-client.js';

/** The OAuth client innover registers with WSO2 (DCR); registering it again returns the same one. */
export const dcrClientName = 'innover-cli';

/** Scopes per API family: each token asks only for what its calls need. */
export const scopes = {
  /** search, create/update, revisions, deploy, lifecycle */
  publisher: ['apim:api_view', 'apim:api_create', 'apim:api_publish'],
  /** key managers and gateway environments */
  admin: ['apim:admin'],
  /** the smoke application, its keys and subscriptions */
  devportal: ['apim:subscribe', 'apim:app_manage', 'apim:sub_manage'],
} as const;

export type ScopeSet = keyof typeof scopes;

export interface Wso2Credentials {
  user: string;
  password: string;
}

/**
 * An authenticated conversation with WSO2: one DCR registration, then one password-grant token
 * per scope set, reused for every call of that family.
 */
export class Wso2Session {
  private registration: Promise<{ clientId: string; clientSecret: string }> | undefined;
  private readonly tokens = new Map<ScopeSet, Promise<string>>();

  constructor(
    readonly client: Wso2Client,
    private readonly credentials: Wso2Credentials,
  ) {}

  /** Sends a publisher/admin/devportal request with a token holding `scopeSet`. */
  async send(scopeSet: ScopeSet, request: Omit<Wso2Request, 'auth'>): Promise<Wso2Response> {
    const token = await this.token(scopeSet);
    return this.client.request({ ...request, auth: { bearer: token } });
  }

  private register(): Promise<{ clientId: string; clientSecret: string }> {
    this.registration ??= this.client
      .request({
        api: 'dcr',
        method: 'POST',
        path: '',
        auth: { basic: this.credentials },
        json: {
          clientName: dcrClientName,
          owner: this.credentials.user,
          grantType: 'client_credentials password refresh_token',
          saasApp: true,
          callbackUrl: 'https://localhost/innover-cli',
        },
      })
      .then((response) => {
        const data = response.data as { clientId?: unknown; clientSecret?: unknown };
        if (typeof data.clientId !== 'string' || typeof data.clientSecret !== 'string') {
          throw new Error('WSO2 client registration answered without clientId/clientSecret');
        }
        return { clientId: data.clientId, clientSecret: data.clientSecret };
      });
    return this.registration;
  }

  private token(scopeSet: ScopeSet): Promise<string> {
    let token = this.tokens.get(scopeSet);
    if (!token) {
      token = this.register().then(async (registration) => {
        const response = await this.client.request({
          api: 'token',
          method: 'POST',
          path: '',
          auth: { basic: { user: registration.clientId, password: registration.clientSecret } },
          form: {
            grant_type: 'password',
            username: this.credentials.user,
            password: this.credentials.password,
            scope: scopes[scopeSet].join(' '),
          },
        });
        const accessToken = (response.data as { access_token?: unknown }).access_token;
        if (typeof accessToken !== 'string') throw new Error('WSO2 token endpoint answered without access_token');
        return accessToken;
      });
      // A failed attempt is not cached, so a retry after fixing the cause can succeed.
      token.catch(() => this.tokens.delete(scopeSet));
      this.tokens.set(scopeSet, token);
    }
    return token;
  }
}
