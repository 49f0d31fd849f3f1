// What the proxy's HTTPS listener needs from the local certificate authority: a TLS context per SNI
// name (a certificate minted on demand for `api.localhost`), and one for clients that send no SNI.
import type { SecureContext } from 'node:tls';

export interface TlsContextProvider {
  /** the context for an SNI name; rejects (and the handshake fails) for names DevMesh does not serve */
  secureContextFor(servername: string): Promise<SecureContext>;
  /** the context for clients that send no SNI (a certificate for `localhost`) */
  defaultContext(): SecureContext;
  /** the same certificate and key as PEM: tls.createServer takes its default certificate only this way */
  defaultCredentials(): { cert: string; key: string };
  /** path of the CA certificate (PEM), for NODE_EXTRA_CA_CERTS and `devmesh ca path` */
  readonly certPath: string;
}
