/** CLI: writes each data entry of a rendered ConfigMap (YAML file argv[2]) as a file under argv[3]. */
import { configMapFiles } from './configmap.ts';

const [input, outDir] = process.argv.slice(2);
if (!input || !outDir) throw new Error('usage: configmap-files.ts <configmap.yaml> <out-dir>');
console.log(`wrote ${configMapFiles(input, outDir).length} files to ${outDir}`);
