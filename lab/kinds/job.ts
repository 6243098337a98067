// batch/v1 Job create-time behaviour: SetDefaults_Job (pkg/apis/batch/v1/defaults.go), the selector and pod labels
// the API server generates (pkg/registry/batch/job/strategy.go generateSelector, 1.27+: prefixed and legacy labels,
// the selector on batch.kubernetes.io/controller-uid) and the validations an operator trips over
// (pkg/apis/batch/validation/validation.go ValidateJobSpec).
import { errors } from '../store/errors.js';
import { labelSelectorMatcher } from '../store/selectors.js';
import type { KObject } from '../store/types.js';
import { defaultPodSpec } from './strategy.js';

// k8s.io/api/batch/v1 types.go: ControllerUidLabel, JobNameLabel and their unprefixed legacy twins
export const CONTROLLER_UID = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME = 'batch.kubernetes.io/job-name';
const LEGACY_CONTROLLER_UID = 'controller-uid';
const LEGACY_JOB_NAME = 'job-name';

/** Runs in the store on create, once the uid is known (KindDef.initialize). */
export function initializeJob(o: KObject): void {
  const spec = (o.spec ??= {});
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex != null ? 2147483647 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  // JobPodReplacementPolicy: beta and on by default from 1.29, the lab's oldest reported version
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  spec.manualSelector ??= false;
  const template = (spec.template ??= {});
  template.metadata ??= {};
  defaultPodSpec(template.spec);
  if (!spec.manualSelector) generateSelector(o);
  // SetDefaults_Job copies the template labels onto a Job without labels; the API server defaults again on every read
  // (after generateSelector wrote them), so a Job without labels shows the generated ones
  if (!Object.keys(o.metadata.labels ?? {}).length && template.metadata.labels) o.metadata.labels = { ...template.metadata.labels };
  validateJob(o);
}

function generateSelector(o: KObject): void {
  const labels: Record<string, string> = (o.spec.template.metadata.labels ??= {});
  for (const k of [LEGACY_JOB_NAME, JOB_NAME]) labels[k] ??= o.metadata.name!;
  for (const k of [LEGACY_CONTROLLER_UID, CONTROLLER_UID]) labels[k] ??= o.metadata.uid!;
  const selector = (o.spec.selector ??= {});
  selector.matchLabels ??= {};
  selector.matchLabels[CONTROLLER_UID] ??= o.metadata.uid!;
}

function validateJob(o: KObject): void {
  const name = o.metadata.name ?? '';
  const causes: { field: string; message: string }[] = [];
  const tspec = o.spec.template?.spec;
  if (!tspec?.containers?.length) causes.push({ field: 'spec.template.spec.containers', message: 'Required value' });
  const policy = tspec?.restartPolicy;
  if (policy !== 'OnFailure' && policy !== 'Never') {
    causes.push({ field: 'spec.template.spec.restartPolicy', message: `Unsupported value: "${policy}": supported values: "OnFailure", "Never"` });
  }
  if (!o.spec.selector) causes.push({ field: 'spec.selector', message: 'Required value' });
  else if (!labelSelectorMatcher(o.spec.selector)(o.spec.template.metadata.labels)) {
    // the same text as the apps validations (ValidatePodTemplateSpecForReplicaSet); approximate for Jobs
    causes.push({ field: 'spec.template.metadata.labels', message: `Invalid value: ${JSON.stringify(o.spec.template.metadata.labels ?? {})}: \`selector\` does not match template \`labels\`` });
  }
  if (causes.length) throw errors.invalid('Job', 'batch', name, causes);
}
