// Kubernetes identity from a container log file path, as the kubelet and container runtimes lay them out:
//   /var/log/containers/<pod>_<namespace>_<container>-<container id>.log   (symlinks, one per container)
//   /var/log/pods/<namespace>_<pod>_<pod uid>/<container>/<restart>.log     (rotated: `0.log.20240101-120000[.gz]`)
// Names are checked against the Kubernetes naming rules (DNS-1123), so a path never smuggles `..` into an API URL.

export interface ContainerLogIdentity {
  namespace: string;
  pod: string;
  container: string;
  containerId?: string;
  podUid?: string;
}

// DNS-1123 label (namespaces, container names) and subdomain (pod names); lower case, at most 63/253 characters.
const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?$/;
const CONTAINER_ID = /^[0-9a-f]{12,64}$/;
const UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RESTART_FILE = /^\d+\.log(?:\.\d{8}-\d{6}(?:\.gz)?)?$/;

/** The identity a path encodes, or null when it is not a container log path. */
export function parseContainerLogPath(path: string): ContainerLogIdentity | null {
  const parts = path.split(/[\\/]/);
  const n = parts.length;
  if (n >= 2 && parts[n - 2] === 'containers') {
    const file = parts[n - 1]!;
    if (!file.endsWith('.log')) return null;
    const fields = file.slice(0, -4).split('_');
    if (fields.length !== 3) return null;
    const [pod, namespace, rest] = fields as [string, string, string];
    const dash = rest.lastIndexOf('-');
    if (dash <= 0) return null;
    const container = rest.slice(0, dash);
    const containerId = rest.slice(dash + 1);
    if (!DNS_SUBDOMAIN.test(pod) || !DNS_LABEL.test(namespace) || !DNS_LABEL.test(container) || !CONTAINER_ID.test(containerId)) return null;
    return { namespace, pod, container, containerId };
  }
  if (n >= 4 && parts[n - 4] === 'pods') {
    if (!RESTART_FILE.test(parts[n - 1]!)) return null;
    const container = parts[n - 2]!;
    const fields = parts[n - 3]!.split('_');
    if (fields.length !== 3) return null;
    const [namespace, pod, podUid] = fields as [string, string, string];
    if (!DNS_SUBDOMAIN.test(pod) || !DNS_LABEL.test(namespace) || !DNS_LABEL.test(container) || !UID.test(podUid)) return null;
    return { namespace, pod, container, podUid };
  }
  return null;
}
