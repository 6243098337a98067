// When the client certificate of a kubeconfig context expires. Talos' admin kubeconfig carries a client certificate
// that `talosctl kubeconfig` issues afresh on every fetch, valid one year (siderolabs/talos
// internal/app/machined/pkg/system/services/... admin kubeconfig: x509 NotAfter = now + 1 year); an expired one
// fails every kubectl call with "Unauthorized". The fields are kubeconfig's (k8s.io/client-go tools/clientcmd/api/v1
// types.go: contexts[].context.user, users[].user.client-certificate-data).
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

interface KubeconfigFile {
  contexts?: { name: string; context?: { user?: string } }[];
  users?: { name: string; user?: { 'client-certificate-data'?: string } }[];
}

/** The context's client certificate's expiry, or undefined when the file, context or certificate data is missing
 *  (a token or exec user has none). */
export async function clientCertExpiry(path: string, context: string): Promise<Date | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (!text) return undefined;
  const k = parse(text) as KubeconfigFile | null;
  const user = k?.contexts?.find((c) => c.name === context)?.context?.user;
  const data = k?.users?.find((u) => u.name === user)?.user?.['client-certificate-data'];
  if (!data) return undefined;
  try {
    return new Date(new X509Certificate(Buffer.from(data, 'base64')).validTo);
  } catch {
    return undefined;
  }
}
