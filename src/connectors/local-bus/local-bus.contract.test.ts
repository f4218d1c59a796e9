import { runBusContract } from '../../../test/contracts/bus-contract.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { LocalBus } from './local-bus.js';

runBusContract('local', async () => {
  const bus = new LocalBus({ dir: tempDir() });
  await bus.open();
  return bus;
});
