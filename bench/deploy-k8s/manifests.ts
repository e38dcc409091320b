/**
 * The Deployment and Service deploy-k8s generates, as one YAML file: what both tools of the
 * deploy-k8s bench apply (ours through its `manifests` input, kubectl with `-f`).
 *
 *   node manifests.mjs NAME IMAGE REPLICAS > manifests.yaml
 */
import { stringify } from 'yaml';
import { generateManifests } from '../../shared/k8s/manifests.js';

const [name = 'iris', image = 'registry.example/iris:placeholder', replicas = '3'] = process.argv.slice(2);
const objects = generateManifests({ name, namespace: 'default', image, replicas: Number(replicas), env: {}, progressDeadlineSeconds: 600 });
// No namespace: each tool deploys into its own.
for (const o of objects) delete o.metadata.namespace;
process.stdout.write(objects.map((o) => stringify(o)).join('---\n'));
