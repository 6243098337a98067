// A talhelper talconfig.yaml for a new cluster, edited as a YAML document (comments and order kept): clusterName and
// endpoint set (left alone, and said so, when a ${variable} provides them: then talenv.yaml decides), and nodes
// replaced by the new ones. Each new node starts from the first old node of its role, keeping only settings that
// describe hardware or image, never addresses (budimanjojo/talhelper pkg/config: installDisk, installDiskSelector,
// schematic, talosImageURL); interfaces, patches and the like are node-specific and left for the operator.
import { isMap, isSeq, parseDocument, type Document } from 'yaml';

export interface NewNode { name: string; address: string; role: 'controlplane' | 'worker' }

const PORTABLE = ['installDisk', 'installDiskSelector', 'schematic', 'talosImageURL'];

export function onboardTalconfig(text: string, o: { name: string; endpoint: string; nodes: NewNode[] }): { text: string; notes: string[] } {
  const doc: Document = parseDocument(text);
  const notes: string[] = [];
  const set = (key: string, value: string) => {
    const cur = doc.get(key);
    if (typeof cur === 'string' && cur.includes('${')) notes.push(`talconfig ${key} is ${cur}: set that variable for the new cluster (talenv.yaml)`);
    else doc.set(key, value);
  };
  set('clusterName', o.name);
  set('endpoint', o.endpoint);
  const old = doc.get('nodes');
  const oldNodes = isSeq(old) ? old.items.filter(isMap).map((m) => m.toJSON() as Record<string, unknown>) : [];
  const dropped = new Set<string>();
  const nodes = o.nodes.map((n) => {
    const template = oldNodes.find((x) => Boolean(x.controlPlane) === (n.role === 'controlplane')) ?? {};
    for (const k of Object.keys(template)) if (!PORTABLE.includes(k) && !['hostname', 'ipAddress', 'controlPlane'].includes(k)) dropped.add(k);
    const kept = Object.fromEntries(Object.entries(template).filter(([k]) => PORTABLE.includes(k)));
    return { hostname: n.name, ipAddress: n.address, controlPlane: n.role === 'controlplane', ...kept };
  });
  doc.set('nodes', doc.createNode(nodes));
  if (dropped.size) notes.push(`node settings not copied (they are per node): ${[...dropped].sort().join(', ')}`);
  return { text: doc.toString(), notes };
}
