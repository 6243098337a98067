// What a lab daemon writes to DIR/state.json once it serves (read by lab:up, lab:status and lab:down).
export interface LabState {
  pid: number;
  url: string;
  port: number;
  dir: string;
  kubeconfigPath: string;
  configPath: string;
  /** KUBECONFIG, KUBECACHEDIR, RACKHAND_CONFIG, PATH (DIR/bin first) */
  env: Record<string, string>;
}
