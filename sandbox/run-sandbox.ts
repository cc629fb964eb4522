import { addDemoOrders } from './demo-orders';
import { startSandboxStack } from './sandbox-stack';

interface Output {
  write(text: string): void;
}

/** `order-tracker sandbox`: the simulators on 127.0.0.1 until Ctrl-C, with the demo scripts loaded. */
export async function runSandbox(output: Output): Promise<number> {
  const port = process.env.SANDBOX_MAGMA_PORT ? Number(process.env.SANDBOX_MAGMA_PORT) : undefined;
  const stack = await startSandboxStack({ ports: { magma: port } });
  addDemoOrders(stack, String(Date.now()));
  output.write('Provider simulators running. Point a worker at them with:');
  for (const [name, value] of Object.entries(stack.environment)) output.write(`  export ${name}=${value}`);
  output.write(`Control API (add orders, faults, request log): ${stack.magma.controlUrl}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await stack.close();
  return 0;
}
