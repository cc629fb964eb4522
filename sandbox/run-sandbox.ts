import { loadConfig } from '../common/config';
import { addDemoOrders } from './demo-orders';
import { startSandboxStack } from './sandbox-stack';

interface Output {
  write(text: string): void;
}

/**
 * `order-tracker sandbox`: the four provider simulators on 127.0.0.1 until Ctrl-C, with the demo
 * scripts loaded. OZZOBiT's webhooks go to the ingress on INGRESS_PORT (`order-tracker ingress`).
 */
export async function runSandbox(output: Output): Promise<number> {
  const config = loadConfig();
  const stack = await startSandboxStack({
    ozzobitWebhookUrl: `http://127.0.0.1:${config.environment.INGRESS_PORT}/webhooks/ozzobit`,
  });
  addDemoOrders(stack, Date.now().toString(36));
  output.write('Provider simulators running. Point a worker and the ingress at them with:');
  for (const [name, value] of Object.entries(stack.environment)) output.write(`  export ${name}=${value}`);
  output.write('Control APIs (add orders, faults, request and push logs):');
  for (const provider of ['magma', 'miraclecash', 'ozzobit', 'houdini'] as const) output.write(`  ${provider}: ${stack[provider].controlUrl}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await stack.close();
  return 0;
}
